"""Applying the sandbox layers to a child, strongest available first, before any student code runs.

Order: the pids and memory cgroups (joined, or checked when the fork server put the child in them
beforehand); a private mount namespace with a size- and inode-limited tmpfs holding the working
copy (``working_copy``) and the cgroup tree hidden; network and IPC namespaces; a PID namespace
whose init runs the student's code (when it ends, the kernel kills everything it left behind); resource limits;
every capability dropped; Landlock; seccomp. A layer that cannot be applied is recorded as
missing, with the reason, and the rest still apply, with one exception: a submission that does
not fit in its tmpfs is refused, never run on the real disk instead. A spare child of the fork
server, as root, made its mount, network and IPC namespaces and its Landlock ruleset of the system
paths while it waited for its request (``ahead``): here only the rest is done.

The child keeps uid 0 without capabilities rather than switching to an unprivileged uid: the
Python installation often lives under a root-only home (``/root/.pyenv``) that another uid
cannot even traverse. Without capabilities it cannot mount, trace, load modules or override
permissions; Landlock limits what it reads and writes, the PID namespace and Landlock's signal
scope keep it from signalling the grader, and the pids cgroup stops fork bombs.

A grader that is not root builds the same namespaces inside an unprivileged user namespace
(``userns``) where the kernel allows one, and drops the capabilities it holds there. Its cgroups
need root; RLIMIT_NPROC stands in for the pids cgroup only where the kernel counts it per user
namespace (Linux 5.14+): outside one, every process of the user counts against the limit, so the
user's other programs could make the child's fork or thread fail, and it is not set.
"""
from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal
import struct
import sys
import sysconfig
from pathlib import Path

from grader.sandbox.layers import ahead, cgroups, landlock, seccomp, userns
from grader.sandbox.layers.kernel import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID, MS_NODEV, MS_NOEXEC, MS_NOSUID,
                                         MS_RDONLY, libc, make_mounts_private, mount, unshare)
from grader.sandbox.layers.working_copy import CopyFailed, copy_submission, open_source
from grader.sandbox.protocol import ChildRequest, SandboxSettings

PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 47, 4
CAPABILITY_VERSION_3 = 0x20080522
LAYERS = ("pids-cgroup", "memory-cgroup", "tmpfs-quota", "network-namespace", "ipc-namespace", "pid-namespace",
          "rlimits", "no-capabilities", "landlock", "seccomp")
CGROUP_TREE = "/sys/fs/cgroup"
# Of /etc only what the C library, Python, numpy and matplotlib read: never shadow, ssh keys or the like.
ETC_READ_ONLY = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
                 "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf",
                 "/etc/mime.types", "/etc/fonts", "/etc/alternatives", "/etc/ssl/certs", "/etc/ca-certificates",
                 "/etc/os-release", "/etc/matplotlibrc", "/etc/xdg"]
SYSTEM_READ_ONLY = ["/usr", "/lib", "/lib64", "/bin", *ETC_READ_ONLY, "/dev/urandom", "/dev/random", "/dev/zero",
                    "/proc/cpuinfo", "/proc/meminfo", "/sys/devices/system/cpu"]


class Refused(Exception):
    """The submission cannot be run with its layers (it does not fit in its tmpfs)."""


class Confinement:
    """What was applied: active layer names, missing layers with reasons, the working directory,
    and why the submission was refused, if it was."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.active: list[str] = []
        self.missing: list[str] = []
        self.refused: str = ""

    def attempt(self, name: str, settings: SandboxSettings, action) -> bool:
        """Run ``action``; record ``name`` as active, or as missing with the reason."""
        if name in settings.disable:
            self.missing.append(f"{name} (switched off)")
            return False
        try:
            result = action()
        except (OSError, ValueError, AttributeError) as exc:
            self.missing.append(f"{name} ({exc})")
            return False
        self.active.extend(result if isinstance(result, list) else [name])
        return True


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (and check it is still there)."""
    parent = os.getppid()
    prctl = getattr(libc(), "prctl", None)  # Linux only; elsewhere the process group still applies
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(71)


