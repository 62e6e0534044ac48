"""What students hand in: finding submissions, their names, notebooks, the staged working copy."""
