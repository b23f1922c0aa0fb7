"""nanoGPT config files (``config/train_*.py``) -> a plan with the nanogpt preset.

nanoGPT's train.py (karpathy/nanoGPT@3adf61e1) sets its defaults, then ``exec``s the
config file over them: the file is Python assignments. It is read here as literals
(never run); what it leaves out keeps train.py's default. The loop runs iterations
0 .. ``max_iters`` (``while True: ... iter_num += 1; if iter_num > max_iters: break``),
one optimizer update each, so ``max_iters + 1`` updates; ``gradient_accumulation_steps``
only splits each update into micro-steps and leaves the LRs alone.
"""

from __future__ import annotations

from warmplan.formats import keys, pytraps
from warmplan.formats.draft import Draft

#: train.py's defaults for the keys the schedule reads
DEFAULTS = {
    "learning_rate": 6e-4,
    "max_iters": 600000,
    "decay_lr": True,
    "warmup_iters": 2000,
    "lr_decay_iters": 600000,
    "min_lr": 6e-5,
    "beta1": 0.9,
    "beta2": 0.95,
    "weight_decay": 1e-1,
}
SCHEDULE_KEYS = (
    "learning_rate",
    "max_iters",
    "decay_lr",
    "warmup_iters",
    "lr_decay_iters",
    "min_lr",
    "gradient_accumulation_steps",
    "eval_only",
    "init_from",
)
#: the other keys train.py defines (a config setting any other name sets a variable
#: train.py never reads)
KNOWN = {
    "out_dir",
    "eval_interval",
    "log_interval",
    "eval_iters",
    "always_save_checkpoint",
    "wandb_log",
    "wandb_project",
    "wandb_run_name",
    "dataset",
    "batch_size",
    "block_size",
    "n_layer",
    "n_head",
    "n_embd",
    "dropout",
    "bias",
    "grad_clip",
    "backend",
    "device",
    "dtype",
    "compile",
    *DEFAULTS,
    *SCHEDULE_KEYS,
}


def read(draft: Draft) -> None:
    keys.warn_near_misses(draft, tuple(sorted(set(SCHEDULE_KEYS) | {"learning_rate"})), "nanoGPT")
    values = {
        "learning_rate": draft.number("learning_rate", DEFAULTS["learning_rate"]),
        "max_iters": draft.number("max_iters", DEFAULTS["max_iters"], whole=True),
        "warmup_iters": draft.number("warmup_iters", DEFAULTS["warmup_iters"], whole=True),
        "lr_decay_iters": draft.number("lr_decay_iters", DEFAULTS["lr_decay_iters"], whole=True),
        "min_lr": draft.number("min_lr", DEFAULTS["min_lr"]),
        "decay_lr": draft.flag("decay_lr", True),
    }
    if not values["learning_rate"] > 0:
        draft.error(("learning_rate",), "learning_rate must be above 0")
    if draft.get("eval_only", False) is True:
        draft.error(
            ("eval_only",), "eval_only = True: train.py evaluates once and stops; no update runs"
        )
    if draft.get("init_from", "scratch") == "resume":
        draft.error(
            ("init_from",),
            "init_from = 'resume' starts at the checkpoint's iter_num, "
            "which no config holds; the plan needs the iteration to start from",
        )
    warmup, decay = values["warmup_iters"], values["lr_decay_iters"]
    if values["decay_lr"] and warmup == decay and values["max_iters"] >= warmup:
        draft.error(
            ("lr_decay_iters",) if draft.has("lr_decay_iters") else ("warmup_iters",),
            f"warmup_iters = lr_decay_iters = {warmup}: train.py's get_lr divides by "
            f"lr_decay_iters - warmup_iters = 0 at iteration {warmup} (ZeroDivisionError)",
        )
    draft.raise_problems()
    updates = values["max_iters"] + 1
    draft.put(("optimizer", "kind"), "adamw")
    draft.put(("optimizer", "lr"), float(values["learning_rate"]), ("learning_rate",))
    betas = [draft.get("beta1", DEFAULTS["beta1"]), draft.get("beta2", DEFAULTS["beta2"])]
    if all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas):
        draft.put(("optimizer", "betas"), betas, ("beta2",) if draft.has("beta2") else ("beta1",))
    draft.put(("training", "steps"), updates, ("max_iters",))
    draft.put(("training", "interval"), "step")
    draft.put(("preset", "framework"), "nanogpt", ("learning_rate",))
    draft.put(("preset", "name"), "get_lr", ("decay_lr",))
    draft.put(("preset", "args"), {}, ("learning_rate",))
    for key in ("warmup_iters", "lr_decay_iters", "min_lr", "decay_lr"):
        draft.put(("preset", "args", key), values[key], (key,))
    draft.note(
        f"iterations 0 .. max_iters {values['max_iters']:,}: {updates:,} updates "
        "(train.py's loop includes max_iters)"
    )
    defaulted = [k for k in DEFAULTS if not draft.has(k) and k in values]
    if defaulted:
        draft.note("train.py's defaults: " + ", ".join(f"{k} {values[k]!r}" for k in defaulted))
    pytraps.nanogpt_traps(draft, values)
