"""What the CLI prints from students (names, messages, tracebacks) is text: never rich markup, never terminal codes."""
from __future__ import annotations

import io
import json

from rich.console import Console

from grader.cli import main
from grader.commands.local import results_table
from grader.commands.printing import error, say, warning
from grader.results import Result

MARKUP = "[/x] [bold]loud[/bold] [link=file:///etc/passwd]click[/link] [/]"


def _console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None, soft_wrap=True)


def test_labels_are_styled_and_messages_printed_literally():
    console = _console()
    say(console, MARKUP)
    error(console, MARKUP)
    warning(console, MARKUP, label="refused:")
    lines = console.file.getvalue().splitlines()
    assert lines == [MARKUP, f"error: {MARKUP}", f"refused: {MARKUP}"]


def test_terminal_control_codes_are_shown_not_sent():
    console = _console()
    say(console, "Ann\x1b]0;owned\x07\x1b[2J\rBob\nD")
    shown = console.file.getvalue()
    assert shown == "Ann\\x1b]0;owned\\x07\\x1b[2J\\x0dBob\nD\n" and "\x1b" not in shown


def test_student_messages_in_the_self_check_table_are_text():
    result = Result.model_validate({
        "student": "s", "assignment": "a", "total": 0, "max_total": 1, "sandbox": [], "grader_version": "0",
        "questions": [{"id": "q[/x]", "points": 0, "max_points": 1, "checks": [
            {"id": "c", "title": "[red]t", "kind": "value", "points": 0, "max_points": 1, "status": "error",
             "message": f"raised ValueError('{MARKUP}')"}]}]})
    console = _console()
    console.print(results_table(result))
    shown = console.file.getvalue()
    assert "[/x] [bold]loud[/bold]" in shown and "q[/x]" in shown and "[red]t" in shown


def test_status_prints_pending_names_literally(tmp_path, capsys):
    names = {MARKUP: "f1", "[/]": "f2", "ok": "f3"}
    (tmp_path / "batch.json").write_text(json.dumps({"assignment": "a", "executor": "local", "students": names,
                                                     "failed": ["[/]"], "finished": True}))
    assert main(["status", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"pending: {MARKUP}, ok" in out and "failed: [/]" in out


def test_a_label_with_a_name_that_is_not_utf8_prints_escaped():
    """A failure line names the student, and a folder named in bytes that are not UTF-8 must not crash the batch's
    printing (it did, after grading every other student)."""
    import io

    from rich.console import Console

    from grader.commands.printing import say

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    say(Console(file=stream, soft_wrap=True), "trace", label="grader failure on bad\udcffname\x1b[2J:")
    stream.flush()
    assert stream.buffer.getvalue().decode() == "grader failure on bad\\udcffname\\x1b[2J: trace\n"
