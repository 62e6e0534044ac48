"""Red-team submissions: student code that reads the sandbox as an attacker would.

Student code runs in the same process as the child's harness, so it can do whatever the harness
does: walk its frames to the request and the control descriptor, write any control line, write
or replace reply files, reach every descriptor the child inherited. Each case in
``hostile/redteam/cases/`` does one such thing (with the in-child toolkit pasted on top), and
each test below asserts the precise safe outcome: the victim process alive, the deadline kept,
the file outside unread and absent from every output, no IPC object left, the CSV cell
neutralised, the batch exiting 0 with everyone graded, no process left.

Every batch runs as PID 1 of its own PID and IPC namespaces (``unshare --pid --ipc --fork
--kill-child``), inside a memory cgroup the test creates, under a deadline: a failing grader
cannot take the machine down, and what a case leaves behind dies with the namespaces. Victim
processes are the first children of that PID 1, so their pids (2, 3, ...) are known before the
cases are written. Three kinds of batch:

- the main batch grades every case that cannot hang or blow up the parent, two at a time;
- cases that attack the parent itself (hangs, floods, memory) are graded alone, one batch each,
  next to a batch of the well-behaved case alone that gives the baseline;
- the layer batches grade the escape cases once per sandbox layer switched off (``--without``):
  switching one layer off may weaken that layer only, so every outcome asserted there must hold
  whichever layer is off.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path


import pytest

from tests.hostile.redteam.attacks import (CALL_TIMEOUT, CASES, FORMULA_START, GIB, IMPORT_TIMEOUT, IPC_KEYS,
                                           LAYER_CASES, MAIN, SECRET_JSON_MARKER, SECRET_PY_MARKER, SECRET_VALUES,
                                           STOPPED)
from tests.hostile.redteam.batch import (assert_batch_ok, checks_of, explain, outputs_text, remove_tree, run_batch,
                                         victim_state)

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("redteam-cache")


@pytest.fixture(scope="module")
def main_batch(tmp_path_factory, cache) -> dict:
    return run_batch(tmp_path_factory.mktemp("redteam-main"), cache, MAIN, jobs=2, deadline=600, memory=4 * GIB)


@pytest.fixture(scope="module")
def alone(tmp_path_factory, cache):
    """``alone(case)``: that case graded in a batch of its own (memoised)."""
    done: dict[str, dict] = {}
    roots: list[Path] = []

    def grade(case: str) -> dict:
        if case not in done:
            roots.append(tmp_path_factory.mktemp(f"redteam-{case}"))
            done[case] = run_batch(roots[-1], cache, [case], jobs=1, deadline=90, memory=3 * GIB)
        return done[case]
    yield grade
    for root in roots:  # pytest's own clean-up recurses, and 1,200 nested folders are too deep for it
        remove_tree(root)




@pytest.fixture(scope="module")
def layer_off(tmp_path_factory, cache):
    """``layer_off(layer)``: the escape cases graded with ``--without layer`` (memoised)."""
    done: dict[str, dict] = {}

    def grade(layer: str) -> dict:
        if layer not in done:
            done[layer] = run_batch(tmp_path_factory.mktemp(f"redteam-without-{layer}"), cache, LAYER_CASES, jobs=2,
                                    without=(layer,), deadline=200, memory=4 * GIB)
        return done[layer]
    return grade


def _layers() -> list[str]:
    from grader.sandbox.layers.confine import LAYERS

    return list(LAYERS)


# --- the main batch: the batch itself ---------------------------------------------------------

def test_main_batch_exits_0_with_every_case_graded(main_batch):
    assert len(CASES) >= 25
    assert_batch_ok(main_batch)


def test_main_batch_leaves_no_process(main_batch):
    assert main_batch["report"]["survivors"] == {}


EXPECTED_ADD = {  # case -> (status of `add`, pattern of its message or None)
    "well_behaved": ("pass", None),
    "ctl_init_victim_then_hang": ("error", STOPPED),
    "ctl_start_extends_call": ("error", STOPPED),
    "frame_stalled_header": ("error", CALL_TIMEOUT),
    "proc_mem_of_victim": ("pass", None),
    "cap_sethostname": ("pass", None),
    "reply_disk_fill": ("pass", None),
    "ipc_b_reads_leftovers": ("pass", None),
    "fd_inventory": ("pass", None),
    "cg_escape_cgroup": ("pass", None),
    "rl_raise_hard_limits": ("pass", None),
    "net_abstract_socket": ("pass", None),
    "net_tcp_loopback": ("pass", None),
    "proc_ptrace_victim": ("pass", None),
    "str_nan_seconds": ("pass", None),
    "str_markup_in_message": ("error", re.compile(re.escape("[/x] [bold red]full marks"))),
    "str_lone_surrogate": ("error", re.compile("ValueError: lone")),
    "str_long_student_name": ("pass", None),
    "str_csv_formula_name": ("pass", None),
}


@pytest.mark.parametrize("case", sorted(EXPECTED_ADD))
def test_add_outcome(main_batch, case):
    checks = checks_of(main_batch, case)
    status, pattern = EXPECTED_ADD[case]
    assert checks["add"]["status"] == status, (checks["add"]["message"], explain(main_batch, case))
    if pattern is not None:
        assert pattern.search(checks["add"]["message"]), checks["add"]["message"]


@pytest.mark.parametrize("case", sorted(set(MAIN) - {"ctl_start_extends_import", "budget_reimport_amplifier",
                                                     "ctl_init_victim_at_import", "ctl_init_victim_then_hang",
                                                     "sub_source_symlink_to_reference", "sub_question_symlink_to_secret"}))
def test_double_still_scores(main_batch, case):
    checks = checks_of(main_batch, case)
    assert checks["double"]["status"] == "pass", (checks["double"]["message"], explain(main_batch, case))


# --- control messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["ctl_init_victim_at_import", "ctl_init_victim_in_call", "ctl_init_victim_then_hang",
                                  "proc_signals_victim", "proc_ptrace_victim", "proc_mem_of_victim"])
def test_victim_outside_the_sandbox_is_untouched(main_batch, case):
    """Alive, not stopped, not traced: the parent signals only pids it learnt from the launcher."""
    assert victim_state(main_batch, case) in ("S", "R"), explain(main_batch, case)


def test_start_messages_do_not_extend_the_import(main_batch):
    checks = checks_of(main_batch, "ctl_start_extends_import")
    for check in ("add", "double"):
        assert checks[check]["status"] == "error", (checks[check]["message"], explain(main_batch, "ctl_start_extends_import"))
        assert IMPORT_TIMEOUT.search(checks[check]["message"]) or STOPPED.search(checks[check]["message"])
    assert main_batch["results"]["ctl_start_extends_import"]["seconds"] < 20


def test_start_messages_do_not_extend_a_call(main_batch):
    assert main_batch["results"]["ctl_start_extends_call"]["seconds"] < 20


def test_a_file_never_runs_past_its_total_budget(main_batch):
    """Import 6 s + 8 probes x 3 s = 30 s, whatever the child does; crashing after each probe to be
    imported again must not multiply it (slack for a fork server started on the way)."""
    result = main_batch["results"]["budget_reimport_amplifier"]
    assert result["seconds"] <= 45, explain(main_batch, "budget_reimport_amplifier")
    checks = checks_of(main_batch, "budget_reimport_amplifier")
    assert checks["add"]["points"] == 0 and checks["mul"]["points"] == 0


# --- reply files --------------------------------------------------------------------------------

def test_forged_reply_cannot_score_with_the_reference_answers(main_batch):
    checks = checks_of(main_batch, "reply_steals_reference_answers")
    assert checks["add"]["points"] == 0, (checks["add"]["message"], explain(main_batch, "reply_steals_reference_answers"))


@pytest.mark.parametrize("case,secret", [("reply_reads_secret_tensor", "tensor"), ("reply_reads_secret_json", "json")])
def test_parent_never_reads_a_file_outside_through_a_reply(main_batch, case, secret):
    path = main_batch["secrets"][secret]
    assert path.stat().st_atime_ns == main_batch["atimes"][path], f"{path.name} was read: {explain(main_batch, case)}"
    text = outputs_text(main_batch["out"])
    for marker in [SECRET_JSON_MARKER] + [f"{v:.6g}" for v in SECRET_VALUES]:
        assert marker not in text
    assert checks_of(main_batch, case)["add"]["points"] == 0


@pytest.mark.parametrize("case", ["reply_deep_nesting", "frame_deep_nesting"])
def test_deeply_nested_reply_is_a_failed_probe(main_batch, case):
    checks = checks_of(main_batch, case)
    assert checks["add"]["points"] == 0 and checks["add"]["status"] in ("error", "fail")


# --- IPC and keys left for later students ---------------------------------------------------------

def test_later_student_reads_no_ipc_object(main_batch):
    checks = checks_of(main_batch, "ipc_b_reads_leftovers")
    assert checks["add"]["status"] == "pass", checks["add"]["message"]


@pytest.mark.parametrize("kind", ["shm", "msg", "sem", "mq", "keys"])
def test_no_ipc_object_or_key_outlives_the_batch(main_batch, kind):
    report = main_batch["report"]
    if kind in ("shm", "msg", "sem"):
        assert not set(report[kind]) & set(IPC_KEYS), report[kind]
        assert kind != "shm" or not report["shm"], f"shared memory left: {report['shm']}"
    else:
        assert report[kind] == [], explain(main_batch, "ipc_a_posix_mq_left" if kind == "mq" else "ipc_a_keyring_left")


# --- descriptors, processes, cgroups, network -----------------------------------------------------

def test_no_foreign_descriptor_reaches_the_child(main_batch):
    checks = checks_of(main_batch, "fd_inventory")
    assert checks["add"]["status"] == "pass", checks["add"]["message"]


def test_spare_socket_cannot_run_a_payload(main_batch):
    assert not main_batch["marker"].exists(), explain(main_batch, "fd_spare_socket_escape")


def test_nothing_reached_the_listeners(main_batch):
    assert main_batch["net"] == {"tcp": 0, "udp": 0, "abstract": 0}


def test_the_grading_machine_keeps_its_name(main_batch):
    assert main_batch["report"]["hostname"] != main_batch["hostname"]


# --- strings that reach the instructor's tools ----------------------------------------------------

def test_layers_in_the_report_are_the_parents_not_the_childs(main_batch):
    forged = main_batch["results"]["str_forged_layer_report"]
    honest = main_batch["results"]["well_behaved"]
    assert (forged["sandbox"], forged["sandbox_missing"]) == (honest["sandbox"], honest["sandbox_missing"])


def test_markup_in_a_message_prints_as_text(main_batch):
    from rich.console import Console

    from grader.commands.local import results_table
    from grader.results import Result

    result = Result.model_validate_json(Path(main_batch["results"]["str_markup_in_message"]["_path"]).read_text())
    console = Console(file=io.StringIO(), width=400)
    console.print(results_table(result))
    assert "[/x]" in console.file.getvalue()


def test_lone_surrogates_are_stored_as_valid_utf8(main_batch):
    path = Path(main_batch["results"]["str_lone_surrogate"]["_path"])
    path.read_bytes().decode("utf-8")


def test_huge_names_keep_results_and_reports_small(main_batch):
    result = Path(main_batch["results"]["str_huge_names"]["_path"])
    assert result.stat().st_size < 1_000_000
    for report in (main_batch["out"] / "reports").glob("str_huge_names*"):
        assert report.stat().st_size < 1_000_000


def test_stored_results_load_again(main_batch):
    from grader.results import Result

    for case in ("str_nan_seconds", "str_lone_surrogate", "str_huge_names"):
        Result.model_validate_json(Path(main_batch["results"][case]["_path"]).read_text())


def test_html_from_the_child_is_escaped(main_batch):
    reports = main_batch["out"] / "reports"
    text = "".join(p.read_text() for p in reports.glob("str_html_in_output*"))
    assert text and "<script>" not in text and "<img src=x" not in text


def test_source_checks_do_not_follow_a_symlinked_file(main_batch):
    """The parent reads sources for `source` checks: never through a link the student placed."""
    checks = checks_of(main_batch, "sub_source_symlink_to_reference")
    assert checks["mul_source"]["points"] == 0, checks["mul_source"]["message"]
    assert "REFERENCE-SOURCE-SECRET" not in outputs_text(main_batch["out"])


def test_a_symlinked_question_file_is_never_read_by_the_parent(main_batch):
    """The parent (root) must not read through a student's link, nor stage what it read for the child."""
    path = main_batch["secrets"]["py"]
    checks = checks_of(main_batch, "sub_question_symlink_to_secret")
    assert path.stat().st_atime_ns == main_batch["atimes"][path], checks["add"]["message"]
    assert checks["add"]["points"] == 0 and checks["mul_source"]["points"] == 0, checks["add"]["message"]
    assert SECRET_PY_MARKER not in outputs_text(main_batch["out"])


