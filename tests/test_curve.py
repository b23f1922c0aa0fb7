"""The terminal curve of `warmplan show`: text of the asked size that follows the schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.render.curve import _interval_ticks, curve_size, render_curve

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "resnet-multistep.yaml"
BRAILLE = range(0x2800, 0x2900)
runner = CliRunner()


def _braille(text: str) -> int:
    return sum(ord(ch) in BRAILLE for ch in text)


@pytest.fixture(scope="module")
def trace():
    return simulate(load_plan(CONFIG))  # 3.2 after a 5-epoch warm-up, x0.1 at 30/60/80


def test_the_curve_is_plain_text_of_the_asked_size(trace):
    text = render_curve(trace, width=60, height=10, color=False)
    lines = text.splitlines()
    assert "\x1b" not in text
    assert len(lines) == 10, "the frame, its tick labels included"
    assert max(len(line) for line in lines) <= 60
    assert _braille(text) > 40


def test_the_curve_follows_the_schedule(trace):
    rows = render_curve(trace, width=80, height=12, color=False).splitlines()
    assert rows[1].startswith("3.2┤"), "the top tick is the peak"
    assert rows[-3].startswith("0.0┤"), "the bottom tick is the floor"
    top_dots = [i for i, ch in enumerate(rows[1]) if ord(ch) in BRAILLE]
    bottom_dots = [i for i, ch in enumerate(rows[-3]) if ord(ch) in BRAILLE]
    # the plateau at 3.2 ends at epoch 30 of 90; the last level runs to the right edge
    assert 0.25 * 80 < max(top_dots) < 0.45 * 80
    assert max(bottom_dots) > 0.9 * 80
    assert "┊" in "".join(rows), "the end of warm-up, dotted"
    # 14,040 steps (90 epochs of 156): round step numbers
    assert [label for label in rows[-1].split()] == ["0", "5,000", "10,000"]


def test_color_is_ansi_foreground_only(trace):
    text = render_curve(trace, width=60, height=8, color=True)
    assert "\x1b[38;5;" in text or "\x1b[9" in text
    assert "\x1b[48;" not in text and ";107m" not in text, "no background boxes"


def test_curve_size_fits_the_terminal():
    assert curve_size(200, 50) == (120, 12)
    assert curve_size(30, 12) == (40, 6)
    assert curve_size(80, None) == (80, 12)


@pytest.mark.parametrize(
    ("intervals", "ticks"),
    [
        (1, [0]),
        (20, [0, 5, 10, 15]),
        (90, [0, 20, 40, 60, 80]),
        (100_000, list(range(0, 99_999, 20_000))),
    ],
)
def test_ticks_are_round_numbers(intervals, ticks):
    assert _interval_ticks(intervals)[0] == ticks


def test_show_draws_the_curve_when_asked_and_not_into_pipes():
    with_curve = runner.invoke(app, ["show", str(CONFIG), "--curve"])
    assert with_curve.exit_code == 0, with_curve.output
    assert _braille(with_curve.stdout) > 40
    assert with_curve.stdout.index("⡇") < with_curve.stdout.index("target LR")
    piped = runner.invoke(app, ["show", str(CONFIG)])  # CliRunner's stdout is no terminal
    assert piped.exit_code == 0 and _braille(piped.stdout) == 0
    dropped = runner.invoke(app, ["show", str(CONFIG), "--no-curve"])
    assert _braille(dropped.stdout) == 0


def test_a_csv_never_gets_a_curve():
    result = runner.invoke(app, ["show", str(CONFIG), "--curve", "-f", "csv"])
    assert result.exit_code == 0 and _braille(result.stdout) == 0
