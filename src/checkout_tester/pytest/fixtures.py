"""Fixtures of the pytest plugin, overriding pytest-playwright's where the target config decides.

Registered from pytest_configure, after pytest-playwright's own base_url fallback, so these win.
"""
from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.mail import mailbox
from checkout_tester.mail.spool import SpoolReader
from checkout_tester.pytest import retry, secrets, shared_mail
from checkout_tester.report.allure import AllureListener, write_results_metadata
from checkout_tester.report.timings import TimingRecorder
from checkout_tester.report.waterfall import WaterfallRecorder
from checkout_tester.run import remote
from checkout_tester.run.browser import context_options, launch_options
from checkout_tester.session import new_runner
from checkout_tester.target import browser_state as browserstate
from checkout_tester.target.config import Target
from checkout_tester.target.config_file import load_target

FAILURE_SHOT_MS = 5000


@pytest.fixture(scope="session")
def checkout_target(pytestconfig: pytest.Config) -> Target:
    return session_target(pytestconfig)


@pytest.fixture(scope="session")
def checkout_mail(pytestconfig: pytest.Config, checkout_target: Target) -> Iterator[Any]:
    """Where expect_email reads mail: an SMTP sink run here (the demo store's default) or Mailpit; or None.
    An xdist worker reads the controller's sink when the target's port is fixed (shared_mail)."""
    shared = shared_mail.worker_spool(pytestconfig)
    if shared is not None:
        yield SpoolReader(*shared)
        return
    with mailbox.open_mail_source(checkout_target) as source:
        yield source


@pytest.fixture(scope="session")
def checkout_store(pytestconfig: pytest.Config, checkout_target: Target, checkout_mail: Any) -> Iterator[Any]:
    """The embedded demo store, started once per session (per xdist worker) when targeted."""
    if not checkout_target.is_demo or pytestconfig.getoption("--base-url"):
        yield None
        return
    from checkout_tester.demostore import DemoStore

    faults = checkout_target.demo_store.faults + pytestconfig.getoption("--store-fault")
    with DemoStore(port=checkout_target.demo_store.port, faults=faults, **mailbox.smtp_address(checkout_mail)) as store:
        yield store


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config, checkout_target: Target, checkout_store: Any) -> str | None:
    option = pytestconfig.getoption("--base-url")
    if option:
        return option
    return checkout_store.url if checkout_store is not None else checkout_target.base_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, checkout_target: Target,
                             playwright: Any, browser_name: str) -> dict:
    ours = launch_options(checkout_target.browser, playwright.chromium.executable_path)
    if browser_name != "chromium" or "channel" in browser_type_launch_args:
        ours.pop("executable_path", None)  # another browser, or a channel: the executable is not ours
    # pytest-playwright's options (--headed, --slowmo, --browser-channel) win; flags add up.
    args = {**ours, **browser_type_launch_args}
    args["args"] = ours["args"] + list(browser_type_launch_args.get("args", []))
    return args


@pytest.fixture(scope="session")
def launch_browser(launch_browser: Any, playwright: Any, browser_type: Any, checkout_target: Target,
                   browser_type_launch_args: dict) -> Any:
    """pytest-playwright's launch, or a connection to the target's remote browser (browser.connect / cdp)."""
    if checkout_target.browser.remote is None:
        return launch_browser
    slow_mo = {"slow_mo": browser_type_launch_args["slow_mo"]} if browser_type_launch_args.get("slow_mo") else {}
    return remote.starter(playwright, checkout_target, slow_mo, browser_type=browser_type)


@pytest.fixture(scope="session")
def browser(launch_browser: Any) -> Iterator[Any]:
    """pytest-playwright's browser, launched again for the next flow when it crashed (or was killed)."""
    from checkout_tester.run.relaunch import RelaunchingBrowser

    try:
        held = RelaunchingBrowser(launch_browser)
    except CheckoutTesterError as exc:  # a remote browser that refused the connection: one line, no traceback
        pytest.fail(str(exc), pytrace=False)
    yield held
    held.close()


@pytest.fixture
def context(new_context: Any, browser: Any, browser_context_args: dict, request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-playwright's context; when its browser died meanwhile, there is nothing left to close or trace."""
    marker = next(request.node.iter_markers("browser_context_args"), None)
    made = new_context(**retry.context_args(request, {**browser_context_args, **(marker.kwargs if marker else {})}))
    yield made
    if not browser.is_connected():
        made.close = lambda *args, **kwargs: None  # closing would raise TargetClosedError from Tracing.stop


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, checkout_target: Target) -> dict:
    # A flow's own storage_state comes as a browser_context_args marker (pytest/plugin.py), overriding this.
    state = {"storage_state": checkout_target.storage_state} if checkout_target.storage_state else {}
    return {**browser_context_args, **context_options(checkout_target.browser), **state}


@pytest.fixture(scope="session")
def checkout_testid(playwright: Any, checkout_target: Target) -> str:
    """`testid:` locators read the target's testid_attribute (Playwright's selectors.set_test_id_attribute)."""
    browserstate.apply_testid(playwright, checkout_target)
    return checkout_target.testid_attribute


