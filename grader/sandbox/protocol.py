"""What the parent asks a child to run: probes made of steps, with generated inputs.

A probe carries no expected value and no points; it only says what to run and what to send back.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DTypeName = Literal["float16", "bfloat16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


class InputSpec(BaseModel):
    """A tensor the child generates from the probe's seed (the parent can regenerate it).

    ``randint`` draws integers from ``[low, high)``; ``uniform`` floats from ``[low, high)``; ``normal``
    times ``scale``. The rubric's sizes and bounds are already numbers here.
    """

    model_config = ConfigDict(extra="forbid")
    shape: list[int]
    dtype: DTypeName = "float32"
    distribution: Literal["normal", "uniform", "randint"] = "normal"
    low: float = 0.0
    high: float = 1.0
    scale: float = 1.0
    requires_grad: bool = False


class Step(BaseModel):
    """One action inside the student's module.

    Exactly one of ``call``, ``set``, ``read``, ``grad`` or ``driver`` is given. Names are
    ``name`` (a module attribute or a saved variable) or ``var.attr``. Arguments are literals,
    ``{"input": name}`` or ``{"var": name}``.
    """

    model_config = ConfigDict(extra="forbid")
    call: str | None = None
    set: str | None = None
    read: str | None = None
    grad: str | None = None
    driver: str | None = None
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    value: Any = None
    wrt: list[Any] = Field(default_factory=list)
    save: str | None = None
    observe: str | None = None
    trace: bool = False

    @model_validator(mode="after")
    def _one_action(self) -> "Step":
        actions = [a for a in ("call", "set", "read", "grad", "driver") if getattr(self, a)]
        if len(actions) != 1:
            raise ValueError(f"a step needs exactly one action, got {actions or 'none'}")
        return self


class Probe(BaseModel):
    """A sequence of steps run in one fresh module namespace, with its own seed and timeout."""

    model_config = ConfigDict(extra="forbid")
    id: str
    steps: list[Step]
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    seed: int = 0
    timeout: float = 10.0
    losses: list[str] = Field(default_factory=list, description="loss functions (``torch.nn.functional.mse_loss``) "
                              "whose values while the file ran (imported, or run as a script) come back with it")


class ResourceLimits(BaseModel):
    """Resource limits of a child; a rubric may set them under ``limits:``."""

    model_config = ConfigDict(extra="forbid")
    memory_mb: int = Field(4096, gt=0, description="memory of the child's cgroup, and address space beyond what the "
                                                   "interpreter already maps")
    disk_mb: int = Field(512, gt=0, description="size of the tmpfs holding the working copy")
    max_files: int = Field(10_000, gt=0, description="inodes of that tmpfs")
    max_processes: int = Field(64, gt=0, description="tasks (processes and threads) in the pids cgroup")
    file_size_mb: int = Field(256, gt=0, description="largest file the child may write")
    reply_mb: int = Field(256, gt=0, description="most bytes of observations one child may send back")


class SandboxSettings(ResourceLimits):
    """Limits of one child; ``disable`` switches layers off by name (for tests and odd machines)."""

    cpu_seconds: int | None = None
    open_files: int = Field(256, gt=0)
    disable: list[str] = Field(default_factory=list)
    cgroups: list[str] = Field(default_factory=list, description="groups a spawned child joins (set by the runner)")
    offline_root: str | None = Field(None, description="folder of offline data sets and weights (read-only)")


class ChildRequest(BaseModel):
    """Everything a child needs: which file to import, where, and which probes to run."""

    module_file: str
    source: str = Field(description="the folder to copy: the submission as handed in, or its staging copy")
    workdir: str = Field(description="where the child copies it on disk when the tmpfs layer is off or refused")
    box: str = Field(description="an empty folder the child mounts its tmpfs on, in its own mount namespace")
    probes: list[Probe]
    device: str = "cpu"
    import_timeout: float = 20.0
    seed: int = 0
    keep_whole: bool = Field(False, description="send values of any size (the reference's side, never a student's)")
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
