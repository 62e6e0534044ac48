"""The untrusted side of the sandbox: what runs inside a child, next to the student's code."""