def test_long_student_names_are_graded(main_batch):
    assert "str_long_student_name" in main_batch["results"]


def test_formula_names_are_neutralised_in_marks_csv(main_batch):
    rows = list(csv.reader(io.StringIO((main_batch["out"] / "marks.csv").read_text())))
    cells = [cell for row in rows for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START) and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


# --- cases graded alone: the parent's time and memory ----------------------------------------------

@pytest.mark.parametrize("case", ["sub_deep_folder", "sub_fifo_in_folder", "sub_huge_source", "sub_huge_sparse_file"])
def test_odd_files_in_a_folder_fail_only_their_student(alone, case):
    """A FIFO, a huge sparse file, a huge source or deep nesting in one student's folder: that student is graded
    (or refused, saying why), the batch exits 0, and the parent's memory stays bounded."""
    batch = alone(case)
    assert batch["memory"]["oom_kills"] == 0
    assert_batch_ok(batch)
    grown = batch["report"]["maxrss"] - _baseline(alone)["report"]["maxrss"]
    assert grown < 300 << 20, f"the parent grew by {grown >> 20} MiB"


def _baseline(alone) -> dict:
    return alone("well_behaved")


@pytest.mark.parametrize("case", ["reply_fifo", "reply_tensor_fifo", "ctl_endless_lines", "ctl_giant_line"])
def test_parent_keeps_its_deadlines(alone, case):
    batch = alone(case)
    assert_batch_ok(batch)
    assert batch["report"]["elapsed"] < _baseline(alone)["report"]["elapsed"] + 20, explain(batch, case)
    checks = checks_of(batch, case)
    assert checks["add"]["points"] == 0 and checks["add"]["status"] in ("error", "fail"), checks["add"]["message"]
    assert checks["double"]["status"] == "pass", checks["double"]["message"]


