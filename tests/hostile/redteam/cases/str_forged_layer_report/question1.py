"""Red team: rewrite the import report the harness is about to send: claim no missing layer but one
whose name is rich markup (`[/x]` makes rich raise), and claim a layer that does not exist."""
{{TOOLKIT}}
import torch

_report = harness_local("imported", dict)
if _report is not None:
    _report["sandbox"] = list(_report.get("sandbox", [])) + ["seccomp (claimed by the student)"]
    _report["sandbox_missing"] = ["[/x] [link=https://evil.example]layer[/link]"]
    log("rewrote the harness's import report")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
