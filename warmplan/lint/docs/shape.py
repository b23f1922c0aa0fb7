"""The pages of the rules about the schedule's shape, WP100-WP108."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

SGD = "optimizer: {kind: sgd, lr: 0.1}\n"


def plan(training: str, *blocks: str) -> Example:
    return Example(SGD + f"training: {training}\n" + "".join(f"{b}\n" for b in blocks))


MULTISTEP = "warmup: {kind: linear, length: 5}\ndecay:\n  kind: multistep\n  milestones: "

DOCS = [
    RuleDoc(
        "WP100",
        severity="warning",
        title="an ignore: entry that names no rule",
        catches="an `ignore:` entry that names no rule",
        why="A misspelt code silences nothing, while the plan reads as if it did; and a code "
        "removed from warmplan should leave the plan too.",
        bad=plan("{epochs: 10}", "ignore: [WP199]"),
        fixed=plan("{epochs: 10}"),
    ),
    RuleDoc(
        "WP101",
        catches="a phase asked for with zero length: a warm-up of 0 intervals (`fraction` "
        "rounding to 0 included), a step decay whose `step_size` never fits",
        why="A phase of length 0 is a phase that does not happen: a warm-up that rounds away "
        "starts training at the full LR, which is what the warm-up was there to prevent.",
        bad=plan(
            "{epochs: 100}", "warmup: {kind: linear, fraction: 0.004}", "decay: {kind: cosine}"
        ),
        fixed=plan(
            "{epochs: 100}", "warmup: {kind: linear, fraction: 0.05}", "decay: {kind: cosine}"
        ),
    ),
    RuleDoc(
        "WP102",
        catches="optimizer steps trained with LR 0 (wasted updates), e.g. a warm-up from 0; "
        "says how many",
        why="An update at LR 0 computes gradients and changes nothing: on a per-epoch warm-up "
        "from 0 that is a whole epoch of compute. torch's LinearLR cannot even start at 0; a "
        "small start factor does what was meant.",
        bad=plan(
            "{epochs: 20, steps_per_epoch: 50}",
            "warmup: {kind: linear, length: 4, start_lr: 0.0}",
            "decay: {kind: cosine, eta_min: 0.001}",
        ),
        fixed=plan(
            "{epochs: 20, steps_per_epoch: 50}",
            "warmup: {kind: linear, length: 4, start_factor: 0.1}",
            "decay: {kind: cosine, eta_min: 0.001}",
        ),
    ),
    RuleDoc(
        "WP103",
        catches="an LR that is negative, NaN or infinite",
        why="A negative LR climbs the loss, a NaN LR poisons every weight at the next update; "
        "neither stops training by itself.",
        bad=None,
        fixed=None,
        no_example="Validation refuses every plan value that would produce one (a negative "
        "`eta_min`, an `end_factor` above 1, ...), so no valid plan triggers it today; it "
        "guards the simulation itself (a torch release or a preset's arithmetic that goes "
        "wrong), and the suite feeds it hand-made traces.",
    ),
    RuleDoc(
        "WP104",
        catches="a jump the plan does not ask for: the warm-up ending below where the decay "
        "starts, or a step change off the step/multistep milestones",
        why="A sudden jump of the LR destabilises training (a loss spike); the milestones the "
        "plan names are the only steps it asks for. A milestone inside the warm-up, for one, "
        "drops the LR before the warm-up has handed over.",
        bad=plan("{epochs: 40}", MULTISTEP + "[3, 30]"),
        fixed=plan("{epochs: 40}", MULTISTEP + "[15, 30]"),
    ),
    RuleDoc(
        "WP105",
        catches="a target LR (per group) never reached, or exceeded",
        why="The target is the LR the plan is tuned for; a schedule that never gets there "
        "(or overshoots it) trains at a peak nobody chose.",
        bad=plan("{epochs: 40}", MULTISTEP + "[3, 30]"),
        fixed=plan("{epochs: 40}", MULTISTEP + "[15, 30]"),
    ),
    RuleDoc(
        "WP106",
        catches="a decay horizon (`T_max`, `total_iters`) ending before the last update: the "
        "LR comes back up (a periodic cosine), or sits at the floor; says by how much. A "
        "warning, not an error, when it rises less than 10% of the way back to the target and "
        "sits at the floor for less than 10% of training. A floor reached exactly on the last "
        "update (`T_max` = decay phase - 1, as nanoGPT, OLMo and OpenCLIP write it) is fine, "
        "and so is a floor held as asked (`hold_floor: true`)",
        why="torch's CosineAnnealingLR is periodic: past `T_max` the LR climbs back towards "
        "the target, the opposite of a decay, late in training where it hurts most. A linear "
        "decay that ends early trains the rest of the run at the floor.",
        bad=plan(
            "{epochs: 45}",
            "warmup: {kind: linear, length: 5}",
            "decay: {kind: cosine, eta_min: 0.001, T_max: 20}",
        ),
        fixed=plan(
            "{epochs: 45}",
            "warmup: {kind: linear, length: 5}",
            "decay: {kind: cosine, eta_min: 0.001, T_max: 40}",
        ),
        fix="`warmplan check --fix` sets the horizon to the value the message names (the "
        "decay phase's length), when re-checking proves the finding gone and none added",
    ),
    RuleDoc(
        "WP107",
        catches="a decay horizon ending after training: the floor is never reached (says the "
        "final LR)",
        why="A decay meant to end at its floor stops half-way: training ends at an LR well "
        "above the one planned, often the cause of a disappointing final loss.",
        bad=plan("{epochs: 100}", "decay: {kind: cosine, eta_min: 0.0, T_max: 200}"),
        fixed=plan("{epochs: 100}", "decay: {kind: cosine, eta_min: 0.0}"),
    ),
    RuleDoc(
        "WP108",
        catches="multistep milestones at or before the end of warm-up, not before the end of "
        "training, unsorted, or repeated",
        why="torch's MultiStepLR counts each milestone as written: an unsorted list still "
        "works but reads as a different schedule, a repeated one drops twice, one past the "
        "end never happens, one in the warm-up is lost.",
        bad=plan("{epochs: 90}", MULTISTEP + "[30, 70, 60]"),
        fixed=plan("{epochs: 90}", MULTISTEP + "[30, 60, 70]"),
        fix="`warmplan check --fix` sorts milestones that are only out of order (not those "
        "repeated, in the warm-up or past the end: which one was meant is not clear)",
    ),
]
