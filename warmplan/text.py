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


# -- numbers: one style for every message, table and summary ---------------------------
#
# Whole numbers get thousands separators (``150,150``), so a list of them separates
# its items with "; " (``150,150; 300,300``): a comma would read as six numbers. LRs
# read the way plans write them: six significant digits, in scientific notation below
# 0.01 with a short exponent (``6e-4``, ``6e-5``, never ``0.0006`` beside ``6e-05``).
# A value the user is told to write into the plan (``set T_max: 1998000``) is YAML and
# stays bare: it is pasted, not read.

#: LRs below this (and above 0) are written in scientific notation
SCIENTIFIC_BELOW = 1e-2


def number(value: float) -> str:
    """A count or length: ``2,000``, ``450,450``; a fraction of one as ``%g`` (``1.5``)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"


def numbers(values: Any) -> str:
    """A list of counts: ``30; 60; 80``, ``150,150; 300,300`` (see above)."""
    return "; ".join(number(v) for v in values)


def lr(value: float) -> str:
    """An LR (or any real value of a schedule): ``0.1``, ``6e-4``, ``2.5e-5``, ``0``."""
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value == 0 or abs(value) >= SCIENTIFIC_BELOW:
        text = f"{value:.6g}"
        if "e" not in text:
            return text
    else:
        text = f"{value:.5e}"
    mantissa, exponent = text.split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"
