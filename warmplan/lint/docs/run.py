"""The pages of the rules about the optimizer, torch and the run itself, WP109-WP116."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

SGD = "optimizer: {kind: sgd, lr: 0.1}\n"
ADAMW = "optimizer: {kind: adamw, lr: 1.0e-3, betas: [0.9, 0.95]}\n"
LONG = "training: {steps: 5000, interval: step}\n"
EXPECTED = """\
optimizer: {kind: sgd, lr: 0.1}
training: {epochs: 30, steps_per_epoch: 100}
warmup: {kind: linear, length: 5}
decay: {kind: cosine, eta_min: 0.001}
expect:
  peak_lr: %s
"""
PER_STEP = "training: {epochs: 90, steps_per_epoch: 100, interval: step}\n"
STALE = """\
optimizer: {kind: sgd, lr: 0.1}
training: {epochs: 10}%s
"""

DOCS = [
    RuleDoc(
        "WP109",
        catches="an Adam/AdamW warm-up shorter than 2/(1 - beta2) optimizer steps (Ma & "
        "Yarats, 2019: 2000 for beta2 = 0.999) on a long run from scratch: only on runs of at "
        "least 10 x that many steps whose warm-up is under 1% of training (100 steps of "
        "100,000 fires; a 6% warm-up of an 11,000-step fine-tune does not). Per-epoch plans "
        "count W epochs x `steps_per_epoch`; one with no epoch size gets a note naming "
        "`steps_per_epoch` as the likely cause",
        why="Adam's second-moment estimate is unreliable for its first ~2/(1 - beta2) steps "
        "(40 for the beta2 = 0.95 of the example, 2000 for torch's default 0.999); large "
        "updates then can diverge a run from scratch. `length: auto` computes the length "
        "from beta2.",
        bad=Example(ADAMW + LONG + "warmup: {kind: linear, length: 10}\ndecay: {kind: cosine}\n"),
        fixed=Example(
            ADAMW + LONG + "warmup: {kind: linear, length: auto}\ndecay: {kind: cosine}\n"
        ),
    ),
    RuleDoc(
        "WP110",
        catches="a warning torch raised while simulating, with its text",
        why="torch's warnings about a scheduler (a deprecated argument, a call order it does "
        "not expect) are easy to miss in a training log; `check` shows them before the run.",
        bad=None,
        fixed=None,
        no_example="warmplan builds and steps torch's schedulers as torch asks, so no valid "
        "plan makes torch 2.13 warn today; the rule keeps a future torch's warnings visible "
        "(the suite feeds it a captured warning).",
    ),
    RuleDoc(
        "WP111",
        catches="a scheduler whose `state_dict` does not resume it: saved (pickled) at sampled "
        "intervals, loaded into freshly built schedulers, continued and compared with the "
        "uninterrupted run",
        why="A run resumed from a checkpoint whose scheduler state is incomplete restarts or "
        "skips its schedule silently; the suite of warmplan's builders avoids lambdas for "
        "this reason, and the rule proves it for each plan.",
        bad=None,
        fixed=None,
        no_example="Every scheduler warmplan builds today resumes exactly (the rule is what "
        "proves it), so no valid plan triggers it; the suite feeds it a scheduler that loses "
        "its state.",
    ),
    RuleDoc(
        "WP112",
        catches="param groups whose LR ratio changes where the plan keeps it (everywhere, "
        "except a decay with a shared absolute floor such as `eta_min`, and a preset, "
        "whose groups follow the framework's arithmetic)",
        why="Groups with different targets (a backbone 10x slower than a head) are tuned as "
        "a ratio; a schedule that changes the ratio trains another model than the one tuned.",
        bad=None,
        fixed=None,
        no_example="The schedulers warmplan builds scale every group by the same factor, so "
        "no valid plan triggers it today; the suite feeds it a trace whose ratio drifts.",
    ),
    RuleDoc(
        "WP113",
        catches="a value pinned in `expect:` that the simulated schedule does not have",
        why="`expect:` pins what the author knows the run must do (its peak, its last LR, "
        "its length); a later edit that changes one fails the check instead of the run.",
        bad=Example(EXPECTED % "0.2"),
        fixed=Example(EXPECTED % "0.1"),
    ),
    RuleDoc(
        "WP114",
        severity="error",
        title="torch refused to build or step the schedule",
        catches="torch refused to build or step the schedule",
        why="A plan that validates but that torch refuses would fail at the start of "
        "training; the finding carries torch's own message.",
        bad=None,
        fixed=None,
        no_example="Validation refuses what torch 2.13 refuses, so no valid plan triggers it "
        "today; it reports what a newer torch may refuse (the suite makes torch raise).",
    ),
    RuleDoc(
        "WP115",
        catches="a length, horizon or milestone written as a plain number that looks like "
        "epochs on a plan that steps per optimizer step (see below); reported once, at the "
        "key, with what to write (`milestones: {epochs: [30, 60, 80]}`), in place of the "
        "findings it causes (WP101, WP102, WP104-WP109). `show` prints the same note (a "
        "warning there: the plan still runs as written)",
        why="On a plan with `interval: step` a plain number counts optimizer steps: ResNet's "
        "milestones `[30, 60, 80]` on 90 epochs of 5,005 steps drop the LR three times in the "
        "first 0.02% of training. Writing the unit says what was meant.",
        bad=Example(SGD + PER_STEP + "decay: {kind: multistep, milestones: [30, 60, 80]}\n"),
        fixed=Example(
            SGD + PER_STEP + "decay: {kind: multistep, milestones: {epochs: [30, 60, 80]}}\n"
        ),
        fix="`warmplan check --fix` writes the value in epochs (`milestones: {epochs: [30, "
        "60, 80]}`), when re-checking proves the finding gone and none added",
    ),
    RuleDoc(
        "WP116",
        severity="warning",
        title="a suppression comment that silences nothing",
        catches="a `# warmplan: ignore[...]` or `ignore-file[...]` comment that silences "
        "nothing (no finding of that code on its line, or in the file), names a code that "
        "is no rule or a load problem (WP0xx: no comment silences those), is of no form "
        "warmplan reads, or an `ignore-file` after a value (it must "
        "stand on its own line), as ruff's RUF100; `--ignore WP116` silences it",
        why="A suppression outlives the problem it silenced; left in place, it hides the "
        "next real finding on that line. Reporting the stale ones keeps the comments true.",
        bad=Example(STALE % "  # warmplan: ignore[WP109]"),
        fixed=Example(STALE % ""),
    ),
]
