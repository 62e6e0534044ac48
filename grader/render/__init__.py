"""Writing results out: HTML reports, the class summary, CSV."""
