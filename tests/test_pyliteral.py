"""Python configs read as literals: the values Python would compute, each key's
1-based line:col (in characters, as editors count them), and a located refusal of
anything that is not data, in bounded time and memory."""

from __future__ import annotations

import time

import pytest

from warmplan.config.pyliteral import BaseReference, parse_python
from warmplan.errors import ConfigError


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_python(text, "c.py")
    (finding,) = caught.value.findings
    return finding.format()


def test_values_are_what_python_computes() -> None:
    text = (
        "max_epochs = 12\n"
        "lr = 5e-4 * 1024 / 512\n"
        "neg = -3\n"
        "cfg = dict(max_epochs=max_epochs, betas=(0.9, 0.999), off=None, on=True)\n"
        "both = [1, 2] + [3]\n"
        "path = 'data/' + 'coco/'\n"
        "d = {'a': 1, 'a': 2}\n"
        "p = 2 ** 10 // 3 % 7\n"
    )
    data = parse_python(text).data
    namespace: dict[str, object] = {}
    exec(text, {}, namespace)  # the oracle: Python itself, on this harmless text
    namespace["cfg"] = {**namespace["cfg"], "betas": [0.9, 0.999]}  # type: ignore[dict-item]
    assert data == namespace


def test_positions_are_characters_and_follow_names_and_lists() -> None:
    text = (
        "é = 1  # a non-ASCII name before the key\n"
        "s = dict(type='x', é=1, lr=0.1)\n"
        "sched = dict(gamma=0.5)\n"
        "ps = [dict(a=1)] + [sched]\n"
    )
    source = parse_python(text)
    assert source.positions[("s", "lr")] == (2, 25)
    assert source.positions[("ps", 1)] == (4, 21)
    assert source.positions[("ps", 1, "gamma")] == (3, 14)  # where sched was written
    assert source.positions[("ps", 0, "a")] == (4, 12)


def test_a_name_bound_again_forgets_its_old_keys() -> None:
    source = parse_python("x = dict(a=1, b=2)\nx = dict(c=3)\n")
    assert source.data == {"x": {"c": 3}}
    assert ("x", "a") not in source.positions and source.positions[("x",)] == (2, 1)


def test_a_base_reference_is_kept_for_the_mmengine_reader() -> None:
    data = parse_python("t = dict(T_max={{_base_.train_cfg.max_epochs}})\n").data
    assert data["t"]["T_max"] == BaseReference(("train_cfg", "max_epochs"), 1, 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = print('hi')\n", "c.py:1:5: error: a call of print(...) is not a literal"),
        ("x = os.path\n", "c.py:1:5: error: an attribute is not a literal"),
        ("x = [i for i in y]\n", "c.py:1:5: error: a list comprehension is not a literal"),
        ("x = f'{a}'\n", "c.py:1:5: error: an f-string is not a literal"),
        ("x = 1 if y else 2\n", "c.py:1:5: error: a conditional expression is not a literal"),
        ("def f():\n    pass\n", "c.py:1:1: error: a function definition (FunctionDef)"),
        ("for i in []:\n    pass\n", "c.py:1:1: error: a for loop (For) is not a literal"),
        ("a, b = 1, 2\n", "c.py:1:1: error: an assignment to a tuple is not a literal"),
        ("x = y\n", "c.py:1:5: error: name y is not bound above in this file"),
        ("x = 'a' - 1\n", "c.py:1:5: error: text - a number is not arithmetic"),
        ("x = 1 / 0\n", "c.py:1:5: error: division by zero"),
        ("x = b'raw'\n", "c.py:1:5: error: a bytes constant is not a literal"),
        ("x = dict(**y)\n", "c.py:1:12: error: a ** unpacking is not a literal"),
        ("x = {1: 2}\n", "c.py:1:6: error: a dict key must be text"),
        ("x = 1e400 * 1\n", "c.py:1:5: error: the number is inf"),
        ("x = (\n", "c.py:1:5: error: invalid Python: '(' was never closed"),
    ],
)
def test_anything_else_is_one_located_error_naming_it(text: str, expected: str) -> None:
    assert _error(text).startswith(expected)


def test_hostile_inputs_end_quickly_in_one_error() -> None:
    bombs = [
        "a = [0, 0]\n" + "a = [a, a]\n" * 40,  # 2**40 by names
        "a = [0]\n" + "a = a + a\n" * 40,
        "x = 9 ** 9 ** 9\n",
        "x = 10 ** 10 ** 10\n",
        "x = " + "-" * 100_000 + "1\n",
        "s = 'x'\n" + "s = s + s\n" * 40,
    ]
    for text in bombs:
        started = time.monotonic()
        with pytest.raises(ConfigError) as caught:
            parse_python(text, "c.py")
        assert time.monotonic() - started < 1.0, text[:40]
        assert len(caught.value.findings) == 1
        # Python's own parser gives up on 100,000 signs without saying where
        assert caught.value.findings[0].line or text.startswith("x = --")
