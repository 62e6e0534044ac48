"""Explaining a failed check: whose failure it was (the student's code or the grader's), and which known
mistake the student's value matches."""
