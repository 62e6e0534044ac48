"""The trusted side of the sandbox: launching children, watching them, reading their replies."""
