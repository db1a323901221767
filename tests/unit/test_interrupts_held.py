"""interrupts.held: finally steps run after a first signal, even one that arrives during them; a second stops at once."""
from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from checkout_tester.run import interrupts


@pytest.fixture(autouse=True)
def _unasked() -> Iterator[None]:
    interrupts.reset()
    yield
    interrupts.reset()


def test_a_signal_before_the_clean_up_is_held_while_it_runs_and_asked_again_after() -> None:
    interrupts._asked(signal.SIGTERM, None)
    with interrupts.held():
        assert interrupts.requested() == ""
        interrupts.check("before a finally step")  # does not raise: the clean-up goes on
        with pytest.raises(KeyboardInterrupt, match="SIGINT again"):
            interrupts._asked(signal.SIGINT, None)
    assert interrupts.requested() == "SIGTERM"


def test_a_first_signal_during_the_clean_up_lets_it_finish_then_stops_the_run() -> None:
    with interrupts.held():
        interrupts._asked(signal.SIGINT, None)
        interrupts.check("before the next finally step")
        with pytest.raises(KeyboardInterrupt):
            interrupts._asked(signal.SIGINT, None)
    assert interrupts.requested() == "SIGINT"
    with pytest.raises(interrupts.FlowInterrupted):
        interrupts.check("before step 1")
