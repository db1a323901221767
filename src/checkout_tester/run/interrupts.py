"""Ctrl-C and SIGTERM (a cancelled CI job): finish cleanly at the next step instead of dying mid-write.

The first signal only asks: the flow that is running stops before its next step, recorded as
interrupted (never as passed), and the run ends after it, writing every report of the flows that
finished. Its `finally:` clean-up steps still run (held). A second signal stops at once (KeyboardInterrupt).
"""
from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from checkout_tester.base.errors import CheckoutTesterError

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state: dict[str, Any] = {"signal": "", "previous": {}, "held": "", "holding": False}


class FlowInterrupted(CheckoutTesterError):
    """The run was interrupted while this flow ran: neither passed nor failed."""

    failure_class = "interrupted"

    def __init__(self, message: str) -> None:
        from checkout_tester.base.failure_classes import INTERRUPTED, with_class_line

        super().__init__(with_class_line(message, INTERRUPTED))


def install() -> None:
    """Catch SIGINT and SIGTERM in this process (the main thread only; once)."""
    if _state["previous"]:
        return
    try:
        _state["previous"] = {sig: signal.signal(sig, _asked) for sig in SIGNALS}
    except ValueError:  # not the main thread: leave the defaults
        _state["previous"] = {}


def uninstall() -> None:
    """Give the signals back to whoever had them."""
    for sig, handler in _state["previous"].items():
        signal.signal(sig, handler)
    _state["previous"] = {}


def requested() -> str:
    """The name of the signal that asked to stop ('' when none did)."""
    return str(_state["signal"])


def reset() -> None:
    """Forget an earlier request (a new run in the same process)."""
    _state["signal"] = _state["held"] = ""
    _state["holding"] = False


@contextmanager
def held() -> Iterator[None]:
    """Let clean-up steps (finally:) run after a first signal; a second one still stops at once."""
    _state["held"], _state["signal"], _state["holding"] = _state["signal"], "", True
    try:
        yield
    finally:
        _state["signal"], _state["held"], _state["holding"] = _state["held"] or _state["signal"], "", False


def check(where: str) -> None:
    """Raise FlowInterrupted when a stop was asked for; `where` says what did not run."""
    if _state["signal"]:
        raise FlowInterrupted(f"interrupted by {_state['signal']} {where}: the flow did not finish "
                              "(neither passed nor failed)")


def _asked(signum: int, frame: Any) -> None:
    name = signal.Signals(signum).name
    if _state["signal"] or _state["held"]:
        raise KeyboardInterrupt(f"{name} again: stopping now")
    _state["held" if _state["holding"] else "signal"] = name
