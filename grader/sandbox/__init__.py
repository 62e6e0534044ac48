"""Running untrusted code: the child's entry point and the parent's runner."""
