"""The generated Allure report, opened in Chromium: what a person sees on a failed test, Categories, Behaviors,
Overview."""
from __future__ import annotations

import json
import re
from typing import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from checkout_tester.report.allure_results import whole_ms
from checkout_tester.run.browser import launch_options
from checkout_tester.target.config import BrowserSettings
from tests.allure.conftest import AllureRun

pytestmark = pytest.mark.e2e
FAILED = "Sign up a new shopper [Janet.Doe@Example.com]"
LEAF = re.compile(re.escape(FAILED))  # case-sensitive: not the [JANET.DOE@EXAMPLE.COM] variant
WAIT_MS = 30_000  # two loaded cores: Allure's page renders slowly
MESSAGE = ("visible error message: Sign up a new shopper: step 5 `click role='button' name='Create account'` "
           "failed at flows/signup.flow.yaml:17")


@pytest.fixture(scope="module")
def report(allure_run: AllureRun) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(BrowserSettings(), playwright.chromium.executable_path))
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        try:
            yield page
        finally:
            expect.set_options(timeout=5_000)  # Playwright's default, for the rest of the session
            browser.close()


def _open(page: Page, allure_run: AllureRun, tab: str) -> None:
    page.goto(f"{allure_run.report.as_uri()}#{tab}")
    expect(page.locator(".side-nav__item_active, .side-nav a.side-nav__link_active").first).to_be_visible()


def _expand(title: Locator, child: Locator) -> None:
    """Open a tree node unless it is open already (Allure keeps the tree's state between pages)."""
    expect(title).to_be_visible()
    if not child.first.is_visible():
        title.click()
    expect(child.first).to_be_visible()


def _allure_duration(ms: int) -> str:
    return f"{ms}ms" if ms < 1000 else f"{ms // 1000}s {ms % 1000}ms" if ms % 1000 else f"{ms // 1000}s"


def test_a_failed_test_shows_its_steps_the_short_message_and_no_fixture_rows(report: Page,
                                                                            allure_run: AllureRun) -> None:
    _open(report, allure_run, "categories")
    group = report.locator(".node__title", has_text=MESSAGE)
    _expand(report.get_by_text("Visible error message", exact=True), group)
    _expand(group, report.locator(".node__leaf", has_text=LEAF))
    report.locator(".node__leaf", has_text=LEAF).click()
    result = report.locator(".test-result")
    expect(result.locator(".test-result__name, h2").first).to_contain_text(LEAF)
    expect(result.locator(".status-details__message").first).to_have_text(MESSAGE)
    expect(result.get_by_text("Test body")).to_be_visible()
    expect(result.get_by_text("Set up", exact=True)).to_have_count(0)
    expect(result.get_by_text("Tear down", exact=True)).to_have_count(0)
    # Each step reads the duration timings.json reports for it.
    timings = json.loads((allure_run.folder / "reports" / "timings.json").read_text())
    (run,) = [r for r in timings["runs"] if r["variant"] == "Janet.Doe@Example.com"]
    for step in run["step_times"]:
        row = result.locator(".step__title", has_text=f"step {step['index']} {step['title']}")
        expect(row).to_contain_text(_allure_duration(whole_ms(step["ms"])))
    step_message = result.locator(".step .status-details__message")
    _expand(report.get_by_text("step 5 click role='button' name='Create account'"), step_message)
    expect(step_message.first).to_have_text(MESSAGE)  # the same class as the test's
    # The whole text is one click away, in the trace.
    result.locator(".status-details__message").first.click()
    expect(result.locator(".status-details__trace").first).to_contain_text("unknown email format")


def test_categories_group_by_class_then_flow_and_step(report: Page, allure_run: AllureRun) -> None:
    _open(report, allure_run, "categories")
    visible = report.locator(".node", has=report.get_by_text("Visible error message", exact=True)).first
    expect(visible.locator(".node__stats").first).to_have_text("2")
    rejected = report.locator(".node", has=report.get_by_text("Valid input rejected", exact=True)).first
    expect(rejected.locator(".node__stats").first).to_have_text("1")
    group = report.locator(".node__title", has_text=MESSAGE)
    _expand(report.get_by_text("Visible error message", exact=True), group)
    expect(group).to_have_count(1)  # both capitalised variants under one flow + step
    expect(group.locator(".node__stats")).to_have_text("2")


def test_behaviors_show_epic_feature_story(report: Page, allure_run: AllureRun) -> None:
    _open(report, allure_run, "behaviors")
    _expand(report.get_by_text("flows", exact=True), report.get_by_text("smoke", exact=True))
    signup = report.locator(".node", has=report.get_by_text("signup", exact=True)).first
    story = signup.locator(".node__title", has_text="Sign up a new shopper")
    _expand(report.get_by_text("signup", exact=True), story)
    _expand(story.first, signup.locator(".node__leaf", has_text=LEAF))


def test_overview_names_the_ci_build(report: Page, allure_run: AllureRun) -> None:
    _open(report, allure_run, "")
    executors = report.locator(".widget", has=report.get_by_text("Executors", exact=True))
    expect(executors).to_contain_text("GitHub Actions")
    link = executors.get_by_role("link", name="flows #17 (checkout)")
    expect(link).to_have_attribute("href", "https://github.example/acme/shop/actions/runs/4242")
    report.screenshot(path=str(allure_run.folder / "overview.png"))
