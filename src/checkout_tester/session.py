"""Run flows in one process outside pytest: one Playwright driver and browser, a fresh context per run."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterator, Sequence

from playwright.sync_api import Browser, Playwright, sync_playwright

from checkout_tester.flow.loader import load_flow
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.mail import (
    email_step,  # noqa: F401  (registers expect_email)
    mailbox,
)
from checkout_tester.observe import accessibility, accessibility_step  # noqa: F401  (registers audit_accessibility)
from checkout_tester.observe.detectors import Detector
from checkout_tester.observe.input_judging import InputJudge
from checkout_tester.observe.timing import PageTimer
from checkout_tester.run import remote
from checkout_tester.run.browser import context_options
from checkout_tester.run.engine import Runner
from checkout_tester.run.events import FlowFinished, Listener
from checkout_tester.run.observers import ObserverFactory
from checkout_tester.target import browser_state as browserstate
from checkout_tester.target.config import Target


def observers(target: Target, mail: Any = None) -> list[ObserverFactory]:
    """The standard observers of a run, in the order their hooks run: page timings first (a step lasts until
    its page has loaded), then detectors, input judging, the target's accessibility audits and the mailbox."""
    return [PageTimer, Detector, InputJudge, accessibility.auditor, mailbox.watcher(mail)]


def new_runner(page: Any, target: Target, mail: Any = None, extra: Sequence[ObserverFactory] = (),
               **options: Any) -> Runner:
    """A Runner with the standard observers, then `extra` ones (a monitor's, a reproduction's)."""
    return Runner(page, target, observers=[*observers(target, mail), *extra], **options)


class Session:
    """One browser for many flow runs; each run gets its own context, page, Runner and fake data."""

    def __init__(self, target: Target, base_url: str, listeners: Sequence[Listener] = (),
                 artifacts: str | Path = "reports/artifacts",
                 before_run: Callable[[], None] | None = None, mail: Any = None,
                 observers: Sequence[ObserverFactory] = (), launch: dict[str, Any] | None = None) -> None:
        self.target, self.base_url, self.mail = target, base_url, mail  # mail: a mailbox.MailSource or None
        self.launch = dict(launch or {})  # extra launch options (slow_mo), over the target's
        self.observers = list(observers)  # registered after the standard ones, for every run
        self.listeners, self.artifacts = list(listeners), Path(artifacts)
        self.before_run = before_run  # e.g. DemoStore.reset, as the pytest fixture does per test
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    @property
    def browser(self) -> Browser:
        """The running browser (start() first)."""
        if self._browser is None:
            raise RuntimeError("Session is not started")
        return self._browser

    def start(self) -> Session:
        """Start the Playwright driver and launch the target's browser (or connect to its remote one)."""
        self._playwright = sync_playwright().start()
        # launched here, or connected to the target's remote browser (browser.connect / browser.cdp)
        try:
            self._browser = remote.starter(self._playwright, self.target, self.launch)()
        except BaseException:
            self.close()  # the driver goes with the browser that never came
            raise
        browserstate.apply_testid(self._playwright, self.target)  # testid: locators read the target's attribute
        return self

    def context_args(self) -> dict[str, Any]:
        """Context options as the pytest plugin would give them (base URL, viewport, locale)."""
        return {"base_url": self.base_url, **context_options(self.target.browser)}

    def run(self, flow: Flow | str | Path, variant: Variant | None = None,
            values: dict[str, Any] | None = None) -> FlowFinished:
        """Run one flow variant in a fresh context; raises what Runner.run raises."""
        if not isinstance(flow, Flow):
            flow = load_flow(flow)
        if self.before_run is not None:
            self.before_run()
        context = self.browser.new_context(**self.context_args(), **browserstate.context_args(self.target, flow))
        try:
            page = context.new_page()
            runner = new_runner(page, self.target, self.mail, extra=self.observers, listeners=self.listeners,
                                artifacts=self.artifacts, base_url=self.base_url)
            return runner.run(flow, variant, values)
        finally:
            context.close()

    def close(self) -> None:
        """Close the browser and stop the driver."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def __enter__(self) -> Session:
        """Start on entering a with-block."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Close on leaving a with-block."""
        self.close()


@contextmanager
def demo_session(target: Target, faults: Sequence[str] = (), **options: Any) -> Iterator[tuple[Session, Any]]:
    """A started Session on a fresh demo store (with the target's mail sink); yields (session, store)."""
    from checkout_tester.demostore import DemoStore

    with ExitStack() as stack:
        mail = stack.enter_context(mailbox.open_mail_source(target))
        store = stack.enter_context(DemoStore(port=target.demo_store.port,
                                              faults=[*target.demo_store.faults, *faults],
                                              **mailbox.smtp_address(mail)))
        session = stack.enter_context(Session(target, store.url, before_run=store.reset, mail=mail, **options))
        yield session, store


def flow_items(paths: Sequence[str | Path]) -> Iterator[tuple[Flow, Variant]]:
    """Every (flow, variant row) among the flow files, as pytest would collect them."""
    from checkout_tester.flow.loader import load_flows

    for flow in load_flows(paths):
        for variant in flow.variant_rows:
            yield flow, variant