@pytest.mark.parametrize("case", ["reply_dev_zero", "reply_huge_json", "reply_index_amplifier", "frame_index_amplifier",
                                  "ctl_giant_line", "ctl_endless_lines"])
def test_parent_memory_stays_bounded(alone, case):
    batch = alone(case)
    assert batch["memory"]["oom_kills"] == 0, explain(batch, case)
    assert_batch_ok(batch)
    grown = batch["report"]["maxrss"] - _baseline(alone)["report"]["maxrss"]
    assert grown < 300 << 20, f"the parent grew by {grown >> 20} MiB: {explain(batch, case)}"
    checks = checks_of(batch, case)
    assert checks["add"]["points"] == 0, checks["add"]["message"]


@pytest.mark.parametrize("case", ["mem_memfd", "mem_sysv_shm"])
def test_child_memory_is_bounded_beyond_rlimit_as(alone, case):
    """The rubric allows 512 MB; the case holds 1.25 GiB unless refused (`add` then fails)."""
    batch = alone(case)
    assert_batch_ok(batch)
    checks = checks_of(batch, case)
    assert checks["add"]["status"] != "fail", f"{checks['add']['message']} {explain(batch, case)}"
    assert batch["report"]["shm"] == []


# --- one layer off at a time ---------------------------------------------------------------------

