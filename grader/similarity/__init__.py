"""Similarity across a batch: evidence of copied work for a person to look at, never a verdict.

``sources`` reads a question's file (a script or a notebook's code cells) with line labels;
``tokens`` fingerprints a normalised token stream by winnowing; ``structure`` compares function
bodies by their AST, whatever their order; ``ops`` compares the torch ops each graded call ran
(in the sandbox); ``scoring`` weighs shared fingerprints against the starter, the reference and
the rest of the class; ``ranking`` ranks pairs and groups clusters; ``engine`` runs it for an
assignment; ``report`` writes ``similarity.html``, ``similarity.csv`` and JSON.
"""
