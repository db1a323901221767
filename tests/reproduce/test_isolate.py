"""`--isolate` end to end: real Chromium against the demo store with its fault switches on."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.flow.loader import load_flow
from checkout_tester.reproduce.isolate import isolate_flow
from checkout_tester.session import Session, demo_session
from checkout_tester.target.config_file import load_target

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct-horse-42"  # the demo target's SHOP_PASSWORD


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Any]]:
    target = load_target(ROOT / "config/demo.yaml")
    with demo_session(target, artifacts=tmp_path_factory.mktemp("artifacts")) as pair:
        yield pair


def _isolate(demo: tuple[Session, Any], fault: str, path: Path, variant: str = "", **options: Any) -> Any:
    session, store = demo
    store.set_faults([fault])
    flow = load_flow(path, root=ROOT)
    row = next(v for v in flow.variant_rows if v.id == variant)
    lines: list[str] = []
    result = isolate_flow(session, flow, row, {}, progress=lines.append, **options)
    assert len(lines) == result.runs  # one progress line per run
    assert PASSWORD not in result.text + json.dumps(result.as_json()) + "\n".join(lines)
    return result


def test_uppercase_email_isolates_to_the_case_change(demo: tuple[Session, Any]) -> None:
    result = _isolate(demo, "uppercase-email", ROOT / "flows/signup.flow.yaml", "Janet.Doe@Example.com")
    assert result.verdict == "isolated" and result.failure_class == "visible error message"
    assert [(c.input, c.kind) for c in result.changes] == [("email", "lower-case")]
    assert "password" not in [i.name for i in result.inputs]  # a secret is never varied
    assert ("the flow passes once the capital letters in `Janet.Doe@Example.com` are lowered "
            "(`janet.doe@example.com`); the store treats the email case-sensitively") in result.text
    assert 2 < result.runs <= 6 and f"Searched in {result.runs} runs" in result.text


def test_with_two_inputs_it_finds_the_one_that_matters(demo: tuple[Session, Any]) -> None:
    result = _isolate(demo, "uppercase-email", FIXTURES / "signup_named.flow.yaml", "capitalised")
    assert [(c.input, c.kind) for c in result.changes] == [("email", "lower-case")]
    assert result.irrelevant == ["name"]
    assert "The name does not matter: the flow passes with `Zoë Anne O'Brien` as it is." in result.text
    assert result.runs <= 6  # as reported, all at once, the email alone, then two of its changes
    assert [t.outcome for t in result.tries][:2] == ["failed", "passed"]


def test_cart_drops_items_no_input_change_helps(demo: tuple[Session, Any]) -> None:
    result = _isolate(demo, "cart-drops-items", FIXTURES / "two_items_checkout.flow.yaml")
    assert result.verdict == "independent" and result.changes == []
    assert result.failure_class == "expected content missing"
    assert "no change of the inputs makes the flow pass: the failure does not depend on them" in result.text
    assert "`Janet.Doe+shop@Example.com` → `janet@example.com`" in result.text  # tried in its simplest form
    assert result.runs == 3 and "Searched in 3 runs" in result.text


def test_the_cap_is_kept_and_reported(demo: tuple[Session, Any]) -> None:
    result = _isolate(demo, "uppercase-email", ROOT / "flows/signup.flow.yaml", "JANET.DOE@EXAMPLE.COM", max_runs=2)
    assert result.runs == 2 and result.capped
    assert result.verdict == "isolated"  # everything at once passed; minimising it was cut short
    assert "stopped at its cap of 2 runs" in result.text
