"""Counted nouns in messages: "1 epoch", "2 epochs", "10,000 steps"."""

from __future__ import annotations


def counted(count: float, noun: str, spec: str = "") -> str:
    """``count`` formatted by ``spec`` and ``noun``, plural unless the count is one."""
    return f"{count:{spec}} {noun}{'' if count == 1 else 's'}"
