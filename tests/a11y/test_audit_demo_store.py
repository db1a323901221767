"""axe-core in Chromium against the demo store: every healthy page passes, the unlabelled field does not."""
from __future__ import annotations

import json
import os
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from checkout_tester.demostore import DemoStore
from checkout_tester.observe.accessibility import AccessibilityViolation, audit

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
FAIL_ON = ["critical", "serious"]


@pytest.fixture(scope="module")
def shop() -> Iterator[tuple[DemoStore, Any]]:
    """A demo store and one page whose cart holds a mug."""
    with DemoStore() as store, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(base_url=store.url)
        page.set_default_timeout(10_000)
        page.goto("/products/blue-mug")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/cart")
        yield store, page
        browser.close()


def recorder() -> Any:
    """A stand-in runner that keeps what audit() attaches."""
    attached: list[Any] = []
    return SimpleNamespace(emit=attached.append, attached=attached)


def test_every_healthy_page_passes_at_critical_and_serious(shop: tuple[DemoStore, Any]) -> None:
    store, page = shop
    store.set_faults([])
    runner = recorder()
    for path in ("/", "/search?q=mug", "/products/blue-mug", "/cart", "/checkout", "/signup", "/login", "/support"):
        page.goto(path)
        audit(runner, page, FAIL_ON)
    page.goto(f"{store.wallet_url}/authorize?session=s&amount=1200&origin={store.url}")
    audit(runner, page, FAIL_ON, label="wallet popup")
    names = [a.name for a in runner.attached]
    assert "accessibility audit wallet popup" in names and "accessibility audit wallet popup (axe JSON)" in names
    report = json.loads(runner.attached[0].body)
    assert report["url"].endswith("/") and report["fail_on"] == FAIL_ON and "axe-core" in report["testEngine"]["name"]


def test_unlabelled_postal_code_is_a_critical_violation(shop: tuple[DemoStore, Any]) -> None:
    store, page = shop
    store.set_faults(["unlabelled-field"])
    try:
        page.goto("/checkout")
        runner = recorder()
        with pytest.raises(AccessibilityViolation) as failed:
            audit(runner, page, FAIL_ON)
        assert str(failed.value).startswith(
            f"accessibility violation: label (critical) at #postal_code on {store.url}/checkout: "
            "Form elements must have labels")
        (summary,) = [a for a in runner.attached if a.mime == "text/plain"]
        assert "1 accessibility violation (1 critical)" in summary.body.decode()
        assert audit(runner, page, ["minor"]) != []  # a policy that ignores critical lets it pass, still reported
    finally:
        store.set_faults([])