LAYER_OUTCOMES = ["batch", "victims", "survivors", "marker", "fd_inventory", "cgroup", "network", "secret", "ipc",
                  "proc_mem", "hostname"]


@pytest.mark.parametrize("outcome", LAYER_OUTCOMES)
@pytest.mark.parametrize("layer", _layers())
def test_one_layer_off_weakens_only_that_layer(layer_off, layer, outcome):
    batch = layer_off(layer)
    report = batch["report"]
    if outcome == "batch":
        assert_batch_ok(batch)
    elif outcome == "victims":
        for case in batch["victims"]:
            assert victim_state(batch, case) in ("S", "R"), explain(batch, case)
    elif outcome == "survivors":
        assert report["survivors"] == {}, explain(batch, "proc_daemon_survives")
    elif outcome == "marker":
        assert not batch["marker"].exists(), explain(batch, "fd_spare_socket_escape")
    elif outcome == "fd_inventory":
        assert checks_of(batch, "fd_inventory")["add"]["status"] == "pass", explain(batch, "fd_inventory")
    elif outcome == "cgroup":
        if layer == "pids-cgroup":
            pytest.skip("the layer switched off is the one that case attacks")
        assert checks_of(batch, "cg_escape_cgroup")["add"]["status"] == "pass", explain(batch, "cg_escape_cgroup")
    elif outcome == "network":
        assert batch["net"]["tcp"] == 0 and batch["net"]["abstract"] == 0
        for case in ("net_tcp_loopback", "net_abstract_socket"):
            assert checks_of(batch, case)["add"]["status"] == "pass", explain(batch, case)
    elif outcome == "secret":
        path = batch["secrets"]["tensor"]
        assert path.stat().st_atime_ns == batch["atimes"][path], explain(batch, "reply_reads_secret_tensor")
    elif outcome == "proc_mem":
        assert checks_of(batch, "proc_mem_of_victim")["add"]["status"] == "pass", explain(batch, "proc_mem_of_victim")
    elif outcome == "hostname":
        if layer == "no-capabilities":
            pytest.skip("the layer switched off is the one that case attacks")
        assert report["hostname"] != batch["hostname"], explain(batch, "cap_sethostname")
        assert checks_of(batch, "cap_sethostname")["add"]["status"] == "pass"
    elif outcome == "ipc":
        if layer == "ipc-namespace":
            pytest.skip("the layer switched off is the one that case attacks")
        assert checks_of(batch, "ipc_b_reads_leftovers")["add"]["status"] == "pass", explain(batch, "ipc_b_reads_leftovers")
        assert not set(report["shm"]) & set(IPC_KEYS)
