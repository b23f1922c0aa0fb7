"""The README's images are what the README's own commands draw: every `warmplan plot ...
-o docs/<name>.png` command in the README is rerun (in process, into a temporary file)
and compared with the shipped image, pixel by pixel with a small tolerance (fonts
anti-alias a little differently across FreeType builds).

After a change to the plots: rerun the README's commands (they write docs/ directly)."""

from __future__ import annotations

import re
import shlex
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from warmplan.cli.main import app

#: pixels that may differ (by more than DIFFERENT in any channel), as a fraction
TOLERATED = 0.002
DIFFERENT = 0.1


def _commands() -> dict[str, list[str]]:
    """The README's plot commands that write under docs/: {image path: argv}."""
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    commands = {}
    for line in text.splitlines():
        if line.startswith("warmplan plot ") and " -o docs/" in line:
            argv = [arg for arg in shlex.split(line.split(" # ")[0]) if arg]
            argv = [expanded for arg in argv for expanded in _braces(arg)]
            commands[argv[argv.index("-o") + 1]] = argv[1:]
    return commands


def _braces(arg: str) -> list[str]:
    """bash's brace expansion of one word (the README uses `{torch,timm}.yaml`)."""
    parts = re.split(r"\{([^{}]*,[^{}]*)\}", arg)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(combo) for combo in product(*choices)]


def _pixels(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    return imread(path)


def test_the_readme_has_both_image_commands():
    assert set(_commands()) == {"docs/example-configs.png", "docs/compare.png"}
    assert len(_commands()["docs/compare.png"]) > 7, "the brace expansion gave every config"


@pytest.mark.parametrize("image", sorted(_commands()))
def test_a_docs_image_is_what_its_readme_command_draws(image, tmp_path, monkeypatch):
    argv = _commands()[image]
    drawn = tmp_path / Path(image).name
    argv[argv.index("-o") + 1] = str(drawn)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    shipped, fresh = _pixels(ROOT / image), _pixels(drawn)
    assert shipped.shape == fresh.shape, f"{image}: another size; rerun the README's command"
    differing = (np.abs(shipped - fresh) > DIFFERENT).any(axis=-1).mean()
    assert differing <= TOLERATED, (
        f"{image}: {differing:.2%} of its pixels differ from what its README command draws; "
        "rerun the command"
    )
