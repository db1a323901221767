"""Timing pictures as a person sees them: a real run with a slow cart, the Allure report from the real generator
and reports/summary.html, both opened in Chromium."""
from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from checkout_tester.report.html import generate
from tests.e2e.runner import ROOT

CLI = Path(sys.executable).with_name("checkout-tester")
FLOW = Path(__file__).parent / "fixtures" / "slow_cart.flow.yaml"
SHOTS = ROOT / "test-results" / "charts"  # kept as test artifacts (git-ignored)
DOCS_PICTURE = ROOT / "docs" / "waterfall.png"  # refreshed with CHECKOUT_TESTER_UPDATE_DOCS=1
STEPS = ("1 goto /", "2 fill label='Search'", "5 click role='button' name='Add to cart'",
         "6 expect_text 'Added Blue Mug to your cart.'")
SLOW_PAGE = "page load POST /products/blue-mug"  # the add-to-cart post, redirected to the slowed /cart
WAIT_S = 90  # six engineers share two cores


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of a flow, twice (--repeat 2), with /cart answering 800 ms late: over its 600 ms page budget."""
    folder = tmp_path_factory.mktemp("charts")
    shutil.copytree(ROOT / "config", folder / "config")
    (folder / "suite").mkdir()
    shutil.copy(FLOW, folder / "suite" / FLOW.name)
    done = subprocess.run([str(CLI), "run", "suite/", "--store-fault", "slow:/cart:800", "--repeat", "2"],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "summary: reports/summary.html" in done.stdout
    return folder


@pytest.fixture(scope="module")
def browser_page() -> Iterator[tuple[Page, list[str]]]:
    """A Chromium page and the URLs of every request it makes."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WAIT_S * 1000)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        yield page, requests
        browser.close()


def _left_the_file(requests: list[str]) -> list[str]:
    return [url for url in requests if not url.startswith(("file:", "blob:", "data:", "about:"))]


def _open_test(page: Page, name: str) -> None:
    """Allure's Suites tree starts folded: unfold groups until the test shows, then open it."""
    leaf = page.locator(".node__leaf .node__name", has_text=name).first
    deadline = time.monotonic() + WAIT_S
    while not leaf.is_visible():
        assert time.monotonic() < deadline, f"test {name!r} never showed in Allure's Suites tree"
        folded = page.locator(".node:not(.node__expanded):not(.node__leaf) > .node__title")
        if folded.count():
            folded.first.click()
    leaf.click()


def test_the_waterfall_shows_inline_in_the_allure_report(project: Path, browser_page: tuple[Page, list[str]]) -> None:
    page, requests = browser_page
    results, report = project / "reports" / "allure-results", project / "reports" / "allure-report"
    assert generate(str(results), str(report)) == 0  # Allure 2's own generator, single file and site
    page.goto((report / "index.html").as_uri() + "#suites")
    _open_test(page, "Add a mug to a slow cart")
    row = page.locator(".attachment-row", has=page.locator(".attachment-row__name", has_text=re.compile("^waterfall$")))
    row.click()
    picture = page.locator(".attachment-preview_svg img.attachment-preview__media").first
    expect(picture).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=picture.element_handle())
    assert picture.bounding_box()["height"] > 200  # type: ignore[index]  # shown in the page, not as a link
    svg = picture.evaluate("async img => await (await fetch(img.src)).text()")
    _check_waterfall_source(svg)
    spread = page.locator(".attachment-row__name", has_text="step times over 2 runs").first
    spread.click()
    expect(page.locator(".attachment-preview_svg img.attachment-preview__media")).to_have_count(2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "allure-waterfall.png"))
    assert not _left_the_file(requests), _left_the_file(requests)


