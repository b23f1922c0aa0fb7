"""Megatron-LM's ``--decoupled-lr`` and ``--decoupled-min-lr``: the second param group
of :mod:`warmplan.formats.megatron`'s plans.

megatron-core 0.16.1 (``megatron/core/optimizer/__init__.py``
``get_standard_config_overrides``) gives the parameters marked
``is_embedding_or_output_parameter`` (the embeddings and the output layer) a group of
their own with ``max_lr = --decoupled-lr`` and ``min_lr = --decoupled-min-lr``, else the
global ``--min-lr``; ``OptimizerParamScheduler.get_lr`` reads each group's ``max_lr`` and
``min_lr`` while ``--lr-warmup-init`` and every length are shared. Without
``--decoupled-lr`` there is no such group, and ``--decoupled-min-lr`` does nothing.
``validate_args`` (NVIDIA/Megatron-LM@001b00c2) only asserts that neither flag is used
with ``--use-legacy-models``.
"""

from __future__ import annotations

from typing import Any

from warmplan.formats import megatron_traps as traps
from warmplan.formats.draft import Draft

#: the param group megatron-core gives --decoupled-lr (is_embedding_or_output_parameter)
GROUP = "embedding_and_output"
#: the decay styles that end at a floor
_FLOORED = ("linear", "cosine", "WSD")


def legacy_models(draft: Draft, args: dict[str, Any]) -> None:
    if not draft.has("--use-legacy-models"):
        return
    for flag in ("--decoupled-lr", "--decoupled-min-lr"):
        if args[flag] is not None:
            draft.error(
                (flag,),
                f"{flag} is not supported with --use-legacy-models (Megatron asserts it)",
            )


def groups(draft: Draft, args: dict[str, Any]) -> None:
    """megatron-core's two param groups under --decoupled-lr: the default one, then the
    embeddings and output layer (its ParamKey override sorts after no override)."""
    if args["--decoupled-lr"] is None:
        return
    both = [{"name": "default", "lr": args["--lr"]}, {"name": GROUP, "lr": args["--decoupled-lr"]}]
    draft.put(("optimizer", "groups"), both, ("--decoupled-lr",))
    draft.locate(("optimizer", "groups", 0, "lr"), ("--lr",))
    draft.locate(("optimizer", "groups", 1, "lr"), ("--decoupled-lr",))
    floor = args["--decoupled-min-lr"]
    draft.note(
        f"param group {GROUP} (embeddings, output layer): --decoupled-lr "
        f"{args['--decoupled-lr']:g}, floor "
        + (
            f"--decoupled-min-lr {floor:g}"
            if floor is not None
            else f"--min-lr {args['--min-lr']:g}"
        )
    )


def floors(draft: Draft, args: dict[str, Any]) -> None:
    """Each group's floor, when the decoupled group has its own (one number otherwise)."""
    if args["--decoupled-lr"] is not None and args["--decoupled-min-lr"] is not None:
        values = [args["--min-lr"], args["--decoupled-min-lr"]]
        draft.put(("preset", "args", "min_lr"), values, ("--decoupled-min-lr",))


def floors_text(args: dict[str, Any]) -> str:
    """The floor the decay ends at, and the decoupled group's when it has its own."""
    text = f"--min-lr {args['--min-lr']:g}"
    if args["--decoupled-lr"] is not None and args["--decoupled-min-lr"] is not None:
        text += f" ({GROUP}: --decoupled-min-lr {args['--decoupled-min-lr']:g})"
    return text


def traps_of(draft: Draft, args: dict[str, Any], style: str) -> None:
    """WP163 for the decoupled group's own floor of 0; WP168 for a floor without a group."""
    decoupled_lr, floor = args["--decoupled-lr"], args["--decoupled-min-lr"]
    if style in _FLOORED and decoupled_lr is not None and floor == 0 and args["--min-lr"] > 0:
        draft.warn(
            traps.MIN_LR_ZERO,
            ("--decoupled-min-lr",),
            f"--decoupled-min-lr is 0: the embedding and output layers decay to LR 0 "
            f"while the rest holds --min-lr {args['--min-lr']:g}; set it, or leave it "
            "out (the group then takes --min-lr)",
        )
    if floor is not None and decoupled_lr is None:
        draft.warn(
            traps.DECOUPLED_MIN_LR_ALONE,
            ("--decoupled-min-lr",),
            f"--decoupled-min-lr {floor:g} without --decoupled-lr is ignored: Megatron "
            "makes no separate embedding/output group, and every parameter decays to "
            f"--min-lr {args['--min-lr']:g}; add --decoupled-lr, or drop the flag",
        )
