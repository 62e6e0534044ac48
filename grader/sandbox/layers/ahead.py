"""Layers a spare child applies before its request comes: those every request gets alike.

A spare waits for its request anyway (as root, in the fork server). What does not depend on the
request it applies while it waits: a mount namespace of its own with every mount private, new
network and IPC namespaces, and the Landlock ruleset of the read-only system and Python paths
(not yet enforced). The request's own confinement (``confine``) then only adds what the request
decides: the tmpfs and its limits, the working copy, the Landlock rules of its folders and the
enforcement, the resource limits, the capabilities, seccomp. A request that switches the network
or IPC namespace off is never handed to such a spare: the fork server forks a child for it. A layer
that could not be applied here is applied, or reported missing with its reason, by ``confine``.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.sandbox.layers import landlock
from grader.sandbox.layers.kernel import CLONE_NEWIPC, CLONE_NEWNET, make_mounts_private, unshare

NAMESPACE_LAYERS = ("network-namespace", "ipc-namespace")  # a request switching one off needs another child


@dataclass
class Applied:
    """What this process applied before its request."""

    mount_namespace: bool = False
    network_namespace: bool = False
    ipc_namespace: bool = False
    ruleset: landlock.Ruleset | None = None

    def take_ruleset(self) -> landlock.Ruleset | None:
        """The prepared Landlock ruleset, once (its owner enforces or closes it)."""
        ruleset, self.ruleset = self.ruleset, None
        return ruleset


applied = Applied()


def apply(read_only: list[str]) -> None:
    """Apply the request-independent layers (see the module's docstring) to this process, each where the
    kernel allows it; a refusal is left for the request's confinement to meet and report."""
    applied.mount_namespace = _done(make_mounts_private)
    applied.network_namespace = _done(lambda: unshare(CLONE_NEWNET))
    applied.ipc_namespace = _done(lambda: unshare(CLONE_NEWIPC))
    try:
        applied.ruleset = landlock.prepare(read_only)
    except OSError:
        applied.ruleset = None


def _done(action) -> bool:
    try:
        action()
    except OSError:
        return False
    return True
