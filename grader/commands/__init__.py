"""One module per ``grade`` verb; each exposes ``run(args, console) -> int`` (the exit code).

What several verbs share (options, the plan and reference preamble, the Moodle and similarity
outputs a batch can also write) is in ``commands/shared.py``.
"""

EXIT_OK, EXIT_GRADER_FAILED, EXIT_USAGE = 0, 1, 2
