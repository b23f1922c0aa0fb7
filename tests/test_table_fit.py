"""The default `show` table: on a terminal it fits the screen (summary and curve stay
on it), sampled at round step numbers plus the landmarks, the warm-up given rows, gaps
marked on a row rather than by rows of their own; files and pipes get 200 rows at most.

A fake terminal: rich reads its size from COLUMNS and LINES, and FORCE_COLOR makes it
treat CliRunner's output as a terminal."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from warmplan.cli.main import app

ANSI = re.compile(r"\x1b\[[0-9;]*m")
GPT = "configs/gpt-cosine.yaml"  # 100,000 steps, warm-up 0-1999, peak at 2000


def _terminal(args: list[str], lines: int, columns: int = 100) -> str:
    env = {"COLUMNS": str(columns), "LINES": str(lines), "FORCE_COLOR": "1", "CI": ""}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.stdout)


def _rows(text: str) -> list[tuple[bool, int]]:
    """(marked as following skipped rows, step) of each table row."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) >= 3 and cells[1].isdigit():
            rows.append((cells[0] == "⋮", int(cells[1])))
    return rows


@pytest.mark.parametrize("lines", [30, 40, 50, 80])
def test_the_table_fits_the_terminal_with_summary_and_curve(lines):
    text = _terminal(["show", GPT], lines)
    assert len(text.splitlines()) <= lines - 1, "everything on one screen, and the prompt"
    assert text.splitlines()[0] == "gpt-small-cosine"
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in text), "the curve"
    assert "  total: 100,000 optimizer steps" in text
    steps = [step for _, step in _rows(text)]
    assert {0, 1999, 2000, 99_999} <= set(steps), "first, warm-up end, peak, last"


def test_rows_are_round_step_numbers_plus_the_landmarks():
    steps = [step for _, step in _rows(_terminal(["show", GPT], 50))]
    warm_up = [500, 1000, 1500]  # inside the warm-up, which 5,000-step rows would skip
    assert steps == [0, *warm_up, 1999, 2000, *range(5000, 100_000, 5000), 99_999]


def test_gaps_are_marked_on_the_row_not_as_rows():
    text = _terminal(["show", GPT], 50)
    rows = _rows(text)
    body = [line for line in text.splitlines() if line.startswith("│")]
    assert len(body) == len(rows), "no row of its own for a gap"
    for (marked, step), (_, previous) in zip(rows[1:], rows, strict=False):
        assert marked == (step != previous + 1), step
    assert rows[0] == (False, 0)


def test_a_short_warm_up_of_a_long_plan_gets_rows_inside_it():
    flags = ["--lr", "1e-3", "--steps", "450000", "--warmup-length", "300", "--decay", "cosine"]
    steps = [step for _, step in _rows(_terminal(["show", *flags], 40))]
    inside = [s for s in steps if 0 < s < 299]
    assert inside == [100, 200], "round rows inside the 300-step warm-up"
    assert all(s % 50_000 == 0 for s in steps if s not in (0, 100, 200, 299, 300, 449_999))


def test_a_small_terminal_drops_the_default_curve_to_keep_the_table():
    text = _terminal(["show", GPT], 20)
    assert len(text.splitlines()) <= 19
    assert not any(0x2800 <= ord(ch) < 0x2900 for ch in text)
    asked = _terminal(["show", GPT, "--curve"], 20)
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in asked), "--curve is drawn as asked"


def test_rows_overrides_the_terminal_and_pipes_get_at_most_200():
    asked = _rows(_terminal(["show", GPT, "--rows", "12"], 80))
    assert len(asked) <= 12
    piped = CliRunner().invoke(app, ["show", GPT])  # CliRunner's stdout: no terminal
    rows = _rows(piped.stdout)
    assert 100 <= len(rows) <= 200
    landmarks = {1999, 99_999}
    assert all(step % 500 == 0 for _, step in rows if step not in landmarks), "round numbers"
