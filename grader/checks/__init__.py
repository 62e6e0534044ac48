"""Check kinds: each turns (reference observation, student observation) into points and a message."""
