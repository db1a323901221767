"""Templates, typed inputs and patterns in Chromium against the demo store, one browser for the module."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.errors import StepFailed
from checkout_tester.flow.loader import load_flow
from checkout_tester.run.events import StepStarted
from checkout_tester.session import Session, demo_session
from checkout_tester.target.config_file import load_target

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Any, list[Any]]]:
    """A started session on a fresh demo store; the list collects every event of every run."""
    events: list[Any] = []
    target = load_target(ROOT / "config/demo.yaml")
    artifacts = tmp_path_factory.mktemp("artifacts")
    with demo_session(target, listeners=[events.append], artifacts=artifacts) as (session, store):
        yield session, store, events


def test_filters_shape_what_is_typed_and_the_store_shows_it(demo: tuple[Session, Any, list[Any]]) -> None:
    session, store, events = demo
    store.set_faults([])
    events.clear()
    finished = session.run(load_flow(FIXTURES / "support_filters.flow.yaml", root=ROOT))
    assert finished.status == "passed"
    assert re.fullmatch(r"T-\d+", finished.saved["ticket"])
    titles = [e.title for e in events if isinstance(e, StepStarted)]
    assert "expect_text 'We sent a copy to {{ email | upper }}.'" not in titles  # titles are rendered
    shown = next(t for t in titles if t.startswith("expect_text 'We sent a copy to "))
    assert re.fullmatch(r"expect_text 'We sent a copy to [A-Z0-9._]+\.[A-Z0-9]{8}@EXAMPLE\.COM\.'", shown), shown


def test_a_rejected_input_shows_what_was_typed(demo: tuple[Session, Any, list[Any]]) -> None:
    session, store, _ = demo
    store.set_faults(["uppercase-email"])
    flow = load_flow(FIXTURES / "signup_typed.flow.yaml", root=ROOT)
    baseline, capitals = flow.variants
    # Judged as equivalents (observe/input_judging.py): the same row shapes equivalents.py generates.
    baseline = replace(baseline, id="email=baseline", input="email")
    capitals = replace(capitals, id="email=all-capitals", input="email",
                       transformation="the whole address in capital letters")
    session.run(flow, baseline)
    with pytest.raises(StepFailed) as caught:
        session.run(flow, capitals)
    message = str(caught.value)
    assert "valid input rejected: email=all-capitals, the whole address in capital letters" in message
    assert "{{" not in message, message
    typed = re.search(r"Input:    email = '([^']+)'; the baseline '([^']+)' passed in this run", message)
    assert typed, message
    assert re.fullmatch(r"[A-Z0-9._]+\.[A-Z0-9]{8}@EXAMPLE\.COM", typed.group(1)), typed.group(1)
    assert re.fullmatch(r"[a-z0-9._]+\.[a-z0-9]{8}@example\.com", typed.group(2)), typed.group(2)
    assert "Page said: 'unknown email format'" in message


@pytest.mark.parametrize(("step", "shown"), [
    ("expect_text: {text: Mu, word: true, timeout: 2s}", "whole word 'Mu' on the page"),
    ("expect_url: {regex: '/orders/DS-\\d+$', timeout: 2s}", "Page URL expected to be regex '/orders/DS-\\d+$'"),
    ("expect_url: {url: /cart, timeout: 2s}", "Page URL expected to be '/cart'"),
    ("save: {var: code, text: Blue Mug, pattern: 'DS-\\d+'}", "pattern 'DS-\\d+' not found in 'Blue Mug'"),
    ("wait_for: {url: /orders/*, timeout: 2s}", "Timeout 2000ms exceeded"),
])
def test_failures_show_patterns_as_the_flow_wrote_them(demo: tuple[Session, Any, list[Any]], tmp_path: Path,
                                                     step: str, shown: str) -> None:
    session, store, _ = demo
    store.set_faults([])
    path = tmp_path / "pattern.flow.yaml"
    path.write_text(f"name: Pattern\nsteps:\n  - goto: /products/blue-mug\n  - expect_text: {{text: Mug, word: true}}\n"
                    f"  - {step}\n", encoding="utf-8")
    with pytest.raises(StepFailed) as caught:
        session.run(load_flow(path, root=tmp_path))
    message = str(caught.value)
    assert "step 3 " in message and shown in message, message
    assert "re.compile" not in message and "\\\\" not in message, message
