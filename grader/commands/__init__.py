"""One module per ``grade`` verb; each exposes ``run(args) -> int`` (the exit code)."""

EXIT_OK, EXIT_GRADER_FAILED, EXIT_USAGE = 0, 1, 2
