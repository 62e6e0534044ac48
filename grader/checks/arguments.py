"""What a scenario passes to the student's code: generated tensors, saved values, sizes and literals.

Sizes are names from the check's ``dims``, integers, or arithmetic on them (``f*d``, ``n+1``,
``(h//2)``). A tensor's ``low``/``high`` may name a size too, so that ids stay inside a vocabulary
drawn per trial (``{tensor: [b, t], dtype: int64, high: vocab}``).
"""
from __future__ import annotations

import ast
import operator
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Tag, model_validator

from grader.sandbox.protocol import DTypeName, InputSpec

INTEGER_DTYPES = ("uint8", "int8", "int16", "int32", "int64")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv}


def _size_tree(expr: str) -> ast.expr:
    """The parsed size expression; ValueError with the allowed forms when it is anything else."""
    try:
        tree = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        tree = None
    for node in ast.walk(tree) if tree is not None else [None]:
        allowed = isinstance(node, (ast.Name, ast.BinOp, ast.Load, *_OPERATORS)) or (
            isinstance(node, ast.Constant) and type(node.value) is int)
        if not allowed:
            raise ValueError(f"size {expr!r} is not a name from `dims`, an integer, or arithmetic on them "
                             "with + - * // (e.g. `f*d` or `n+1`)")
    return tree


def size_names(expr: int | float | str) -> set[str]:
    """The ``dims`` names a size (or a bound) uses; none for a number."""
    if not isinstance(expr, str):
        return set()
    return {n.id for n in ast.walk(_size_tree(expr)) if isinstance(n, ast.Name)}


def eval_size(expr: int | float | str, sizes: dict[str, int]) -> int | float:
    """The value of a size or bound in one trial: a number as is, an expression on the drawn sizes."""
    if not isinstance(expr, str):
        return expr

    def value(node: ast.expr) -> int:
        if isinstance(node, ast.Name):
            return sizes[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        return _OPERATORS[type(node.op)](value(node.left), value(node.right))

    return value(_size_tree(expr))


Bound = Union[float, str]


def _article(dtype: str) -> str:
    return "an" if dtype.startswith("int") else "a"


class TensorArg(BaseModel):
    """A generated tensor: ``{tensor: [d1, 3, f*d]}``, its sizes drawn from the check's ``dims``.

    Floating dtypes default to ``normal`` (times ``scale``); ``uniform`` draws from ``[low, high)``.
    Integer dtypes draw ``randint`` from ``[low, high)`` (``low`` defaults to 0, ``high`` is required;
    either may be a size such as ``vocab``), which is how index tensors are made. ``bool`` is a
    fair coin per element.
    """

    model_config = ConfigDict(extra="forbid")
    tensor: list[int | str]
    dtype: DTypeName = "float32"
    distribution: Literal["normal", "uniform", "randint"] | None = None
    low: Bound | None = None
    high: Bound | None = None
    scale: float = 1.0

    @model_validator(mode="after")
    def _coherent(self) -> "TensorArg":
        for size in self.tensor:
            if isinstance(size, int) and size < 0:
                raise ValueError(f"size {size} is negative")
            size_names(size)
        for bound in (self.low, self.high):
            size_names(bound if bound is not None else 0)
        integer = self.dtype in INTEGER_DTYPES
        if integer and self.distribution in ("normal", "uniform"):
            raise ValueError(f"{_article(self.dtype)} {self.dtype} tensor cannot be drawn from a {self.distribution} "
                             "distribution (the values would be cut to integers, negative ones included) — use "
                             "`distribution: randint` with `low:` and `high:`, e.g. `high: vocab` for ids into a "
                             "table of vocab rows")
        if integer and self.high is None:
            raise ValueError(f"{_article(self.dtype)} {self.dtype} tensor draws integers from [low, high) — add "
                             "`high:` (a number or a size from `dims`, e.g. `high: vocab`)")
        if self.dtype == "bool" and (self.distribution or self.low is not None or self.high is not None):
            raise ValueError("a bool tensor is a fair coin per element; remove `distribution`, `low` and `high`")
        if self.distribution in (None, "normal") and not integer and (self.low is not None or self.high is not None):
            raise ValueError("`low`/`high` bound a uniform or randint tensor — add `distribution: uniform` "
                             "(or `randint`), or use `scale:` for a normal one")
        return self

    def names(self) -> set[str]:
        """Every ``dims`` name the tensor's sizes and bounds use."""
        found: set[str] = set()
        for part in [*self.tensor, self.low, self.high]:
            found |= size_names(part) if part is not None else set()
        return found

    def input_spec(self, sizes: dict[str, int], requires_grad: bool = False) -> InputSpec:
        """The concrete tensor of one trial."""
        shape = [int(eval_size(s, sizes)) for s in self.tensor]
        integer = self.dtype in INTEGER_DTYPES
        distribution = self.distribution or ("randint" if integer or self.dtype == "bool" else "normal")
        low = eval_size(self.low if self.low is not None else 0, sizes)
        high = eval_size(self.high if self.high is not None else (2 if self.dtype == "bool" else 1), sizes)
        if distribution == "randint" and int(high) <= int(low):
            raise ValueError(f"tensor of {self.dtype}: high ({high}) must exceed low ({low}) in every trial")
        return InputSpec(shape=shape, dtype=self.dtype, distribution=distribution, low=low, high=high,
                         scale=self.scale, requires_grad=requires_grad)


class VarArg(BaseModel):
    """The value saved earlier in the scenario under this name: ``{var: loss}``."""

    model_config = ConfigDict(extra="forbid")
    var: str


class DimArg(BaseModel):
    """The size drawn for a dimension in this trial, as a plain int: ``{dim: d}`` (or ``{dim: f*d}``)."""

    model_config = ConfigDict(extra="forbid")
    dim: str

    @model_validator(mode="after")
    def _parses(self) -> "DimArg":
        size_names(self.dim)
        return self


def _literal(value: Any) -> Any:
    plain = (bool, int, float, str, type(None))
    if isinstance(value, plain) or (isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)):
        return value
    raise ValueError("an argument is a number, a string, true/false, null, a list of numbers, or one of "
                     "{tensor: [...]}, {var: name}, {dim: name}")


ARG_FORMS = {"tensor": TensorArg, "var": VarArg, "dim": DimArg}


def _form(value: Any) -> str | None:
    """Which form an argument takes, from its one telling key (so errors speak of that form only)."""
    if isinstance(value, dict):
        return next((key for key in ARG_FORMS if key in value), None)
    for key, model in ARG_FORMS.items():
        if isinstance(value, model):
            return key
    return "literal"


Arg = Annotated[Union[Annotated[TensorArg, Tag("tensor")], Annotated[VarArg, Tag("var")],
                      Annotated[DimArg, Tag("dim")], Annotated[Any, AfterValidator(_literal), Tag("literal")]],
                Discriminator(_form, custom_error_type="argument_form",
                              custom_error_message="a mapping argument needs one of `tensor:`, `var:` or `dim:`")]
"""One argument in a rubric: a generated tensor, a saved value, a drawn size, or a literal."""


def arg_names(arg: Any) -> set[str]:
    """The ``dims`` names an argument uses."""
    if isinstance(arg, TensorArg):
        return arg.names()
    if isinstance(arg, DimArg):
        return size_names(arg.dim)
    return set()
