"""pytest plugin: flow files become test items; the engine does the work, pytest-playwright the browser."""
from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkout_tester.config import Target, load_target, resolve_executable
from checkout_tester.engine import Runner, StepFailed
from checkout_tester.errors import CheckoutTesterError, FlowError, StoreUnreachable
from checkout_tester.loader import load_flow
from checkout_tester.model import Flow, Variant
from checkout_tester.redaction import scrub_zip
from checkout_tester.reporting.allure import AllureListener, write_results_metadata
from checkout_tester import browser as browser_setup

FLOW_SUFFIX = ".flow.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("checkout-tester", "checkout-tester flows")
    group.addoption("--target", default=None, help="target config (default: config/demo.yaml or the built-in demo store)")
    group.addoption("--store-fault", action="append", default=[], metavar="NAME",
                    help="switch on a demo store fault (repeatable), e.g. uppercase-email, slow:/cart:800")
    group.addoption("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="set a flow variable for this run (repeatable), e.g. --var email=Janet@Example.com")
    group.addoption("--artifacts", default="reports/artifacts", help="folder for screenshots and logs")


def pytest_configure(config: pytest.Config) -> None:
    # Registered now, after pytest-playwright's own base_url fallback, so these fixtures win.
    config.pluginmanager.register(Fixtures(), "checkout-tester-fixtures")
    if config.getoption("--video", "off") != "off":
        browser_setup.ensure_ffmpeg()
    alluredir = config.getoption("allure_report_dir", None)
    if alluredir and not hasattr(config, "workerinput"):
        target = _target(config)
        write_results_metadata(alluredir, {"target": target.name, "base_url": target.base_url,
                                           "config": target.source})


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(FLOW_SUFFIX):
        return FlowFile.from_parent(parent, path=file_path)
    return None


class FlowFile(pytest.File):
    """A *.flow.yaml file: one item per variant row."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            flow = load_flow(self.path)
        except FlowError as exc:
            raise self.CollectError(str(exc)) from None
        base = self.path.name[: -len(FLOW_SUFFIX)]
        for variant in flow.variant_rows:
            name = f"{base}[{variant.id}]" if variant.id else base
            item = FlowItem.from_parent(self, name=name, callobj=_flow_test)
            item.flow, item.variant = flow, variant
            for tag in flow.tags:
                self.config.addinivalue_line("markers", f"{tag}: flow tag")
                item.add_marker(tag)
            yield item


def _flow_test(page: Any, checkout_runner: Any) -> None:
    checkout_runner()


class FlowItem(pytest.Function):
    """One flow variant; reported at its YAML line, failing with the engine's message."""

    flow: Flow
    variant: Variant

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.flow.source.line - 1, f"{self.flow.name} [{self.variant.id}]" if self.variant.id else self.flow.name

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (StepFailed, StoreUnreachable, CheckoutTesterError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)


def _target(config: pytest.Config) -> Target:
    if not hasattr(config, "_checkout_target"):
        try:
            config._checkout_target = load_target(config.getoption("--target"))  # type: ignore[attr-defined]
        except CheckoutTesterError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config._checkout_target  # type: ignore[attr-defined]


def reproduce_command(item: FlowItem) -> str:
    """One line that re-runs just this flow variant with the same target and faults."""
    config = item.config
    parts = ["pytest", item.nodeid]
    if config.getoption("--target"):
        parts += ["--target", config.getoption("--target")]
    for fault in config.getoption("--store-fault"):
        parts += ["--store-fault", fault]
    for var in config.getoption("--var"):
        parts += ["--var", var]
    return shlex.join(parts)


class Fixtures:
    """Fixtures, overriding pytest-playwright's where the target config decides."""

    @pytest.fixture(scope="session")
    def checkout_target(self, pytestconfig: pytest.Config) -> Target:
        return _target(pytestconfig)

    @pytest.fixture(scope="session")
    def checkout_store(self, pytestconfig: pytest.Config, checkout_target: Target) -> Iterator[Any]:
        """The embedded demo store, started once per session (per xdist worker) when targeted."""
        if not checkout_target.is_demo or pytestconfig.getoption("--base-url"):
            yield None
            return
        from checkout_tester.demostore import DemoStore

        faults = checkout_target.demo_store.faults + pytestconfig.getoption("--store-fault")
        with DemoStore(port=checkout_target.demo_store.port, faults=faults) as store:
            yield store

    @pytest.fixture(scope="session")
    def base_url(self, pytestconfig: pytest.Config, checkout_target: Target, checkout_store: Any) -> str | None:
        option = pytestconfig.getoption("--base-url")
        if option:
            return option
        return checkout_store.url if checkout_store is not None else checkout_target.base_url

    @pytest.fixture(scope="session")
    def browser_type_launch_args(self, browser_type_launch_args: dict, checkout_target: Target,
                                 playwright: Any, browser_name: str) -> dict:
        args = {"headless": checkout_target.browser.headless, **browser_type_launch_args}
        if checkout_target.browser.args:
            args["args"] = list(checkout_target.browser.args) + list(args.get("args", []))
        if browser_name == "chromium" and "executable_path" not in args and "channel" not in args:
            executable = resolve_executable(checkout_target.browser.executable, playwright.chromium.executable_path)
            if executable:
                args["executable_path"] = executable
        return args

    @pytest.fixture(scope="session")
    def browser_context_args(self, browser_context_args: dict, checkout_target: Target) -> dict:
        extra: dict[str, Any] = {}
        if checkout_target.browser.viewport:
            extra["viewport"] = checkout_target.browser.viewport
        if checkout_target.browser.locale:
            extra["locale"] = checkout_target.browser.locale
        return {**browser_context_args, **extra}

    @pytest.fixture
    def checkout_runner(self, request: pytest.FixtureRequest, page: Any, checkout_target: Target,
                        browser: Any) -> Any:
        """Runs the item's flow on pytest-playwright's page."""
        item = request.node
        artifacts = Path(request.config.getoption("--artifacts")) / _slug(item.nodeid)
        runner = Runner(page, checkout_target, listeners=[AllureListener()], artifacts=artifacts,
                        reproduce=reproduce_command(item))
        item._checkout_runner = runner
        values = dict(v.split("=", 1) for v in request.config.getoption("--var") if "=" in v)
        return lambda: runner.run(item.flow, item.variant, values)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:120]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    runner = getattr(item, "_checkout_runner", None)
    if report.when != "teardown" or runner is None:
        return
    # pytest-playwright has written its artifacts by now: scrub secrets out of traces, attach them.
    import allure

    for key, value in report.user_properties:
        if key == "playwright_trace":
            scrub_zip(value, runner.redactor)
            allure.attach.file(value, name="Playwright trace (open with `playwright show-trace`)", extension="zip")
        elif key == "playwright_screenshot":
            allure.attach.file(value, name="screenshot on failure", attachment_type=allure.attachment_type.PNG)
        elif key == "playwright_video":
            allure.attach.file(value, name="video", attachment_type=allure.attachment_type.WEBM)