@pytest.fixture
def checkout_state(request: pytest.FixtureRequest, checkout_target: Target) -> str | None:
    """The storage state the flow starts from, checked before the browser context is made from it."""
    try:
        return browserstate.check_state(checkout_target, getattr(request.node, "flow", None))
    except CheckoutTesterError as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def output_path(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> str:
    """pytest-playwright's artifact folder, unique per variant: its slug lower-cases, so
    signup[Janet@Example.com] and signup[JANET@EXAMPLE.COM] would overwrite each other."""
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    folder = Path(pytestconfig.getoption("--output")).absolute()
    again = retry.attempt(request.node) - 1  # a retry's evidence beside the first attempt's, as Playwright Test keeps it
    return str(folder / f"{_slug(request.node.nodeid)[:80]}-{digest}{f'-retry{again}' if again else ''}")


@pytest.fixture(scope="session")
def checkout_environment(pytestconfig: pytest.Config, browser: Any, checkout_target: Target,
                         base_url: str | None) -> dict[str, str]:
    """What the run ran against, for Allure's Environment panel."""
    environment = {"target": checkout_target.name, "config": checkout_target.source,
                   "base_url": base_url or "", "browser": browser.browser_type.name,
                   "browser_version": browser.version,
                   "faults": ",".join(pytestconfig.getoption("--store-fault")) or "none"}
    alluredir = pytestconfig.getoption("allure_report_dir", None)
    if alluredir:
        write_results_metadata(alluredir, environment)
    return environment


@pytest.fixture
def checkout_runner(request: pytest.FixtureRequest, page: Any, checkout_target: Target,
                    checkout_store: Any, base_url: str | None, checkout_environment: dict,
                    checkout_mail: Any, checkout_testid: str, output_path: str) -> Any:
    """Runs the item's flow on pytest-playwright's page."""
    item = request.node
    if checkout_store is not None:
        checkout_store.reset()  # each flow meets a fresh store, as each test gets a fresh database
    artifacts = Path(request.config.getoption("--artifacts")) / _slug(item.nodeid)
    timings = TimingRecorder(item)
    drawn = bool(request.config.getoption("allure_report_dir", None))  # the picture costs ~0.1 s: only for Allure
    waterfall = WaterfallRecorder(timings, checkout_target.budgets, use_allure=drawn)  # before `timings`: adds to it
    runner = new_runner(page, checkout_target, checkout_mail, listeners=[AllureListener(), waterfall, timings],
                        artifacts=artifacts, reproduce=reproduce_command(item), base_url=base_url)
    timings.redactor = runner.redactor  # the secrets this run types are masked in timings.json too
    item._checkout_runner = runner
    values = dict(v.split("=", 1) for v in request.config.getoption("--var") if "=" in v)

    def run() -> None:
        try:
            runner.run(item.flow, item.variant, values)
        except Exception:
            if request.config.getoption("--screenshot", "off") == "off":  # else pytest-playwright takes its own
                failure_screenshot(page, Path(output_path))
            raise
        expected = getattr(runner, "failed_as_expected", "")
        if expected:  # JUnit property; the console and the summary show it as an expected failure
            item.user_properties.append(("expected_failure", expected))

    return run


def failure_screenshot(page: Any, folder: Path) -> None:
    """The page as the failed flow left it, attached as pytest-playwright's only-on-failure would attach it.
    Taken here, only when a flow failed: pytest-playwright's option shoots every page of every test at
    teardown (~0.1 s a flow) and keeps the failed ones. Secret fields are drawn as dots (engine.MASK_SCRIPT)."""
    import allure

    path = folder / "test-failed-1.png"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), timeout=FAILURE_SHOT_MS)
    except Exception:  # noqa: BLE001 - a closed or crashed page: the failure message says what happened
        return
    allure.attach.file(str(path), name="screenshot on failure", attachment_type=allure.attachment_type.PNG)


def session_target(config: pytest.Config) -> Target:
    if not hasattr(config, "_checkout_target"):
        try:
            # --secret values and secret --vars are known before any flow runs (secrets.py)
            config._checkout_target = secrets.apply(config, load_target(config.getoption("--target")))  # type: ignore[attr-defined]
        except CheckoutTesterError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config._checkout_target  # type: ignore[attr-defined]


def reproduce_command(item: Any) -> str:
    """One line that re-runs just this flow variant as it ran: same program, target, base URL, faults, variables.

    It works verbatim from the folder the run started in: test ids are relative to that folder."""
    config = item.config
    nodeid = getattr(item, "base_nodeid", item.nodeid)  # a --repeat copy: re-run the variant once
    parts = shlex.split(config.getoption("--checkout-command") or "pytest") + [nodeid]
    for option in ("--target", "--base-url"):
        if config.getoption(option):
            parts.append(f"{option}={config.getoption(option)}")
    parts += [f"--store-fault={fault}" for fault in config.getoption("--store-fault")]
    parts += secrets.reproduce_options(config, session_target(config))  # --secret, --var; secret values masked
    return shlex.join(parts)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:120]


