"""Validation of a plan across its keys, one module per block (each key alone already
passed pydantic). It finds plans that cannot be built at all; plans that build but are
probably not what was meant are the business of :mod:`warmplan.lint`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan.config.validate.decay import decay_findings, decay_kind_findings
from warmplan.config.validate.optimizer import optimizer_findings
from warmplan.config.validate.preset import preset_findings
from warmplan.config.validate.training import training_findings
from warmplan.config.validate.warmup import warmup_findings
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import Source


def plan_findings(plan: Plan, source: Source) -> list[Finding]:
    found: list[Finding] = []
    found += optimizer_findings(plan, source)
    budget = training_findings(plan, source)
    if budget:  # the plan's lengths cannot be worked out: nothing more to check
        return found + budget
    found += warmup_findings(plan, source)
    if found:
        return found
    found += decay_findings(plan, source)
    found += decay_kind_findings(plan, source)
    if plan.preset is not None:
        found += preset_findings(plan, source)
    return found