def _check_waterfall_source(svg: str) -> None:
    """What the picture draws, read from the SVG the report shows: names, bars, budget lines, marks, legend."""
    texts = [re.sub(r"\s+", " ", t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for step in STEPS:
        assert any(t.strip() == step.replace("'", "&#x27;") or t.strip() == step for t in texts), (step, texts)
    assert any(SLOW_PAGE in t for t in texts)
    assert len(re.findall(r'id="step-bar-', svg)) == 6 and len(re.findall(r'id="page-bar-', svg)) == 4
    assert re.search(r'id="page-bar-warn-\d+"', svg), "the slowed page's bar is coloured as over its budget"
    assert re.search(r'id="budget-warn-\d+"', svg), "the 600 ms page budget is drawn"
    assert re.search(r'id="mark-TTFB-\d+"', svg) and re.search(r'id="mark-LCP-\d+"', svg)
    for label in ("TTFB", "LCP", "warn budget", "over warn budget", "time since the flow started"):
        assert any(label in t for t in texts), label
    assert any(re.fullmatch(r"\d(\.\d+)? s|\d+ ms", t.strip()) for t in texts), "the axis reads in ms or s"


def test_summary_html_opens_from_disk_with_the_same_pictures(project: Path,
                                                            browser_page: tuple[Page, list[str]]) -> None:
    page, requests = browser_page
    summary = project / "reports" / "summary.html"
    html = summary.read_text()
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls and all(url.startswith("http://127.0.0.1:") for url in urls), urls  # the store's pages, as text
    requests.clear()
    page.goto(summary.as_uri())
    section = page.locator("section.flow").first
    expect(section.locator("h2")).to_contain_text("Add a mug to a slow cart")
    expect(section.locator("h2 .status")).to_have_text("degraded")
    waterfall = section.locator("figure.waterfall svg")
    texts = waterfall.locator("text").all_text_contents()
    for step in STEPS:
        assert step in texts, (step, texts)
    assert any(SLOW_PAGE in t for t in texts)
    expect(waterfall.locator("g[id^='page-bar-warn-']").first).to_be_visible()
    lines = waterfall.locator("g[id^='budget-warn-']")  # vertical dashes: no width, so check their height
    assert lines.count() and lines.first.evaluate("g => g.getBoundingClientRect().height") > 5
    expect(waterfall.locator("g[id^='mark-TTFB-']").first).to_be_visible()
    expect(waterfall.locator("g[id^='mark-LCP-']").first).to_be_visible()
    assert {"TTFB", "LCP", "warn budget"} <= set(texts)
    spread = section.locator("figure.distribution svg text").all_text_contents()
    assert "Add a mug to a slow cart: 2 runs, time per step" in spread
    slowest = page.locator("#slowest-pages + table tr").nth(1)
    expect(slowest).to_contain_text(SLOW_PAGE)
    assert _ms(slowest.locator("td").nth(3).inner_text()) >= 800  # the slowed /cart is the slowest page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "summary.png"), full_page=True)
    section.locator("figure.waterfall").screenshot(path=str(SHOTS / "waterfall.png"))
    if os.environ.get("CHECKOUT_TESTER_UPDATE_DOCS"):
        DOCS_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copy(SHOTS / "waterfall.png", DOCS_PICTURE)
    assert not _left_the_file(requests), _left_the_file(requests)


def test_timings_json_places_every_step_and_page_on_the_flow_clock(project: Path) -> None:
    runs: list[dict[str, Any]] = json.loads((project / "reports" / "timings.json").read_text())["runs"]
    assert len(runs) == 2
    for run in runs:
        starts = [step["start_ms"] for step in run["step_times"]]
        assert starts == sorted(starts) and starts[0] < 100  # top-level steps, one after another
        for step, after in itertools.pairwise(run["step_times"]):
            assert step["start_ms"] + step["ms"] <= after["start_ms"] + 1
        for page in run["pages"]:
            step = next(s for s in run["step_times"] if s["index"] == page["step"])
            assert step["start_ms"] <= page["start_ms"] <= step["start_ms"] + step["ms"]
        slow = next(p for p in run["pages"] if p.get("landed_url", "").endswith("/cart"))
        assert slow["over"].get("page_load") in ("warn", "fail") and slow["budget"] == {"warn": 600.0, "fail": 10000.0}
        assert run["budgets"]["flow"] == {"warn": 20000.0}


def _ms(text: str) -> float:
    number, unit = text.split()
    return float(number) * (1000 if unit == "s" else 1)
