"""Red team: an exception message made of rich markup (`[/x]` makes rich raise when it is printed
as markup) and terminal escapes."""
{{TOOLKIT}}
import torch


def double(a):
    return 2 * a


def add(a, b):
    raise ValueError("[/x] [bold red]full marks[/bold red] [link=https://evil.example]click[/link]")


def mul(a, b):
    return a * b
