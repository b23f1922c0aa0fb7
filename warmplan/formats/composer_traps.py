"""The traps of Composer / llm-foundry configs (WP170-WP171), found by
:mod:`warmplan.formats.composer` while it reads the file (the findings point at its
keys); registered in :mod:`warmplan.lint.rules.formats` so ``--ignore`` knows them."""

from __future__ import annotations

WARMUP_TRUNCATED_TO_ZERO = "WP170"  # t_warmup: 0.001dur of 500ba -> int(0.5) = 0: none
ALPHA_F_DEFAULT_ZERO = "WP171"  # alpha_f left out: Composer's default 0.0 decays to LR 0

TITLES = {
    WARMUP_TRUNCATED_TO_ZERO: "Composer t_warmup that truncates to 0: no warm-up at all",
    ALPHA_F_DEFAULT_ZERO: "Composer alpha_f left at its default 0.0: the decay ends at LR 0",
}
