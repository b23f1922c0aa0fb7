"""The traps of other tools' configs (WP120-WP127, WP130-WP134, WP140-WP143, WP150-WP158,
WP160-WP168, WP170-WP181), found by the readers in :mod:`warmplan.formats`
while they read the original file (the findings point at its keys); registered here so
`check --ignore` and a plan's ``ignore:`` know the codes."""

from __future__ import annotations

from warmplan.formats import composer_traps, megatron_traps, olmo_traps
from warmplan.formats.classpath_keys import TITLES as CLASSPATH_TITLES
from warmplan.formats.keys import TITLES
from warmplan.formats.pytraps import TITLES as PYTHON_TITLES
from warmplan.lint.registry import rule


def _found_while_reading(plan, trace):  # type: ignore[no-untyped-def]
    return ()


for _code, _title in {
    **TITLES,
    **CLASSPATH_TITLES,
    **PYTHON_TITLES,
    **megatron_traps.TITLES,
    **composer_traps.TITLES,
    **olmo_traps.TITLES,
}.items():
    rule(_code, "warning", _title)(_found_while_reading)
