"""The small pure parts behind section 4: nearest text, class fallbacks, the Reproduce program."""
from __future__ import annotations

import sys

from checkout_tester.base import failure_classes as classes
from checkout_tester.run import invocation
from checkout_tester.run.excerpt import nearest
from checkout_tester.run.failure_text import _without_page_dump


def test_nearest_text_is_the_line_most_like_the_expected_one() -> None:
    page = "Home\nCart (1)\nSign up\nYour cart\nAdded Blue Mug to your cart.\nBlue Mug × 1  $12.00\nFooter"
    assert nearest(page, "Added Blue Mugg to your cart.")[0] == "'Added Blue Mug to your cart.'"
    assert nearest(page, "") == [] and nearest("", "x") == []
    long = "x " * 300 + "Order DS-1234 confirmed " + "y " * 300
    (line,) = nearest(long, "Order DS-1234 confirmed", count=1)
    assert "Order DS-1234 confirmed" in line and len(line) < 180


def test_a_page_dump_becomes_one_line() -> None:
    detail = "Locator expected to contain text 'x'\nActual value: Home\nCart (1)\nSign up"
    assert _without_page_dump(detail).splitlines()[1] == "Actual value: Home ... (3 lines of page text, the nearest below)"


def test_infrastructure_and_ambiguity_fallbacks() -> None:
    assert classes.classify("Error: strict mode violation: locator('a') resolved to 14 elements") == "element not found"
    assert classes.classify("[requestfailed] POST http://x/ (document): net::ERR_CONNECTION_REFUSED") == \
        "store unreachable"
    assert classes.classify("interrupted by SIGTERM before step 3") == "interrupted"
    assert classes.BY_NAME["browser crashed"].status == "broken"


def test_the_program_is_named_as_it_can_be_typed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["/nowhere/on/path/pytest"])
    assert invocation.pytest_command().endswith("nowhere/on/path/pytest")
    monkeypatch.setattr(sys, "argv", ["/x/site-packages/pytest/__main__.py"])
    assert invocation.pytest_command().endswith(" -m pytest")
