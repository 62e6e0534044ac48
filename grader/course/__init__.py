"""What courses need inside the child and around it: drivers, environment, data, packages, fixtures."""
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # data files the grader serves (iris.data, ...)
