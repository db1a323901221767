"""Secrets are never written down: every shipped flow runs with tracing, video and screenshots on, with known
secret values (the demo target's, a `--secret`, a secret `--var`) and failing faults; then no file under the
run's folder (archives unzipped) and no line of its console holds any of them, in any encoding searched.
A scrubbed trace still opens in Playwright's trace viewer.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from checkout_tester.base.redaction import MASK, scrub_har
from checkout_tester.flow.loader import load_flow
from checkout_tester.session import demo_session, new_runner
from checkout_tester.target.config_file import load_target
from tests.e2e.runner import ROOT
from tests.output.helpers import FIXTURES, junit, project, run_cli

pytestmark = pytest.mark.e2e

ENV = {  # config/demo.yaml maps the demo target's secrets to these
    "DEMO_SHOP_PASSWORD": 'env pass & "word" <9>',  # known from the start; --secret below types another one
    "DEMO_CARD_NUMBER": "4242 4242 4242 4242",  # typed, and shown by the card field as its placeholder
    "DEMO_DECLINED_CARD": "4000 0000 0000 0002",
}
GIVEN_PASSWORD = 's3cret & "horse"+é <42>'  # --secret SHOP_PASSWORD=...: typed into every signup and login
SECRET_NAME = "Janet Quietly Doe"  # --var name=...: the target lists `name` under secrets; typed, posted, mailed
TYPED_PASSWORD = "typed in plain 77"  # m_typed_password types it into a password field: not a secret.X
UNSCANNED_PASSWORD = "typed unscanned 78"  # the same with the page-reading detectors off (no scan to tell)
SECRETS = [*ENV.values(), GIVEN_PASSWORD, SECRET_NAME, TYPED_PASSWORD, UNSCANNED_PASSWORD]
FAULTS = ("uppercase-email", "wallet-down")  # signups with capitals fail, and so does the wallet checkout
OURS = ("l_card_in_view.flow.yaml",  # shows the card form (its placeholder: the card number), types nothing
        "m_typed_password.flow.yaml",  # types TYPED_PASSWORD into a login form's password field
        "n_typed_password_unscanned.flow.yaml")  # UNSCANNED_PASSWORD, the detectors reading pages off


def _forms(secret: str) -> set[bytes]:
    """How a secret may be spelled in a file, found independently of the code under test."""
    found = set()
    for text in {secret, secret.replace(" ", ""), secret.replace(" ", "-")}:
        found |= {text, urllib.parse.quote(text), urllib.parse.quote_plus(text), urllib.parse.quote(text, safe=""),
                  html.escape(text), json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    return {form.encode() for form in found if len(form) >= 8}


def _written(top: Path) -> Iterator[tuple[str, bytes]]:
    """Every file at or under top, and every member of every archive (traces, Allure's copies of them)."""
    for path in [top, *top.rglob("*")] if top.is_dir() else [top]:
        if path.is_file():
            data, name = path.read_bytes(), str(path.relative_to(top.parent))
            yield name, data
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        yield f"{name}!{member}", archive.read(member)


def _selection(cwd: Path) -> list[str]:
    """Every shipped flow; of one with variant rows, its first two (a passing and, under the faults, a failing one)."""
    chosen = []
    for file in sorted((cwd / "flows").glob("*.flow.yaml")):
        relative = file.relative_to(cwd).as_posix()
        rows = [row.id for row in load_flow(file).variant_rows if row.id]
        chosen += [f"{relative}::{file.name[:-len('.flow.yaml')]}[{row}]" for row in rows[:2]] or [relative]
    return chosen


@dataclass
class Run:
    cwd: Path
    console: str
    seconds: float


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    cwd = project(tmp_path_factory.mktemp("secrets"))
    ours = [f"flows/{name}" for name in OURS]  # among the shipped flows: they use their parts
    for name in OURS:
        shutil.copy(FIXTURES / name, cwd / "flows")
    demo = (cwd / "config/demo.yaml").read_text()
    (cwd / "config/secret-vars.yaml").write_text(  # the demo target, with the contact name a secret too
        demo.replace("secrets:\n", "secrets:\n  name: {env: SUPPORT_CONTACT_NAME}\n", 1))
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as env:  # the run's subprocess inherits them
        for name, value in ENV.items():
            env.setenv(name, value)
        done = run_cli(cwd, *_selection(cwd), *ours, "--target=config/secret-vars.yaml", "--tracing=on", "--video=on",
                       "--screenshot=on", "--retries=0",  # one attempt each: tests/retry checks the retry's files
                       *(f"--store-fault={fault}" for fault in FAULTS),
                       f"--var=name={SECRET_NAME}", f"--secret=SHOP_PASSWORD={GIVEN_PASSWORD}")
    return Run(cwd, done.stdout + done.stderr, time.monotonic() - started)


def test_no_secret_in_any_file_archive_or_console_line(run: Run) -> None:
    outcomes = junit(run.cwd)
    failed = sorted(name for name, outcome in outcomes.items() if outcome.outcome == "failed")
    assert failed == ["checkout_wallet", "l_card_in_view", "m_typed_password", "n_typed_password_unscanned",
                      "signup[Janet.Doe@Example.com]",
                      "signup_equivalents[email=capital-local]"], run.console
    assert outcomes["checkout_card"].outcome == "passed" and outcomes["contact_support"].outcome == "passed"
    assert f"--secret=SHOP_PASSWORD={MASK}" in run.console and f"--var=name={MASK}" in run.console  # Reproduce:
    files = [found for top in run.cwd.iterdir() if top.name not in ("flows", "config")  # reports/, .pytest_cache ...
             for found in _written(top)]
    kinds = {Path(name.split("!")[-1]).suffix or Path(name).name for name, _ in files}
    assert {".webm", ".png", ".zip", ".trace", ".network", ".html", ".json", ".xml"} <= kinds, sorted(kinds)
    traces = [name for name, _ in files if name.endswith("trace.zip")]
    assert len(traces) == len(outcomes), traces  # --tracing on: every test's trace, passed ones too
    leaks = sorted({(name, form.decode()) for name, data in files for secret in SECRETS for form in _forms(secret)
                    if form in data})
    assert leaks == [], leaks
    shown = [form.decode() for secret in SECRETS for form in _forms(secret) if form.decode() in run.console]
    assert shown == [], shown
    masked = [name for name, data in files if name.endswith("trace.zip!trace.trace") and MASK.encode() in data]
    for flow in ("checkout_card", "checkout_wallet", "contact_support", "l_card_in_view", "m_typed_password"):
        assert any(f"--{flow}-" in name for name in masked), (flow, masked)  # the scrub had work to do here
    print(f"run took {run.seconds:.1f} s for {len(outcomes)} tests, {len(files)} files and members searched")


def test_a_scrubbed_trace_still_opens_in_the_trace_viewer(run: Run) -> None:
    from playwright.sync_api import expect, sync_playwright

    from checkout_tester.run.browser import launch_options
    from checkout_tester.target.config import BrowserSettings

    trace = next((run.cwd / "reports/test-results").glob("*checkout_card*/trace.zip"))
    assert MASK.encode() in zipfile.ZipFile(trace).read("trace.trace")  # the card number was blanked in it
    viewer = subprocess.Popen([sys.executable, "-m", "playwright", "show-trace", "--port", "0", "--host", "127.0.0.1",
                               str(trace)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        assert viewer.stdout is not None
        url = ""
        for line in viewer.stdout:  # the viewer prints `Listening on http://127.0.0.1:PORT` once it serves
            found = re.search(r"Listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        if not url:
            pytest.skip(f"playwright show-trace did not serve here (exit code {viewer.wait(timeout=30)})")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options(BrowserSettings(), playwright.chromium.executable_path))
            try:
                page = browser.new_page()
                page.goto(url)
                actions = page.get_by_role("tree").get_by_role("treeitem")
                expect(actions.filter(has_text=f'Fill "{MASK}"').first).to_be_visible(timeout=30_000)
                expect(actions.filter(has_text='Fill "12/30"')).to_have_count(1)  # not secret: shown as typed
                assert actions.count() > 20
                expect(page.get_by_text("Could not load trace")).to_have_count(0)  # what it shows for a broken one
            finally:
                browser.close()
    finally:
        os.killpg(viewer.pid, signal.SIGTERM)
        viewer.wait(timeout=30)


@pytest.mark.parametrize("name", ["network.har", "network.zip"])  # bodies inline (embed), or as files (attach)
def test_a_har_the_browser_recorded_is_scrubbed(tmp_path: Path, name: str) -> None:
    target = load_target(ROOT / "config/demo.yaml")
    flow = load_flow(FIXTURES / "m_typed_password.flow.yaml", root=FIXTURES)
    har = tmp_path / name
    with demo_session(target) as (session, store):
        context = session.browser.new_context(**session.context_args(), record_har_path=str(har))
        try:
            runner = new_runner(context.new_page(), target, session.mail, base_url=store.url, artifacts=tmp_path)
            with pytest.raises(AssertionError, match="Email or password is incorrect"):
                runner.run(flow)
        finally:
            context.close()  # writes the HAR
    typed = [form for form in _forms(TYPED_PASSWORD) if any(form in data for _, data in _written(har))]
    assert typed, "the login form's post is in the HAR before it is scrubbed"
    scrub_har(har, runner.redactor)
    leaks = [(member, form) for member, data in _written(har) for form in _forms(TYPED_PASSWORD) if form in data]
    assert leaks == [], leaks
    members = dict(_written(har))
    entries = json.loads(next(data for member, data in members.items() if member.endswith(".har")))["log"]["entries"]
    posted = next(entry["request"]["postData"] for entry in entries if entry["request"]["method"] == "POST")
    body = posted.get("text") or members[f"{name}!{posted['_file']}"].decode()  # .zip: the body is a file of its own
    assert f"password={MASK}" in urllib.parse.unquote_plus(body), posted
