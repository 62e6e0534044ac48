"""Run as an ordinary user by ``test_userns_layers``: grade one file with one launcher and print what came back.

``python userns_driver.py FOLDER LAUNCHER SANDBOX_JSON BUSY``: ``FOLDER/student/q.py`` is run with one probe
calling its ``facts()``; ``BUSY`` processes of this user are kept sleeping meanwhile (they must not count against
the child's process limit). Prints ``{"sandbox", "missing", "facts"}`` as JSON.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.sandbox.parent.launcher import SpawnLauncher
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, SandboxSettings, Step


def main() -> None:
    folder, launcher_name, sandbox, busy = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    sleepers = [subprocess.Popen(["sleep", "60"]) for _ in range(busy)]
    probe = Probe(id="facts", timeout=60, steps=[Step(call="facts", observe="out")])
    launcher = ForkServerLauncher(1) if launcher_name == "fork-server" else SpawnLauncher()
    try:
        with launcher:
            obs = run_file("q.py", folder / "student", [probe], import_timeout=60, launcher=launcher,
                           sandbox=SandboxSettings(**sandbox))
    finally:
        for sleeper in sleepers:
            sleeper.kill()
            sleeper.wait()
    found = obs.probes.get("facts")
    facts = json.loads(found.values["out"].text) if found is not None and "out" in found.values else None
    print(json.dumps({"sandbox": obs.imported.sandbox, "missing": obs.imported.sandbox_missing, "facts": facts,
                      "detail": found.model_dump_json() if found is not None else obs.imported.explain(),
                      "stderr": obs.stderr}))


if __name__ == "__main__":
    main()
