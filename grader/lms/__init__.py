"""Learning-management systems: Moodle in and out, Gradescope, self-check bundles."""
