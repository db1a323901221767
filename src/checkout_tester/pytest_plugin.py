"""pytest plugin: flow files become test items; the engine does the work, pytest-playwright the browser."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Generator, Iterator

import pytest

from checkout_tester import browser as browser_setup, fixtures, preflight
from checkout_tester.engine import StepFailed
from checkout_tester.errors import CheckoutTesterError, FlowError, StoreUnreachable
from checkout_tester.loader import load_flow
from checkout_tester.model import Flow, Variant
from checkout_tester.redaction import scrub_zip
from checkout_tester.reporting import timings_pytest

FLOW_SUFFIX = ".flow.yaml"
USAGE_EXIT = 2  # a run that can't work: like a command-line usage error, not N failed tests


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("checkout-tester", "checkout-tester flows")
    group.addoption("--target", default=None, help="target config (default: config/demo.yaml or the built-in demo store)")
    group.addoption("--store-fault", action="append", default=[], metavar="NAME",
                    help="switch on a demo store fault (repeatable), e.g. uppercase-email, slow:/cart:800")
    group.addoption("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="set a flow variable for this run (repeatable), e.g. --var email=Janet@Example.com")
    group.addoption("--artifacts", default="reports/artifacts", help="folder for screenshots and logs")
    timings_pytest.add_options(group)  # --repeat N, --timings-json PATH


def pytest_configure(config: pytest.Config) -> None:
    _check_options(config)  # before anything starts: a wrong option or target config is a usage error
    # Registered now, after pytest-playwright's own base_url fallback, so these fixtures win.
    config.pluginmanager.register(fixtures, "checkout-tester-fixtures")
    config.pluginmanager.register(timings_pytest.TimingsPlugin(config), "checkout-tester-timings")
    if config.getoption("--video", "off") != "off":
        browser_setup.ensure_ffmpeg()
    if config.getoption("--headed", False):
        try:
            browser_setup.ensure_display()
        except RuntimeError as exc:
            raise pytest.UsageError(str(exc)) from None


def _check_options(config: pytest.Config) -> None:
    """Our options and the target config: each mistake is kept to be reported once, before anything starts."""
    problems = option_problems(config)
    try:
        fixtures.session_target(config)
    except pytest.UsageError as exc:
        problems += str(exc).splitlines()
    config._checkout_problems = problems  # type: ignore[attr-defined]


def option_problems(config: pytest.Config) -> list[str]:
    """Mistakes in --store-fault, --repeat and --var, one line each with the fix."""
    from checkout_tester.targetfile import fault_problem

    problems = [f"--store-fault {fault}: {problem}" for fault in config.getoption("--store-fault")
                if (problem := fault_problem(fault))]
    repeat = config.getoption("--repeat")
    if repeat < 1:
        problems.append(f"--repeat {repeat}: each flow runs at least once; give --repeat 1 or more")
    problems += [f"--var {var}: a variable needs a value; write --var NAME=VALUE, e.g. --var email=janet@example.com"
                 for var in config.getoption("--var") if "=" not in var or not var.partition("=")[0].strip()]
    return problems


def _problems(config: pytest.Config) -> list[str]:
    return getattr(config, "_checkout_problems", [])


def _stop(config: pytest.Config, problems: list[str]) -> None:
    """Report problems once, one `ERROR:` line each; the run then runs nothing and exits with code 2."""
    config._checkout_problems = problems  # type: ignore[attr-defined]
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller reports
    for line in problems:
        sys.stderr.write(f"ERROR: {line}\n")
    sys.stderr.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    """A wrong option or target config: collect nothing (no flow loads, no browser starts)."""
    problems = _problems(session.config)
    if problems:
        _stop(session.config, problems)
        return True
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Preflight (preflight.py) for the collected flows: secrets, mail sink, base URL."""
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):  # xdist workers: the controller checked
        return
    flows = list({id(i.flow): i.flow for i in session.items if isinstance(i, FlowItem)}.values())
    if flows:
        _preflight(session, flows)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist the controller collects nothing: check every flow file among the arguments instead."""
    config = session.config
    if (config.option.collectonly or _problems(config) or hasattr(config, "workerinput")
            or not getattr(config.option, "numprocesses", None)):
        return
    from checkout_tester.loader import find_flow_files

    flows = []
    for arg in config.args:
        path = Path(arg.split("::")[0])
        for file in find_flow_files([path]) if path.exists() else []:
            try:
                flows.append(load_flow(file)) if file.name.endswith(FLOW_SUFFIX) else None
            except FlowError:
                continue  # the workers' collection reports it at its line
    if flows:
        _preflight(session, flows)


def _preflight(session: pytest.Session, flows: list[Flow]) -> None:
    config = session.config
    problems = preflight.check(fixtures.session_target(config), flows, base_url=config.getoption("--base-url"))
    if problems:
        _stop(config, problems)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """Run nothing (start no xdist worker) when the options, target or preflight found problems."""
    return True if _problems(session.config) else None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if _problems(session.config):
        session.exitstatus = USAGE_EXIT


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
        return super().repr_failure(excinfo)  # pytest's Function.repr_failure takes no style


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
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
