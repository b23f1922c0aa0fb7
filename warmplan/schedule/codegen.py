"""`warmplan code`: the plan's schedule as a self-contained PyTorch snippet.

The snippet is written from the very scheduler objects the preview steps (built by
:func:`warmplan.schedule.build.build_schedule`), read back class by class, so it cannot
drift from the preview. Only plain torch classes appear: ``WarmupWrapper`` becomes a
``LambdaLR`` over the same curve chained by ``SequentialLR``, and every custom factor is
copied in as a module-level function.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

from warmplan.config.models import Plan

_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}

#: torch class -> the constructor arguments it keeps as attributes of the same name
_ATTRIBUTES = {
    "ConstantLR": ("factor", "total_iters"),
    "LinearLR": ("start_factor", "end_factor", "total_iters"),
    "CosineAnnealingLR": ("T_max", "eta_min"),
    "StepLR": ("step_size", "gamma"),
    "ExponentialLR": ("gamma",),
    "PolynomialLR": ("total_iters", "power"),
    "CosineAnnealingWarmRestarts": ("T_0", "T_mult", "eta_min"),
}


class _Writer:
    """Turns scheduler objects into lines of code, collecting what they need."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.lines: list[str] = []
        self.classes: set[str] = set()
        self.functions: dict[str, Any] = {}
        self.count = 0
        self.partials = False
        self.modules: set[str] = set()
        #: module-level values the copied functions read (timm's table of shapes)
        self.constants: dict[str, str] = {}

    def name(self) -> str:
        self.count += 1
        return "scheduler" if self.count == 1 else f"part{self.count - 1}"

    def assign(self, cls: str, arguments: list[str]) -> str:
        self.classes.add(cls)
        name = self.name()
        line = f"{name} = {cls}(optimizer, {', '.join(arguments)})"
        if len(line) > 96:  # one argument a line, as a formatter would
            inner = "".join(f"\n    {a}," for a in ["optimizer", *arguments])
            line = f"{name} = {cls}({inner}\n)"
        self.lines.extend(line.split("\n"))
        return name

    def value(self, value: Any) -> str:
        if isinstance(value, functools.partial):
            self.partials = True
            self.function(value.func)
            bound = [self.value(a) for a in value.args]
            bound += [f"{k}={self.value(v)}" for k, v in value.keywords.items()]
            return f"functools.partial({value.func.__name__}, {', '.join(bound)})"
        if inspect.isfunction(value):
            self.function(value)
            return value.__name__
        if isinstance(value, dict):
            return (
                "{" + ", ".join(f"{self.value(k)}: {self.value(v)}" for k, v in value.items()) + "}"
            )
        if isinstance(value, list):
            items = [self.value(v) for v in value]
            flat = "[" + ", ".join(items) + "]"
            return (
                flat
                if len(flat) < 80
                else "[" + "".join(f"\n        {i}," for i in items) + "\n    ]"
            )
        if isinstance(value, str):
            return '"' + value + '"'  # the kinds' names: no quotes nor escapes inside
        if value is not None and not isinstance(value, (bool, int, float, tuple)):
            # a replay with state (mmengine's chained schedulers) is not a plain function
            from warmplan.errors import ConfigError, Finding

            kind = type(value).__name__
            preset = self.plan.preset
            what = f"the {preset.framework} preset" if preset else "this schedule"
            message = (
                f"warmplan code cannot write {what} as plain PyTorch (it replays its "
                f"framework's schedulers: a {kind}, not a function); `warmplan convert` "
                "writes the plan, and `warmplan.build_scheduler` builds it"
            )
            source = self.plan.source
            found = source.finding("WP114", ("preset",), message) if source else None
            raise ConfigError([found or Finding("WP114", message)])
        return repr(value)

    def argument(self, name: str, value: Any) -> str:
        """A scheduler argument; a floor from ``min_lr_ratio`` as the product the plan
        means (``0.1 * 0.0003``, not ``2.9999999999999997e-05``) when that product is
        the very same float."""
        ratio = getattr(self.plan.decay, "min_lr_ratio", None)
        targets = set(self.plan.target_lrs)
        if name == "eta_min" and ratio is not None and len(targets) == 1:
            target = targets.pop()
            if ratio * target == value:
                return f"{ratio!r} * {target!r}"
        return self.value(value)

    def function(self, function: Any) -> None:
        """Copy ``function`` in, with the module-level functions, modules and values
        it reads (a factor's helpers), so the snippet runs without warmplan."""
        if self.functions.get(function.__name__) is function:
            return
        self.functions[function.__name__] = function
        for name in sorted(_global_names(function.__code__)):
            if name not in function.__globals__:
                continue  # a builtin
            value = function.__globals__[name]
            if inspect.ismodule(value):
                self.modules.add(value.__name__)
            elif inspect.isfunction(value):
                self.function(value)
            elif name not in self.constants:
                self.constants[name] = self.value(value)

    def scheduler(self, scheduler: Any) -> str:
        cls = type(scheduler).__name__
        if cls in _ATTRIBUTES:
            args = [f"{a}={self.argument(a, getattr(scheduler, a))}" for a in _ATTRIBUTES[cls]]
            return self.assign(cls, args)
        return getattr(self, "_" + cls)(scheduler)

    def _MultiStepLR(self, scheduler: Any) -> str:
        milestones = sorted(scheduler.milestones.elements())
        return self.assign(
            "MultiStepLR", [f"milestones={milestones}", f"gamma={scheduler.gamma!r}"]
        )

    def _LambdaLR(self, scheduler: Any) -> str:
        lambdas = scheduler.lr_lambdas
        shared = all(fn is lambdas[0] for fn in lambdas)
        return self.assign("LambdaLR", [self.value(lambdas[0] if shared else list(lambdas))])

    def _SequentialLR(self, scheduler: Any) -> str:
        name = self.name()
        parts = [self.scheduler(s) for s in scheduler._schedulers]
        return self._sequential(name, parts, list(scheduler._milestones))

    def _sequential(self, name: str, parts: list[str], milestones: list[int]) -> str:
        """``name = SequentialLR(...)`` chaining the already-written ``parts``."""
        self.classes.add("SequentialLR")
        self.lines.append(
            f"{name} = SequentialLR(optimizer, schedulers=[{', '.join(parts)}], "
            f"milestones={milestones})"
        )
        return name

    def _WarmupWrapper(self, wrapper: Any) -> str:
        from warmplan.schedule.factors import warmup_factor

        factor = functools.partial(
            warmup_factor,
            length=wrapper.warmup_length,
            start=wrapper.start_factor,
            curve=wrapper.curve,
        )
        if wrapper.scheduler is None:
            return self.assign("LambdaLR", [self.value(factor)])
        name = self.name()
        warm = self.assign("LambdaLR", [self.value(factor)])
        decay = self.scheduler(wrapper.scheduler)
        return self._sequential(name, [warm, decay], [wrapper.warmup_length])

    def _OneCycleLR(self, scheduler: Any) -> str:
        decay, targets = self.plan.decay, self.plan.target_lrs
        max_lr = targets if self.plan.optimizer.groups else targets[0]
        keys = ("pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase")
        args = [f"max_lr={max_lr!r}", f"total_steps={scheduler.total_steps}"]
        args += [f"{k}={getattr(decay, k)!r}" for k in keys]
        return self.assign("OneCycleLR", args)


