"""What courses need inside the child and around it: drivers, environment, data, packages, fixtures."""
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # data files the grader serves (iris.data, ...)

# The drivers of drivers.py by name, for validating rubrics without importing torch or the course code
# (tests/course/test_drivers.py keeps the two in step).
DRIVER_NAMES = ("sgd_regression", "seeded_losses", "linear_fit", "linear_fit_losses", "iris_factorisation_loss",
                "iris_factorisation_angle", "iris_mlp_shapes", "iris_mlp_accuracy", "pretrained_similarity",
                "logged_losses", "training_epochs")
