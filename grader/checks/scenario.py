"""The rubric's way to say what to run: construct an object, set attributes, call, with generated tensors.

Shared by the value, gradient, step and trace kinds. ``build_probe`` turns a scenario and a
trial number into a concrete, seeded Probe.
"""
from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.checks.arguments import Arg, DimArg, TensorArg, VarArg, arg_names, eval_size
from grader.checks.base import CheckSpec, DriverName, PlanContext, driver_steps
from grader.inputs import derive_seed
from grader.sandbox.protocol import InputSpec, Probe, Step


class ObjectSpec(BaseModel):
    """``{class: MLP, args: [8, 4, 0.03]}``: the object whose methods the scenario calls."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    class_name: str = Field(alias="class")
    args: list[Arg] = Field(default_factory=list)
    kwargs: dict[str, Arg] = Field(default_factory=dict)


class CallSpec(BaseModel):
    """One call made before the call under test; ``save`` names its result."""

    model_config = ConfigDict(extra="forbid")
    call: str
    args: list[Arg] = Field(default_factory=list)
    kwargs: dict[str, Arg] = Field(default_factory=dict)
    save: str | None = None


class ScenarioSpec(CheckSpec):
    """Check fields that describe what to run in the student's module.

    With ``driver:``, grader code (``sandbox/drivers.py``) is called with the student's function
    named by ``call:`` (or, without ``call:``, the student's module) and ``driver_args``: e.g. a
    training function run on a fixed data set.
    """

    object: ObjectSpec | None = None
    attributes: dict[str, Arg] = Field(default_factory=dict)
    setup: list[CallSpec] = Field(default_factory=list)
    call: str | None = None
    args: list[Arg] = Field(default_factory=list)
    kwargs: dict[str, Arg] = Field(default_factory=dict)
    dims: dict[str, list[int]] = Field(default_factory=dict)
    trials: int = Field(1, ge=1, le=50)
    timeout: float | None = Field(None, gt=0)
    driver: DriverName | None = None
    driver_args: dict[str, float | int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dims_known(self) -> "ScenarioSpec":
        for arg in _all_args(self):
            for dim in sorted(arg_names(arg) - set(self.dims)):
                what = "tensor dimension" if isinstance(arg, TensorArg) else "dimension"
                raise ValueError(f"{what} {dim!r} is not in `dims`; add `dims: {{{dim}: [1, 3, 5]}}`")
        for name, sizes in self.dims.items():
            if not sizes or min(sizes) < 0:
                raise ValueError(f"dims.{name} must be a non-empty list of sizes >= 0")
        return self


def _all_args(spec: ScenarioSpec) -> list[Any]:
    args = list(spec.args) + list(spec.kwargs.values()) + list(spec.attributes.values())
    if spec.object:
        args += list(spec.object.args) + list(spec.object.kwargs.values())
    for call in spec.setup:
        args += list(call.args) + list(call.kwargs.values())
    return args


class _Builder:
    def __init__(self, sizes: dict[str, int], grad_attributes: set[str]) -> None:
        self.sizes, self.grad_attributes = sizes, grad_attributes
        self.inputs: dict[str, InputSpec] = {}

    def arg(self, arg: Arg, name: str) -> Any:
        if isinstance(arg, TensorArg):
            grad = name.startswith("attr.") and name[5:] in self.grad_attributes
            self.inputs[name] = arg.input_spec(self.sizes, requires_grad=grad)
            return {"input": name}
        if isinstance(arg, VarArg):
            return {"var": arg.var}
        if isinstance(arg, DimArg):
            return int(eval_size(arg.dim, self.sizes))
        return arg

    def call(self, target: str, args: list[Arg], kwargs: dict[str, Arg], prefix: str) -> Step:
        return Step(call=target, args=[self.arg(a, f"{prefix}.arg{i}") for i, a in enumerate(args)],
                    kwargs={k: self.arg(v, f"{prefix}.{k}") for k, v in kwargs.items()})


def trial_sizes(spec: ScenarioSpec, seed: int) -> dict[str, int]:
    """The dimension sizes of one trial, drawn from ``dims`` with the trial's seed."""
    rng = random.Random(seed)
    return {name: rng.choice(sizes) for name, sizes in sorted(spec.dims.items())}


def probe_id(spec: ScenarioSpec, trial: int) -> str:
    """The id of one trial's probe."""
    return f"{spec.id}.t{trial}"


def build_probe(spec: ScenarioSpec, trial: int, ctx: PlanContext, *, observe: list[str] = (),
                trace: bool = False, grad_attributes: set[str] = frozenset(), extra: list[Step] = ()) -> Probe:
    """The probe for one trial: construct, set attributes, run setup calls, make the call, observe."""
    seed = derive_seed(ctx.seed, ctx.question, spec.id, trial)
    builder = _Builder(trial_sizes(spec, seed), set(grad_attributes))
    steps: list[Step] = []
    owner = ""
    if spec.object:
        step = builder.call(spec.object.class_name, spec.object.args, spec.object.kwargs, "object")
        steps.append(step.model_copy(update={"save": "obj", "trace": trace}))
        owner = "obj."
    for attr, value in spec.attributes.items():
        steps.append(Step(set=f"{owner}{attr}" if owner else attr, value=builder.arg(value, f"attr.{attr}")))
    for i, call in enumerate(spec.setup):
        step = builder.call(owner + call.call, call.args, call.kwargs, f"setup{i}")
        steps.append(step.model_copy(update={"save": call.save, "trace": trace}))
    if spec.driver:
        steps += driver_steps(spec.driver, spec.driver_args, seed, function=owner + spec.call if spec.call else None,
                              save="result", observe="result", trace=trace)
    elif spec.call:
        step = builder.call(owner + spec.call, spec.args, spec.kwargs, "call")
        steps.append(step.model_copy(update={"save": "result", "observe": "result", "trace": trace}))
    for name in observe:
        steps.append(Step(read=owner + name, observe=name))
    steps.extend(extra)
    return Probe(id=probe_id(spec, trial), steps=steps, inputs=builder.inputs, seed=seed,
                 timeout=spec.timeout or ctx.timeout)


def describe_sizes(spec: ScenarioSpec, trial: int, ctx: PlanContext) -> str:
    """``d1=1, d2=5`` for a trial (empty when the check has no dims)."""
    sizes = trial_sizes(spec, derive_seed(ctx.seed, ctx.question, spec.id, trial))
    return ", ".join(f"{k}={v}" for k, v in sizes.items())