def _private_tmpfs(request: ChildRequest, conf: Confinement, source_fd: int) -> None:
    """A private mount namespace with a size- and inode-limited tmpfs on the request's ``box``, holding the
    working copy."""
    s = request.sandbox
    if not ahead.applied.mount_namespace:
        make_mounts_private()
    os.makedirs(request.box, exist_ok=True)
    mount("grader-box", request.box, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={s.disk_mb}m,nr_inodes={s.max_files},mode=0700")
    work = os.path.join(request.box, "work")
    try:
        copy_submission(source_fd, work)
    except CopyFailed as exc:
        raise Refused(f"the submission does not fit in the sandbox's disk of {s.disk_mb} MB and {s.max_files:,} "
                      f"files (limits: disk_mb, max_files): {exc}") from None
    if os.path.isdir(CGROUP_TREE):  # the child's own limits are out of its reach, whatever else is off
        mount("grader-hidden", CGROUP_TREE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k")
    conf.workdir = work


def _pid_namespace() -> None:
    """Make sure this process is PID 1 of its own PID namespace.

    A child forked by the fork server is born so. Otherwise fork once: the parent waits and
    mirrors the init's end; the child returns as PID 1. The grader finds the init through the
    kernel (its cgroups, or the children of the process it started), never through a message.
    """
    if os.getpid() == 1:
        return
    unshare(CLONE_NEWPID)
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_w)
        libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.read(ready_r, 1)
        os.close(ready_r)
        return
    os.close(ready_r)
    os.close(ready_w)
    userns.mirror(pid)


def _rlimits(request: ChildRequest, nproc: bool) -> list[str]:
    """The resource limits; RLIMIT_NPROC only where ``nproc`` says it counts the child's own processes alone."""
    s = request.sandbox
    mib = 1024 * 1024
    limits = [(resource.RLIMIT_CPU, s.cpu_seconds), (resource.RLIMIT_FSIZE, s.file_size_mb * mib),
              (resource.RLIMIT_NOFILE, s.open_files), (resource.RLIMIT_CORE, 0),
              (resource.RLIMIT_NPROC, s.max_processes if nproc else None)]
    if not request.device.startswith("cuda"):
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) for line in f if line.startswith("VmSize:"))
        limits.append((resource.RLIMIT_AS, vm * 1024 + s.memory_mb * mib))
    for which, value in limits:
        if value is not None:
            resource.setrlimit(which, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return ["rlimits"]


def _cgroups(request: ChildRequest) -> list[str]:
    """Join the groups the runner made, or keep those the fork server put this child in beforehand."""
    if request.sandbox.cgroups:
        cgroups.join(request.sandbox.cgroups)
    joined = cgroups.layers_joined()
    if not joined:
        raise OSError("no pids or memory cgroup could be created on this machine")
    return joined


def _drop_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable capability sets."""
    c = libc()
    for cap in range(64):
        c.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    c.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = struct.pack("Ii", CAPABILITY_VERSION_3, 0)
    data = bytes(24)
    if c.capset(ctypes.create_string_buffer(header, 8), ctypes.create_string_buffer(data, 24)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"capset: {os.strerror(errno)}")


@functools.lru_cache(maxsize=1)
def _read_only_paths() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"],
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(__file__).resolve().parents[2]), str(Path(sys.executable).resolve().parent.parent)}
    paths |= {p for p in sys.path if p and "site-packages" in p}
    return sorted(paths) + SYSTEM_READ_ONLY


def apply_ahead() -> None:
    """In a spare child waiting for its request, as root: the layers every request gets alike (``ahead``)."""
    ahead.apply(_read_only_paths())


def warm_up() -> None:
    """Compute what every child needs once, in the fork server, before any fork.

    Seeding here runs no torch op and does not initialise CUDA; it only pays numpy's one-off
    cost of creating its global generator.
    """
    import random

    import numpy as np
    import torch

    libc()
    _read_only_paths()
    landlock.abi_version()
    cgroups.parents()
    try:
        seccomp.program()
    except OSError:
        pass
    np.random.seed(0)
    random.seed(0)
    torch.default_generator.manual_seed(0)


def confine(request: ChildRequest) -> Confinement:
    """Apply every layer the request allows; returns what is active. Call before student code."""
    conf = Confinement(request.workdir)
    s = request.sandbox
    is_root = os.geteuid() == 0
    namespaced = is_root or (userns.wanted(s.disable) and userns.enter())
    if is_root:
        _cgroup_layers(conf, request)
    elif namespaced:
        conf.active.append("user-namespace")
        _unprivileged_cgroup_layers(conf, s)
    else:
        _without_namespaces(conf, s)
    try:
        _working_copy(conf, request, namespaced)
    except Refused as exc:
        conf.refused = str(exc)
        return conf
    if namespaced:
        for layer, flag, early in (("network-namespace", CLONE_NEWNET, ahead.applied.network_namespace),
                                   ("ipc-namespace", CLONE_NEWIPC, ahead.applied.ipc_namespace)):
            if early:  # applied while a spare (a request switching it off is given another child): reported as is
                conf.active.append(layer)
            else:
                conf.attempt(layer, s, lambda flag=flag: unshare(flag))
        conf.attempt("pid-namespace", s, _pid_namespace)
    nproc = is_root or (namespaced and userns.nproc_counts_only_the_namespace())
    conf.attempt("rlimits", s, lambda: _rlimits(request, nproc))
    if namespaced:
        conf.attempt("no-capabilities", s, _drop_capabilities)
    if not is_root and namespaced and "tmpfs-quota" not in conf.active and userns.restricted_by_apparmor():
        conf.missing.append("user-namespace capabilities (AppArmor takes them away: sysctl "
                            "kernel.apparmor_restrict_unprivileged_userns = 1)")
    offline = [s.offline_root] if s.offline_root else []
    ruleset = ahead.applied.take_ruleset()  # the system's read-only paths, allowed while this child was a spare
    try:
        conf.attempt("landlock", s, lambda: landlock.enforce(ruleset, offline, [conf.workdir, "/dev/null"]) if ruleset
                     else landlock.restrict(_read_only_paths() + offline, [conf.workdir, "/dev/null"]))
    finally:
        if ruleset:
            ruleset.close()  # switched off: the ruleset is not the student's to use
    conf.attempt("seccomp", s, seccomp.restrict)
    return conf


def _working_copy(conf: Confinement, request: ChildRequest, namespaced: bool) -> None:
    """Copy the submission into the tmpfs, or (that layer off or refused) into the grader's scratch folder on disk."""
    try:
        source_fd = open_source(request.source)
    except OSError as exc:
        raise Refused(f"the submission's folder could not be read ({exc.strerror}), so it was not run") from None
    try:
        in_tmpfs = namespaced and conf.attempt("tmpfs-quota", request.sandbox,
                                               lambda: _private_tmpfs(request, conf, source_fd))
        if in_tmpfs:
            return
        try:
            copy_submission(source_fd, request.workdir)
        except CopyFailed as exc:
            raise Refused(f"the submission could not be copied for the sandbox ({exc}), so it was not run") from None
    finally:
        os.close(source_fd)  # the student must not find a way back to the handed-in folder


def _cgroup_layers(conf: Confinement, request: ChildRequest) -> None:
    """Report each cgroup layer: active, switched off, or missing with the reason."""
    wanted = [layer for layer in ("pids-cgroup", "memory-cgroup") if layer not in request.sandbox.disable]
    conf.missing += [f"{layer} (switched off)" for layer in ("pids-cgroup", "memory-cgroup") if layer not in wanted]
    if not wanted:
        return
    try:
        joined = _cgroups(request)
    except OSError as exc:
        conf.missing += [f"{layer} ({exc})" for layer in wanted]
        return
    conf.active += [layer for layer in wanted if layer in joined]
    conf.missing += [f"{layer} (this machine has no such controller)" for layer in wanted if layer not in joined]


def _unprivileged_cgroup_layers(conf: Confinement, s: SandboxSettings) -> None:
    """An ordinary user's child has no cgroups of its own: say what bounds its processes instead."""
    if userns.nproc_counts_only_the_namespace():
        pids = (f"needs root; RLIMIT_NPROC, counted inside the child's user namespace, "
                f"limits its own processes and threads to {s.max_processes}")
    else:
        pids = "needs root; no process limit: before Linux 5.14 RLIMIT_NPROC counts every process of this user"
    for layer, why in (("pids-cgroup", pids), ("memory-cgroup", "needs root; RLIMIT_AS still bounds the address space")):
        conf.missing.append(f"{layer} (switched off)" if layer in s.disable else f"{layer} ({why})")


def _without_namespaces(conf: Confinement, s: SandboxSettings) -> None:
    """An ordinary user's child without a user namespace: root's layers are missing, and why."""
    if userns.wanted(s.disable):
        conf.missing.append(f"namespaces and cgroups (not running as root, and {userns.state.failure})")
    else:
        conf.missing += [f"{layer} (switched off)" for layer in userns.NAMESPACE_LAYERS]
        conf.missing.append("pids and memory cgroups (not running as root)")
    conf.missing.append("RLIMIT_NPROC (outside a user namespace it would count every process of this user)")
