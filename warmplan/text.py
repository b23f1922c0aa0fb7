"""Wording helpers for every user-facing message: counted nouns ("1 epoch", "2 epochs"),
did-you-mean suggestions, and how a wrong value is described."""

from __future__ import annotations

import datetime
import difflib
from typing import Any


def counted(count: float, noun: str, spec: str = "") -> str:
    """``count`` formatted by ``spec`` and ``noun``, plural unless the count is one."""
    return f"{count:{spec}} {noun}{'' if count == 1 else 's'}"


def with_article(word: str) -> str:
    """``word`` after "a" or "an", by its first letter ("an exponential", "a linear")."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"{value!r} (text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, int) and abs(value) >= 10**21:
        # not repr: hundreds of digits help no one (and past 4,300 Python refuses)
        digits = int(value.bit_length() * 0.30103) + 1
        return f"a whole number of about {digits:,} digits"
    return repr(value)


def did_you_mean(word: str, choices: list[str]) -> str:
    return hint(closest(word, choices))


def hint(close: str | None) -> str:
    return f" (did you mean {close}?)" if close else ""


def closest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    # short keys with swapped letters (rl -> lr) score low on difflib's ratio
    close = close or [c for c in choices if sorted(c) == sorted(word)]
    return close[0] if close else None
