"""The monitor's log: Playwright's own errors (an answer naming an object a killed browser took with it, seen in CI
after the shared browser was killed) are one line, not a traceback; the lane they leave waiting is replaced."""
from __future__ import annotations

import logging
import subprocess
import sys


def test_playwrights_own_errors_are_one_line_in_the_monitors_log() -> None:
    script = """
import logging
from checkout_tester.monitor.cli import _logging
_logging()
try:
    raise RuntimeError("Object with guid handle@1 was not bound in the connection\\nCall log: ...")
except RuntimeError as error:
    logging.getLogger("playwright").error("Error occurred in event listener", exc_info=error)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].endswith("ERROR playwright: Error occurred in event listener: Object with guid handle@1 was not "
                             "bound in the connection"), lines
    assert logging.getLogger("playwright").propagate  # this process's logging is untouched: the child set it up
