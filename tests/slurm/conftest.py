"""Fixtures of the ``slurm`` group: a real single-node cluster, with or without accounting."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slurm.cluster import SlurmCluster, missing_reason
from tests.slurm.course import local_marks


def _cluster(accounting: bool) -> Iterator[SlurmCluster]:
    if reason := missing_reason():
        pytest.skip(reason)
    cluster = SlurmCluster(accounting=accounting).start()
    patch = pytest.MonkeyPatch()
    patch.setenv("SLURM_CONF", str(cluster.conf))  # sbatch, squeue and sacct run by the grader find it
    try:
        yield cluster
    finally:
        patch.undo()
        cluster.stop()


@pytest.fixture(scope="module")
def slurm() -> Iterator[SlurmCluster]:
    """A cluster with accounting (slurmdbd on mariadb, so sacct answers), for one test module."""
    yield from _cluster(accounting=True)


@pytest.fixture(scope="module")
def slurm_without_accounting() -> Iterator[SlurmCluster]:
    """A cluster without accounting: sacct has nothing to say, only squeue does."""
    yield from _cluster(accounting=False)


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """The course folder of the Slurm tests and each kind of student's result from a local batch."""
    if reason := missing_reason():
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("course")
    return root, local_marks(root)