def _global_names(code: Any) -> set[str]:
    """The global names a function's code (nested functions included) reads."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if inspect.iscode(constant):
            names |= _global_names(constant)
    return names


def snippet(plan: Plan, head: int | None = None) -> str:
    """Runnable Python source that builds ``plan``'s schedule and prints its LRs."""
    from warmplan.schedule.build import build_schedule
    from warmplan.schedule.simulate import dummy_optimizer

    optimizer = dummy_optimizer(plan.target_lrs)
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # `show` reports torch's warnings
        scheduler = build_schedule(optimizer, plan)
    writer = _Writer(plan)
    writer.scheduler(scheduler)
    return _assemble(plan, writer, head)


def _optimizer_lines(plan: Plan) -> list[str]:
    params = "[torch.nn.Parameter(torch.zeros(1))]"
    groups = [f'    {{"params": {params}, "lr": {lr!r}}},' for lr in plan.target_lrs]
    # the plan's own optimizer arguments (weight_decay, eps, momentum, ...), as torch takes them
    options = ", ".join(f"{name}={value!r}" for name, value in plan.optimizer.torch_kwargs.items())
    kind = _OPTIMIZERS[plan.optimizer.kind]
    names = ", ".join(plan.group_names)
    comment = f"one param group per target LR ({names})" if len(groups) > 1 else "a param group"
    return [
        f"    # {comment}: use your model's parameters",
        "    groups = [",
        *["    " + g for g in groups],
        "    ]",
        f"    optimizer = torch.optim.{kind}(groups, {options})",
    ]


def _in_docstring(text: str) -> str:
    """The user's text inside the script's docstring, backslashes and double quotes
    escaped: a plan name holding three double quotes or a backslash broke the script."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _assemble(plan: Plan, writer: _Writer, head: int | None) -> str:
    interval = plan.interval
    loop = plan.intervals if head is None else min(head, plan.intervals)
    functions = [inspect.getsource(f).strip() for f in writer.functions.values()]
    # copied functions keep their annotations unevaluated, as in their modules
    imports = ["from __future__ import annotations", ""] if functions else []
    modules = writer.modules | ({"functools"} if writer.partials else set())
    imports += [f"import {module}" for module in sorted(modules)]
    imports += [""] if modules else []
    imports += [
        "import torch",
        f"from torch.optim.lr_scheduler import {', '.join(sorted(writer.classes))}",
    ]
    docstring = [
        f'"""{_in_docstring(plan.label)}: the LR schedule `warmplan code` built, in plain PyTorch.',
        "",
        f"Call scheduler.step() once per {interval}, after optimizer.step().",
        '"""',
    ]
    build = [
        f"INTERVALS = {plan.intervals}  # scheduler steps over the whole training",
        "",
        "",
        "def build_scheduler(optimizer):",
        *["    " + line for line in writer.lines],
        "    return scheduler",
    ]
    main = [
        'if __name__ == "__main__":',
        *_optimizer_lines(plan),
        "    scheduler = build_scheduler(optimizer)",
        f"    for t in range({'INTERVALS' if loop == plan.intervals else loop}):",
        '        print(t, *[repr(group["lr"]) for group in optimizer.param_groups])',
        f"        optimizer.step()  # one {interval} of training",
        "        scheduler.step()",
    ]
    constants = [f"{name} = {value}" for name, value in writer.constants.items()]
    sections = ["\n".join(docstring) + "\n\n" + "\n".join(imports), *functions]
    sections += ["\n".join(constants)] if constants else []
    sections += ["\n".join(build), "\n".join(main)]
    text = "\n\n\n".join(sections)
    if not functions:  # a constant right after the imports: one blank line
        text = text.replace("\n\n\nINTERVALS", "\n\nINTERVALS")
    return text + "\n"
