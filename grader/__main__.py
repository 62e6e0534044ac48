"""``python -m grader ...`` is the ``grade`` script."""
from grader.script import console_main

console_main()
