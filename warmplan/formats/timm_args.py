"""timm's train.py command line, from a file (``.sh`` or ``.args``), as a Source.

The schedule lives in the flags of one command (``./distributed_train.sh 4 --sched
cosine --epochs 150 ...``, or ``python train.py ...``), possibly over several lines
joined by ``\\``. Words up to ``train.py`` / ``distributed_train.sh`` (a launcher and
its own flags) and before the first flag after it (the process count, a data folder) are
skipped; the flags train.py gives the schedule are converted with train.py's own types
(argparse's ``type=float`` / ``int``, ``nargs='+'``, ``store_true``) into the keys of its
``args.yaml`` (``--warmup-epochs 3`` -> ``warmup_epochs: 3``), each located at its flag.
Other flags (``--model``, ``--amp``, ...) are kept only to tell typos of schedule flags.
The file is data: nothing in it is run, no variable is expanded.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from warmplan import errors
from warmplan.config.source import Source, _read_text
from warmplan.errors import ConfigError, Finding

#: the file endings read as a command line
SUFFIXES = (".sh", ".args")
SYNTAX = "args"
#: the programs whose flags these are (what comes before them launches them)
_SCRIPTS = ("train.py", "distributed_train.sh")

#: train.py's schedule flags (huggingface/pytorch-image-models train.py, lines 142-264):
#: flag -> (args.yaml key, type); type "true" is store_true, "floats"/"ints" nargs='+'
FLAGS: dict[str, tuple[str, str]] = {
    "-b": ("batch_size", "int"),
    "--batch-size": ("batch_size", "int"),
    "--grad-accum-steps": ("grad_accum_steps", "int"),
    "--opt": ("opt", "str"),
    "--sched": ("sched", "str"),
    "--sched-on-updates": ("sched_on_updates", "true"),
    "--lr": ("lr", "float"),
    "--lr-base": ("lr_base", "float"),
    "--lr-base-size": ("lr_base_size", "int"),
    "--lr-base-scale": ("lr_base_scale", "str"),
    "--lr-noise": ("lr_noise", "floats"),
    "--lr-noise-pct": ("lr_noise_pct", "float"),
    "--lr-noise-std": ("lr_noise_std", "float"),
    "--lr-cycle-mul": ("lr_cycle_mul", "float"),
    "--lr-cycle-decay": ("lr_cycle_decay", "float"),
    "--lr-cycle-limit": ("lr_cycle_limit", "int"),
    "--lr-k-decay": ("lr_k_decay", "float"),
    "--warmup-lr": ("warmup_lr", "float"),
    "--min-lr": ("min_lr", "float"),
    "--epochs": ("epochs", "int"),
    "--decay-milestones": ("decay_milestones", "ints"),
    "--decay-epochs": ("decay_epochs", "float"),
    "--warmup-epochs": ("warmup_epochs", "int"),
    "--warmup-prefix": ("warmup_prefix", "true"),
    "--cooldown-epochs": ("cooldown_epochs", "int"),
    "--decay-rate": ("decay_rate", "float"),
    "--dr": ("decay_rate", "float"),
    "-c": ("config", "str"),
    "--config": ("config", "str"),
}
_WORD = re.compile(r"""(?:[^\s'"\\#]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+|#.*|['"].*""")


def is_command_line(path: Path) -> bool:
    return path.suffix in SUFFIXES


def read_command_line(path: str | Path) -> Source:
    """The flags of the command in ``path`` as an args.yaml-like Source."""
    shown = str(path)
    text = _read_text(Path(path), shown)
    words = _words(text, shown)
    source = Source(data={}, path=shown, syntax=SYNTAX)
    scripts = [i for i, (word, _) in enumerate(words) if word.endswith(_SCRIPTS)]
    after = scripts[-1] + 1 if scripts else 0  # not a launcher's own flags (torchrun's)
    start = next((i for i in range(after, len(words)) if words[i][0].startswith("-")), len(words))
    problems: list[Finding] = []
    i = start
    while i < len(words):
        i = _flag(words, i, source, problems)
    if problems:
        raise ConfigError(problems)
    return source


def _words(text: str, shown: str) -> list[tuple[str, tuple[int, int]]]:
    """Each word of the command (quotes removed) with its line and column."""
    words = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _WORD.finditer(line):
            raw = match.group()
            if raw.startswith("#"):
                break
            if raw == "\\":
                continue
            try:
                (word,) = shlex.split(raw) or [""]
            except ValueError:
                problem = "a quote is not closed on this line"
                finding = Finding(errors.BAD_VALUE, problem, path=shown, line=number)
                raise ConfigError([finding.at(col=match.start() + 1)]) from None
            words.append((word, (number, match.start() + 1)))
    return words


def _flag(words: list, i: int, source: Source, problems: list[Finding]) -> int:
    """Read the flag at ``words[i]`` (and its values); the index after them."""
    word, place = words[i]
    flag, _, inline = word.partition("=")
    values = [inline] if inline else []
    j = i + 1
    while not inline and j < len(words) and not _is_flag(words[j][0]):
        values.append(words[j][0])
        j += 1
    if flag not in FLAGS:
        if flag.startswith("--"):  # a typo's near miss is warned about by the reader
            source.data.setdefault(flag[2:].replace("-", "_"), values[0] if values else True)
            source.positions.setdefault((flag[2:].replace("-", "_"),), place)
        return j
    key, kind = FLAGS[flag]
    value, used = _convert(flag, kind, values, source.path, place, problems)
    for problem in problems:
        if problem.line == place[0] and problem.col == place[1] and problem.key is None:
            problems[problems.index(problem)] = problem.at(key=key)
    source.data[key] = value
    source.positions[(key,)] = place
    return i + 1 + used if not inline else i + 1


def _is_flag(word: str) -> bool:
    """argparse's test: a word starting with - that is not a negative number."""
    return word.startswith("-") and not re.fullmatch(r"-\d+(\.\d*)?([eE][-+]?\d+)?|-\.\d+", word)


def _convert(
    flag: str, kind: str, values: list[str], path: Any, place: tuple[int, int], problems: list
) -> tuple[Any, int]:
    """(value, words used) as train.py's argparse converts them; a problem if it refuses."""
    if kind == "true":
        return True, 0
    wanted = values if kind in ("floats", "ints") else values[:1]
    if not wanted:
        problems.append(_problem(path, place, f"{flag} needs a value (train.py's argparse)"))
        return None, 0
    convert = {"float": float, "floats": float, "int": int, "ints": int, "str": str}[kind]
    try:
        converted = [convert(text) for text in wanted]
    except ValueError:
        kind_word = "int" if kind.startswith("int") else "float"
        shown = " ".join(wanted)
        message = f"{flag} {shown}: invalid {kind_word} value (train.py's argparse refuses it)"
        problems.append(_problem(path, place, message))
        return None, len(wanted)
    return (converted if kind in ("floats", "ints") else converted[0]), len(wanted)


def _problem(path: Any, place: tuple[int, int], message: str) -> Finding:
    return Finding(errors.BAD_VALUE, message, path=path, line=place[0], col=place[1])
