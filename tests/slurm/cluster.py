"""A real single-node Slurm on localhost for the tests, started without systemd in a temporary folder.

munged, then (with accounting) mariadb and slurmdbd, then slurmctld and slurmd, each in the
foreground as a child of the test process, on free ports, with every file under one folder;
``stop()`` cancels what is still queued and ends each daemon by its pid.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd", "slurmdbd", "mariadbd", "mariadb-install-db")
CLIENTS = ("sbatch", "squeue", "scancel", "sinfo", "scontrol", "sacct", "sacctmgr")
PACKAGES = "slurm-wlm munge slurmdbd mariadb-server"


def missing_reason() -> str:
    """Why a cluster cannot be started here ('' when it can)."""
    missing = [name for name in DAEMONS + CLIENTS if not _which(name)]
    if missing:
        return f"Slurm is not installed ({', '.join(missing)} not found): apt-get install {PACKAGES}"
    if os.geteuid() != 0:
        return "a single-node Slurm needs root to start slurmd and munged"
    return ""


def _which(name: str) -> str | None:
    return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_hardware() -> dict[str, str]:
    """What ``slurmd -C`` reports for this machine (NodeName, CPUs, RealMemory...)."""
    line = subprocess.run([_which("slurmd"), "-C"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    return dict(item.split("=", 1) for item in line.split())


class SlurmCluster:
    """One node, one partition with the machine's CPUs and memory, optionally with accounting."""

    def __init__(self, accounting: bool = True, kill_wait: int = 5) -> None:
        self.accounting = accounting
        self.kill_wait = kill_wait
        self.root = Path(tempfile.mkdtemp(prefix="slurm-"))
        self.root.chmod(0o755)  # other users submit jobs: they read slurm.conf and reach munged's socket
        self.hardware = node_hardware()
        self.node = self.hardware["NodeName"]
        self.cpus = int(self.hardware["CPUs"])
        self.memory_mb = int(self.hardware["RealMemory"])
        self.conf = self.root / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self._daemons: list[tuple[str, subprocess.Popen]] = []

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SlurmCluster:
        """Bring every daemon up and wait until the node takes jobs."""
        try:
            self._start_munge()
            if self.accounting:
                self._start_mariadb()
                self._start_slurmdbd()
            self._write_slurm_conf()
            self._spawn("slurmctld", [_which("slurmctld"), "-D", "-i", "-f", str(self.conf)])
            self._wait(lambda: self.run("scontrol", "ping").stdout.count("UP") > 0, "slurmctld to answer")
            self._spawn("slurmd", [_which("slurmd"), "-D", "-f", str(self.conf)])
            self._wait(lambda: self.run("sinfo", "-h", "-o", "%T").stdout.strip() == "idle", "the node to be idle")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Cancel every job, wait for them to end, then end each daemon, newest first."""
        if any(name == "slurmctld" for name, _ in self._daemons):
            self.cancel_all()
        for name, proc in reversed(self._daemons):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._daemons.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def cancel_all(self, timeout: float = 60) -> None:
        """scancel every job of the cluster and wait until none is left running."""
        jobs = self.run("squeue", "-h", "-o", "%A").stdout.split()
        if jobs:
            self.run("scancel", *jobs)
        deadline = time.monotonic() + timeout
        while self.run("squeue", "-h", "-o", "%A").stdout.split() and time.monotonic() < deadline:
            time.sleep(0.5)

    # -- clients -----------------------------------------------------------------------------
    def run(self, command: str, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run a Slurm client command against this cluster."""
        return subprocess.run([_which(command), *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=60)

    def queued(self) -> dict[str, str]:
        """``{job or array task id: state}`` of every pending or running job, as squeue sees them."""
        out = self.run("squeue", "-h", "-r", "-o", "%i %T").stdout
        return dict(line.split() for line in out.splitlines() if line.strip())

    def jobs(self) -> set[str]:
        """Every job id submitted so far and still known (array tasks counted once, by their array's id):
        squeue's, and with accounting sacct's, which may lag behind a submission by a moment."""
        out = self.run("squeue", "-h", "-r", "-o", "%i").stdout
        if self.accounting:
            out += self.run("sacct", "-a", "-X", "-n", "-P", "-o", "JobID", "-S", "now-1days", check=True).stdout
        return {line.split("_")[0] for line in out.split()}

    def log(self, name: str) -> str:
        """What a daemon wrote to its log so far."""
        path = self.root / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- daemons -----------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], **kwargs) -> subprocess.Popen:
        logs = self.root / "log"
        logs.mkdir(exist_ok=True)
        with open(logs / f"{name}.out", "ab") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=self.env, start_new_session=True, **kwargs)
        self._daemons.append((name, proc))
        return proc

    def _wait(self, ready, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self._daemons:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}) while waiting for {what}:\n"
                                       + (self.root / "log" / f"{name}.out").read_text(errors="replace")[-3000:]
                                       + self.log(name)[-3000:])
            try:
                if ready():
                    return
            except (OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}; logs in {self.root / 'log'}")

    def _start_munge(self) -> None:
        munge = self.root / "munge"
        munge.mkdir(mode=0o755)
        key = munge / "munge.key"
        key.write_bytes(secrets.token_bytes(1024))
        key.chmod(0o400)
        self.munge_socket = munge / "munge.socket"
        self._spawn("munged", [_which("munged"), "-F", "--force", f"--socket={self.munge_socket}",
                               f"--key-file={key}", f"--pid-file={munge / 'munged.pid'}",
                               f"--seed-file={munge / 'munged.seed'}", f"--log-file={self.root / 'munged.log'}"])
        self._wait(self.munge_socket.exists, "munged's socket")
        self.munge_socket.chmod(0o777)

    def _start_mariadb(self) -> None:
        data, self.db_socket, self.db_port = self.root / "mysql", self.root / "mysql.sock", free_port()
        subprocess.run([_which("mariadb-install-db"), "--no-defaults", f"--datadir={data}", "--user=root",
                        "--auth-root-authentication-method=socket", "--skip-test-db"],
                       capture_output=True, check=True, timeout=120)
        self._spawn("mariadbd", [_which("mariadbd"), "--no-defaults", f"--datadir={data}", "--user=root",
                                 f"--socket={self.db_socket}", f"--port={self.db_port}", "--bind-address=127.0.0.1",
                                 f"--pid-file={self.root / 'mysql.pid'}", "--skip-log-bin",
                                 "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M"])
        self.db_password = secrets.token_hex(12)
        sql = (f"CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '{self.db_password}';"
               "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';")
        self._wait(self.db_socket.exists, "mariadb's socket")
        self._wait(lambda: subprocess.run(["mariadb", "--no-defaults", f"--socket={self.db_socket}", "-u", "root",
                                           "-e", sql], check=False, capture_output=True, timeout=30).returncode == 0,
                   "mariadb to take a user")

    def _start_slurmdbd(self) -> None:
        self.dbd_port = free_port()
        conf = self.root / "slurmdbd.conf"
        conf.write_text("\n".join([
            "AuthType=auth/munge", f"AuthInfo=socket={self.munge_socket}",
            "DbdHost=localhost", "DbdAddr=127.0.0.1", f"DbdPort={self.dbd_port}", "SlurmUser=root",
            f"PidFile={self.root / 'slurmdbd.pid'}", f"LogFile={self.root / 'log' / 'slurmdbd.log'}",
            "StorageType=accounting_storage/mysql", "StorageHost=127.0.0.1", f"StoragePort={self.db_port}",
            "StorageUser=slurm", f"StoragePass={self.db_password}", "StorageLoc=slurm_acct_db", ""]))
        conf.chmod(0o600)
        self._spawn("slurmdbd", [_which("slurmdbd"), "-D"])  # reads slurmdbd.conf beside $SLURM_CONF
        self._wait(lambda: _listening(self.dbd_port), "slurmdbd to listen")

    def _write_slurm_conf(self) -> None:
        ctld_port, slurmd_port = free_port(), free_port()
        hw = self.hardware
        lines = [
            "ClusterName=grader", f"SlurmctldHost={self.node}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}", f"SlurmdPort={slurmd_port}",
            "AuthType=auth/munge", "CredType=cred/munge", f"AuthInfo=socket={self.munge_socket}",
            "SlurmUser=root", "SlurmdUser=root",
            f"StateSaveLocation={self.root / 'state'}", f"SlurmdSpoolDir={self.root / 'spool'}",
            f"SlurmctldPidFile={self.root / 'slurmctld.pid'}", f"SlurmdPidFile={self.root / 'slurmd.pid'}",
            f"SlurmctldLogFile={self.root / 'log' / 'slurmctld.log'}",
            f"SlurmdLogFile={self.root / 'log' / 'slurmd.log'}",
            "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "ReturnToService=2",
            "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU_Memory", "SchedulerType=sched/backfill",
            "MpiDefault=none", "MailProg=/bin/true", "JobCompType=jobcomp/none", "InactiveLimit=0", "MinJobAge=300",
            f"KillWait={self.kill_wait}", "SlurmdTimeout=300", "SlurmctldTimeout=300",
            "JobAcctGatherType=jobacct_gather/linux" if self.accounting else "JobAcctGatherType=jobacct_gather/none",
        ]
        if self.accounting:
            lines += ["AccountingStorageType=accounting_storage/slurmdbd", "AccountingStorageHost=127.0.0.1",
                      f"AccountingStoragePort={self.dbd_port}",
                      f"AccountingStoragePass={self.munge_socket}"]  # the munge socket of slurmctld's dbd link
        else:
            lines += ["AccountingStorageType=accounting_storage/none"]
        lines += [
            (f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={hw['CPUs']} Boards={hw['Boards']} "
             f"SocketsPerBoard={hw['SocketsPerBoard']} CoresPerSocket={hw['CoresPerSocket']} "
             f"ThreadsPerCore={hw['ThreadsPerCore']} RealMemory={hw['RealMemory']} State=UNKNOWN"),
            "PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""]
        for folder in ("state", "spool", "log"):
            (self.root / folder).mkdir(exist_ok=True)
        self.conf.write_text("\n".join(lines))
        self.conf.chmod(0o644)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
