"""Notebook code inside the child: get_ipython(), cells run on past errors, course packages and stand-ins."""
from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.observe import ErrorInfo, FileObservations, ImportInfo, Observation
from grader.course.packages import COURSE_FILE
from grader.handins.staging import CourseSetup, Stage, stage
from tests.conftest import run_with_course_env


def test_shell_escapes_and_magics_say_they_did_nothing_and_time_runs_its_code(tmp_path):
    out = run_with_course_env("""
        get_ipython().system('pip install seaborn')
        files = get_ipython().getoutput('ls')
        get_ipython().run_line_magic('matplotlib', 'inline')
        get_ipython().run_line_magic('cd', '/content')
        get_ipython().run_line_magic('time', 'x = 6 * 7')
        get_ipython().run_cell_magic('time', '', 'y = x + 1\\n')
        get_ipython().run_cell_magic('writefile', 'helpers.py', 'def f():\\n    return 5\\n')
        get_ipython().run_cell_magic('bash', '', 'rm -rf /\\n')
        from helpers import f
        print("values", files, x, y, f())
    """, tmp_path)
    assert "[grader] skipped the shell command `!pip install seaborn`: grading runs no shell commands" in out
    assert "skipped the magic `%cd /content`" in out and "matplotlib" not in out
    assert "skipped a cell run by the magic `%%bash`" in out
    assert "values [] 42 43 5" in out


def test_cells_share_one_namespace_run_as_main_and_go_on_after_an_error(tmp_path):
    cells = tmp_path / "cells"
    cells.mkdir()
    (cells / "cell_002.py").write_text("a = 1\nif __name__ == '__main__':\n    ran_as_main = True\n")
    (cells / "cell_004.py").write_text("b = a + 1\nprint(missing)\n")
    (cells / "cell_005.py").write_text("import sys\nc = b + 1\nsys.exit(0)\n")
    (cells / "cell_006.py").write_text("d = c + 1\n")
    out = run_with_course_env("""
        from grader.sandbox.child import notebook_cells
        space = {"__name__": "student"}
        notebook_cells.run(space, "cells", [(2, ""), (3, "cell 3 skipped: it is tagged skip-execution"),
                                           (4, ""), (5, ""), (6, "")])
        print("values", space["a"], space["b"], space["c"], space["d"], space["ran_as_main"], space["__name__"])
    """, tmp_path)
    assert "[grader] cell 3 skipped: it is tagged skip-execution" in out
    assert "[grader] cell 4, line 2 raised NameError: name 'missing' is not defined; the next cells still run" in out
    assert "cell 5, line 3 raised SystemExit" in out
    assert "values 1 2 3 4 True student" in out


def test_stand_in_packages_and_a_clear_message_for_others(tmp_path):
    (tmp_path / COURSE_FILE).write_text(json.dumps({"stubs": ["seaborn"], "provided": ["scikit-learn"]}))
    (tmp_path / "student.py").write_text("import not_a_course_package_xyz\n")
    out = run_with_course_env("""
        import seaborn as sns
        from seaborn import pairplot
        sns.set_theme(style="whitegrid")
        grid = pairplot(None, hue="species")
        grid.fig.suptitle("iris")
        from google.colab import drive, files
        drive.mount("/content/drive")
        try:
            import student
        except ModuleNotFoundError as exc:
            print("message:", exc, exc.name)
        import importlib.util
        print("probe", importlib.util.find_spec("not_a_course_package_xyz"))
        print("file kept", __import__("os").path.exists(".grader-course.json"))
    """, tmp_path)
    assert "[grader] seaborn is a stand-in while grading: its functions do nothing" in out
    assert "[grader] google.colab is a stand-in" in out
    assert ("message: No module named 'not_a_course_package_xyz': the course does not provide the package "
            "`not_a_course_package_xyz` while grading (it provides torch, torchvision, numpy, pandas, matplotlib, "
            "scikit-learn and Python's standard library)") in out
    assert "probe None" in out  # libraries probing for optional packages see what they always saw
    assert "file kept False" in out


def test_a_notebook_is_staged_as_a_module_and_messages_name_its_cells(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("hi"), new_code_cell("%matplotlib inline\nx = 1")]),
                   student / "Lab 2.ipynb")
    reference = tmp_path / "iris.data"
    reference.write_text("1,2\n")
    staged = stage(student, "Lab 2.ipynb", CourseSetup(files={"iris.data": reference}))
    try:
        assert staged.module_file == "_notebook_.py" and staged.shown == "Lab 2.ipynb"
        assert (staged.folder / "_notebook_cells" / "cell_002.py").read_text().startswith("get_ipython()")
        assert (staged.folder / "iris.data").read_text() == "1,2\n"
        assert not (student / "iris.data").exists()
    finally:
        staged.close()
    assert not staged.folder.exists()
    error = ErrorInfo(type="ValueError", message="bad", traceback=["cell_012.py, line 3: raise ValueError('bad')"])
    obs = FileObservations(module_file="_notebook_.py", imported=ImportInfo(status="ok"),
                           probes={"p": Observation(probe_id="p", status="error", error=error)})
    obs.imported.detail = "module '_notebook_' has no attribute 'W1'"
    Stage(student, "_notebook_.py", "Lab 2.ipynb").relabel(obs)
    assert obs.module_file == "Lab 2.ipynb" and obs.imported.detail == "'Lab 2.ipynb' has no attribute 'W1'"
    assert obs.probes["p"].error.one_line() == "ValueError: bad (cell 12, line 3: raise ValueError('bad'))"


def test_nothing_is_staged_for_a_plain_script_without_course_settings(tmp_path):
    (tmp_path / "question1.py").write_text("x = 1\n")
    assert stage(tmp_path, "question1.py", CourseSetup()).folder == tmp_path
    (tmp_path / "question1.py").write_bytes(b"!ldconfig\nx = 1\n")
    staged = stage(tmp_path, "question1.py", CourseSetup())
    try:
        assert (staged.folder / "question1.py").read_text() == "get_ipython().system('ldconfig')\nx = 1\n"
        assert (tmp_path / "question1.py").read_bytes() == b"!ldconfig\nx = 1\n"  # the student's file is untouched
    finally:
        staged.close()


def test_a_script_run_as_main_keeps_its_globals_after_a_crash_or_its_time(tmp_path):
    (tmp_path / "question2.py").write_text("import math\nif __name__ == '__main__':\n    W1 = 3\n"
                                           "    raise RuntimeError('plot failed')\n")
    (tmp_path / "slow.py").write_text("if __name__ == '__main__':\n    done = 1\n    while True:\n        pass\n")
    out = run_with_course_env("""
        from grader.sandbox.child import run_as_main
        space, slow = {"__name__": "_main_"}, {"__name__": "_main_"}
        run_as_main.run(space, "question2.py", 30)
        run_as_main.run(slow, "slow.py", 0.5)
        print("values", space["W1"], space["__name__"], slow["done"])
    """, tmp_path)
    assert ("[grader] question2.py, line 4 raised RuntimeError: plot failed when run as a script; what it had "
            "defined by then is graded") in out
    assert "[grader] slow.py was stopped after 0.5 s as a script" in out
    assert "values 3 _main_ 1" in out


def test_run_as_main_stages_a_module_that_runs_the_script(tmp_path):
    (tmp_path / "question2.py").write_text("x = 1\n")
    staged = stage(tmp_path, "question2.py", CourseSetup(), run_as_main=20)
    try:
        assert staged.module_file == "_main_.py"
        assert "run(globals(), 'question2.py', 20)" in (staged.folder / "_main_.py").read_text()
    finally:
        staged.close()
