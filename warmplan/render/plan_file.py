"""A plan written back as warmplan YAML (``warmplan convert``): the native plan a
recipe amounts to, headed by comments naming the file, the facts and the derivation."""

from __future__ import annotations

from typing import Any

from warmplan import __version__
from warmplan.formats import TITLES
from warmplan.formats.draft import FACT_FLAGS


def plan_yaml(plan: Any) -> str:
    """The YAML text of ``plan``'s data; floats as repr, so it reads back bit for bit."""
    import yaml

    source = plan.source
    header = [f"# warmplan {__version__} convert: from {source.path or 'a mapping'}"]
    header[0] += f" ({TITLES.get(source.format, source.format)})"
    if source.facts:
        facts = " ".join(f"{FACT_FLAGS[k]} {v}" for k, v in source.facts.items())
        header.append(f"# run-time facts used: {facts}")
    if source.notes:
        header.append("# how the numbers were derived:")
        header += [f"#   {note}" for note in source.notes]
    header += [
        f"# {finding.severity}: {finding.message} [{finding.code}]" for finding in source.findings
    ]
    body = yaml.safe_dump(_plain(source.data), sort_keys=False, allow_unicode=False, width=100)
    return "\n".join(header) + "\n" + body


def _plain(value: Any) -> Any:
    """Data with only the types safe_dump writes as plain YAML (bools, numbers, text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
