"""A grading harness for PyTorch coursework."""

__version__ = "0.1.0"
