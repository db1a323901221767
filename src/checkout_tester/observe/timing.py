"""Step clocks that last until a triggered page is ready, page metrics from the browser, budgets.

A step that opens a page lasts until the page's document is ready (DOMContentLoaded: the shopper can
read it and the detectors can judge it), as a hand-written script's next check would wait for it. The
page's load, paints and layout shifts are read from the browser once it has loaded, usually while a
later step runs, and reported as the page of the step that opened it. With a fail budget on a page
metric the step waits for the load instead, so the failure belongs to the step that opened the page.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from playwright.sync_api import Error as PlaywrightError, Page

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow.budgets import METRICS, PAGE_METRICS, Breach, Budgets, fmt, step_limit
from checkout_tester.observe.action_work import ActionWork
from checkout_tester.observe.routes import ROUTE_JS, settle_route
from checkout_tester.run.events import BudgetBreached, PageMeasured, RequestsAwaited
from checkout_tester.run.navigation import chain_hops, chain_text, has_fired, request_chain
from checkout_tester.run.observers import Observer, RunView
from checkout_tester.run.steps.registry import ACTIONS

if TYPE_CHECKING:
    from checkout_tester.flow.model import Flow, Step

CONTAINERS = {"use", "frame", "popup"}  # their time is their children's: no default step budget
STARTS_WORK = ACTIONS | {"goto"}  # steps whose XHR/fetch requests are theirs to wait for
SETTLE_ROUNDS = 20  # a page that keeps starting requests or routes is not followed forever

# Observers start with each document (an init script), so after the load event the entries are
# already there: one quick read, no waiting on entries a page may never produce (a page without
# layout shifts sends none). Waiting for them per page cost about 50 ms a page (benchmarks/overhead.py).
OBSERVE_JS = """(() => { const key = Symbol.for('checkout-tester-perf'); if (window[key]) return;
  const s = {paint: [], lcp: [], shifts: [], obs: []}; window[key] = s;
  s.painted = new Promise(r => { s.onPaint = r; });
  for (const [type, sink] of [['paint', s.paint], ['largest-contentful-paint', s.lcp], ['layout-shift', s.shifts]]) {
    try { const po = new PerformanceObserver(l => { sink.push(...l.getEntries());
        if (sink === s.paint && s.paint.some(e => e.name === 'first-contentful-paint')) s.onPaint(); });
      po.observe({type, buffered: true}); s.obs.push([po, sink]); } catch (e) {} }
})();"""

# Read after the load event. First paint usually lands a frame after load on a small page, but on
# a busy machine it can come hundreds of ms later (a CI run lost FCP with a two-frame wait), so a
# visible page with content waits for it, bounded; pages that have it already pay nothing.
PAGE_METRICS_JS = """async (waitMs) => {
  const s = window[Symbol.for('checkout-tester-perf')] || {paint: [], lcp: [], shifts: [], obs: []};
  const flush = () => { for (const [po, sink] of s.obs) sink.push(...po.takeRecords()); };
  const hasFcp = () => s.paint.some(e => e.name === 'first-contentful-paint');
  flush();
  if (!hasFcp() && s.painted && document.visibilityState === 'visible'
      && document.body && document.body.textContent.trim()) {
    await Promise.race([s.painted, new Promise(r => setTimeout(r, waitMs))]);
    await new Promise(r => setTimeout(r, 0));  // LCP entries of the same frame arrive right after
    flush();
  }
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = s.paint.find(e => e.name === 'first-contentful-paint');
  const last = s.lcp.length ? s.lcp[s.lcp.length - 1] : null;
  const res = performance.getEntriesByType('resource');
  const size = e => e.transferSize || e.encodedBodySize || 0;
  const at = v => (nav && v > 0 ? v - nav.startTime : null);
  return {
    url: location.href,
    started_at_ms: nav ? performance.timeOrigin + nav.startTime : null,  // epoch ms: places it on a waterfall
    ttfb_ms: nav ? at(nav.responseStart) : null,
    dom_content_loaded_ms: nav ? at(nav.domContentLoadedEventEnd) : null,
    load_ms: nav ? at(nav.loadEventEnd) : null,
    redirect_ms: nav && nav.redirectEnd > 0 ? nav.redirectEnd - nav.startTime : null,
    fcp_ms: fcp ? fcp.startTime : null,
    lcp_ms: last ? (last.renderTime || last.loadTime || last.startTime) : null,
    cls: s.obs.length ? s.shifts.filter(e => !e.hadRecentInput).reduce((a, e) => a + e.value, 0) : null,
    requests: res.length + (nav ? 1 : 0),
    bytes: res.reduce((a, r) => a + size(r), 0) + (nav ? size(nav) : 0),
  };
}"""
# budget metric -> key in the page metrics above
METRIC_KEYS = {"page_load": "load_ms", "ttfb": "ttfb_ms", "dom_content_loaded": "dom_content_loaded_ms",
               "fcp": "fcp_ms", "lcp": "lcp_ms", "cls": "cls", "requests": "requests", "bytes": "bytes"}


PAINT_WAIT_MS = 1500  # longest wait for a first paint after load


def collect_page_metrics(page: Page, sent: Any = None) -> dict[str, Any] | None:
    """The browser's own timings of the page's current document, or None if it is gone; `sent`: the read was sent
    earlier (send_page_metrics), its answer is waited for here."""
    try:
        if sent is not None:
            metrics = page._sync(sent)  # type: ignore[attr-defined]
        elif page.is_closed():
            return None
        else:
            metrics = page.evaluate(PAGE_METRICS_JS, PAINT_WAIT_MS)
    except PlaywrightError:  # closed or navigating away while we read: nothing to measure
        return None
    return rounded(metrics) if metrics else None


def send_page_metrics(page: Page) -> Any | None:
    """Send the metrics read of the page's current document without waiting for the answer (its round trip then
    rides along with the next call, the detectors' scan): a pending read for collect_page_metrics, or None where
    Playwright's sync objects lack their async implementation (`_impl_obj`, `_loop`)."""
    impl, loop = getattr(page, "_impl_obj", None), getattr(page, "_loop", None)
    if impl is None or loop is None or page.is_closed():
        return None
    task = loop.create_task(impl.evaluate(PAGE_METRICS_JS, PAINT_WAIT_MS))
    task.add_done_callback(_retrieved)  # a read nobody collects (a step that failed after it) logs nothing
    return task


def _retrieved(task: Any) -> None:
    if not task.cancelled():
        task.exception()


def rounded(metrics: dict[str, Any]) -> dict[str, Any]:
    """Figures as people read them: ms to 0.1 (the browser gives 28.9000000001397), CLS to 4 places."""
    return {key: round(value, 4 if key == "cls" else 1) if isinstance(value, float) else value
            for key, value in metrics.items()}


class PageTimer(Observer):
    """Per runner: follows main-frame navigations of every watched page, measures loads, checks budgets.

    Time spent reading metrics goes to the runner's `overhead_ms`: it is not the shopper's."""

    def __init__(self, runner: RunView) -> None:
        self.runner = runner
        self.budgets = self._budgets()
        self.warnings: list[Breach] = []
        self.pages: list[Page] = []
        self._pending: dict[int, set[Any]] = {}  # page -> navigation requests not yet loaded
        self._unmeasured: list[Page] = []  # pages that loaded a document nobody measured yet
        self._navigation: dict[int, Any] = {}  # page -> its latest main-frame navigation request
        self._redirects: dict[int, int] = {}  # id(navigation request) -> the redirect status it answered
        self._soft: dict[int, Page] = {}  # pages whose URL changed without a document load this step
        self._routes: list[dict[str, Any]] = []  # soft navigations settled this step, to measure
        self._window = time.perf_counter()  # when this step's window for requests and routes opened
        self.work = ActionWork()  # XHR/fetch a step starts
        self._waited: list[Any] = []  # what the last settle waited for (action_work.Work)
        self.strict = self.budgets.fails_pages  # wait for each load in its step (fail budgets on pages)
        self._unloaded: dict[int, Page] = {}  # pages with a ready document that has not loaded yet
        self._opened: set[int] = set()  # pages that started a document during this step
        self._owner: dict[int, tuple[Step, str]] = {}  # page -> the step that opened its document, its number
        self._sent: dict[int, Any] = {}  # page -> its metrics read, sent before the detectors' scan
        runner.init_script(runner.page, OBSERVE_JS)
        runner.init_script(runner.page, ROUTE_JS)

    def _budgets(self, flow: Flow | None = None) -> Budgets:
        try:
            return Budgets(self.runner.target.budgets, *([flow.budgets] if flow else []))
        except ValueError as exc:
            where = flow.source if flow else self.runner.target.source
            raise ConfigError(f"{where}: {exc}") from None

    def watch(self, page: Page) -> None:
        """Follow a page's navigations; a popup (watched once open) counts as loading a page."""
        self.pages.append(page)
        pending = self._pending.setdefault(id(page), set())

        loaded = [page is not self.runner.page]  # a popup is watched once its document is there

        def on_request(request: Any) -> None:
            try:
                if request.is_navigation_request() and request.frame == page.main_frame:
                    pending.add(request)
                    self._navigation[id(page)] = request
                    self._opened.add(id(page))
            except PlaywrightError:
                pass

        def on_ready(_: Any) -> None:
            if not self.strict:  # the step that opened it is done; its load is measured later
                pending.clear()
                loaded[0] = True
                self._unloaded[id(page)] = page

        def on_load(_: Any) -> None:
            if self._unloaded.pop(id(page), None) is not None or pending:
                self._soft.pop(id(page), None)  # a document load is measured as a page, not as a route
            pending.clear()
            loaded[0] = True
            if page not in self._unmeasured:
                self._unmeasured.append(page)

        def on_navigated(frame: Any) -> None:
            if frame == page.main_frame and not pending and loaded[0]:
                self._soft[id(page)] = page  # same document, new URL: client-side routing

        def on_response(response: Any) -> None:
            if 300 <= response.status < 400 and response.request in pending:  # kept: no round trip to ask later
                self._redirects[id(response.request)] = response.status

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", lambda request: pending.discard(request))
        page.on("domcontentloaded", on_ready)
        page.on("load", on_load)
        page.on("framenavigated", on_navigated)
        self.work.watch(page)
        if page is not self.runner.page:  # a popup: its first document may have loaded before this
            self._opened.add(id(page))
            if self.strict:
                self._unmeasured.append(page)
            else:
                self._unloaded[id(page)] = page

    def flow_started(self, flow: Flow) -> None:
        """Budgets for this flow: defaults, the target's, then the flow's own."""
        self.budgets = self._budgets(flow)
        self.strict = self.budgets.fails_pages
        self.warnings = []
        self._redirects.clear()
        self._owner.clear()
        self._opened.clear()
        self._routes, self._waited, self._sent = [], [], {}
        self._open_window()

    def _open_window(self, step: Step | None = None) -> list[Any]:
        """The next step's requests and routes count from now; returns the requests of the last window."""
        if step is not None:  # documents this step opened are its pages, whenever they are measured
            self._owner.update((opened, (step, _place(self.runner, step))) for opened in self._opened)
        self._opened.clear()
        self._soft.clear()
        self._window = time.perf_counter()
        return self.work.reset()

    def step_acted(self, step: Step) -> None:
        """The step's handler returned: the step lasts until what it started has settled."""
        self.settle(step)

    def settle(self, step: Step | None = None) -> None:
        """Wait for what the step started: page loads, its XHR/fetch requests, a client-side route's render."""
        now = time.perf_counter()
        deadline = now + self.runner.timeouts.ms("navigation") / 1000
        # A request that never ends (a stream, a long poll) holds the step no longer than a step may wait.
        work_deadline = min(deadline, now + self.runner.timeouts.ms("step") / 1000)
        starts_work = step is None or step.kind in STARTS_WORK
        self._settle_documents(deadline)
        # a container's children settled their own work
        for _ in range(SETTLE_ROUNDS if step is None or step.kind not in CONTAINERS else 0):
            waited, overhead = self.work.wait(work_deadline) if starts_work else (False, 0.0)
            self.runner.overhead_ms += overhead * 1000
            for page in list(self._soft.values()):
                self._soft.pop(id(page), None)
                if page not in self._unmeasured:  # a URL change right after a load is part of that load
                    waited = self._settle_route(page, deadline) or waited
            if not waited or not (self.work.busy() or self._soft or self._loading()):
                break
            self._settle_documents(deadline)
        done = self._open_window(step)
        self._waited = done if starts_work else []

    def _loading(self) -> bool:
        return any(self._pending.get(id(page)) for page in self.pages)

    def _settle_route(self, page: Page, deadline: float) -> bool:
        record = settle_route(page, self._window, deadline)
        if record is None:
            return False
        self.runner.overhead_ms += record["measure_ms"]  # the quiet frames after the render were our check
        self._routes.append(record)
        return True

    def _settle_documents(self, deadline: float) -> None:
        """Wait for pages whose navigation started during the step to be ready: the shopper waits too."""
        state: Literal["load", "domcontentloaded"] = "load" if self.strict else "domcontentloaded"
        for page in list(self.pages):
            try:
                while self._pending.get(id(page)) and not page.is_closed():
                    left = (deadline - time.perf_counter()) * 1000
                    if left <= 0:
                        break
                    page.wait_for_event(state, timeout=left)
                popup = page is not self.runner.page and not page.is_closed()
                if popup and (page in self._unmeasured or id(page) in self._unloaded):
                    page.wait_for_load_state(state, timeout=max(1.0, (deadline - time.perf_counter()) * 1000))
            except PlaywrightError:  # closed, or never loaded: the step's own checks judge that
                continue

    def step_passed(self, ctx: Any, step: Step, uid: str) -> None:
        """Before the detectors scan the step's pages (the observers after this one): send the reads of the pages
        that loaded, so both round trips are waited for at once; step_timed takes the answers."""
        self._sent = {}
        for page in self._unmeasured:
            pending = send_page_metrics(page)
            if pending is not None:
                self._sent[id(page)] = pending

    def step_timed(self, step: Step, args: Any, duration_ms: float) -> str | None:
        """Measure freshly loaded pages and routes, check budgets; returns a failure message on a fail tier."""
        where = f"step {_place(self.runner, step)} `{step.title}` at {step.source}"
        breaches = self._measure_loaded(step)
        for record in self._routes:  # soft navigations: their time is the page load's, as budgets go
            self.runner.emit(PageMeasured(step=step, metrics=record))
            breaches += self._check_page(record, where, "")
        self._routes = []
        waited, self._waited = self._waited, []
        if waited:
            self.runner.emit(RequestsAwaited(step=step, requests=[w.as_json() for w in waited]))
        own = step_limit(getattr(args, "budget", None))
        if own is not None or step.kind not in CONTAINERS:
            url = "" if self.runner.page.is_closed() else self.runner.page.url
            breach = self.budgets.check("step", duration_ms, url, where, override=own)
            if breach and waited:  # name what the step waited for, slowest first
                slowest = sorted(waited, key=lambda w: -w.ms)[:3]
                breach = replace(breach, detail="waited for " + "; ".join(w.describe() for w in slowest))
            breaches += [breach] if breach else []
        return self._report(breaches, step)

    def _measure_loaded(self, step: Step) -> list[Breach]:
        """Read the pages that have loaded since the last reading; each is its opening step's page."""
        for page in list(self._unloaded.values()):  # a popup may have loaded before it was watched
            if page.is_closed() or (page is not self.runner.page and _has_loaded(page)):
                self._unloaded.pop(id(page), None)
                if not page.is_closed() and page not in self._unmeasured:
                    self._unmeasured.append(page)
        breaches: list[Breach] = []
        for page in list(self._unmeasured):
            self._unmeasured.remove(page)
            opener, place = self._owner.pop(id(page)) if id(page) in self._owner else (step, _place(self.runner, step))
            reading = time.perf_counter()
            metrics = collect_page_metrics(page, self._sent.pop(id(page), None))
            if metrics is None:
                continue
            request = self._name_navigation(page, metrics)
            metrics["measure_ms"] = round((time.perf_counter() - reading) * 1000, 1)
            self.runner.overhead_ms += metrics["measure_ms"]
            self.runner.emit(PageMeasured(step=opener, metrics=metrics, place=place))
            breaches += self._check_page(metrics, f"step {place} `{opener.title}` at {opener.source}", request)
        return breaches

    def _finish_loads(self, deadline: float) -> None:
        """At the flow's end: the pages still loading are waited for (bounded), so they are measured too."""
        for page in list(self._unloaded.values()):
            left = (deadline - time.perf_counter()) * 1000
            if page.is_closed() or left <= 0:
                continue
            try:
                page.wait_for_load_state("load", timeout=left)
            except PlaywrightError:  # never loaded in time, or gone: nothing to measure
                self._unloaded.pop(id(page), None)

    def _name_navigation(self, page: Page, metrics: dict[str, Any]) -> str:
        """A form post or a redirect is reported as the request that started it; returns its chain text."""
        request = self._navigation.pop(id(page), None)
        chain = request_chain(request) if request is not None else []
        metrics["method"] = chain[0].method if chain else "GET"
        if len(chain) <= 1 and metrics["method"] == "GET":
            return ""
        hops = chain_hops(chain, {id(r): self._redirects.pop(id(r)) for r in chain if id(r) in self._redirects})
        metrics.update(url=chain[0].url, landed_url=metrics["url"], redirects=hops)
        return chain_text(chain, hops)

    def _check_page(self, metrics: dict[str, Any], where: str, request: str) -> list[Breach]:
        landed = metrics.get("landed_url") or metrics["url"]
        urls = (metrics["url"], landed)  # a `pages:` pattern may name the post or the page it lands on
        found = [self.budgets.check(metric, metrics.get(METRIC_KEYS[metric]), landed, where, urls=urls,
                                    request=request) for metric in PAGE_METRICS]
        return [b for b in found if b]

    def flow_timed(self, flow: Flow, duration_ms: float, actions: int) -> str | None:
        """Flow-level budgets: total time and number of shopper actions."""
        where = f"flow at {flow.source}"
        duration_ms -= self.runner.overhead_ms
        breaches = [b for b in (self.budgets.check("flow", duration_ms, where=where),
                                self.budgets.check("actions", actions, where=where)) if b]
        self._sent = {}  # sent for a step that then failed: read again, now
        if not self.strict and (self._unloaded or self._unmeasured):  # the last pages: measured before the end
            self._finish_loads(time.perf_counter() + self.runner.timeouts.ms("navigation") / 1000)
            breaches = self._measure_loaded(flow.steps[-1]) + breaches
        return self._report(breaches, None)

    def _report(self, breaches: list[Breach], step: Step | None) -> str | None:
        for breach in breaches:
            self.runner.emit(BudgetBreached(breach=breach))
            if breach.tier == "warn":
                self.warnings.append(breach)
        failed = [b for b in breaches if b.tier == "fail"]
        return budget_failure(self.runner, step, failed[0]) if failed else None


def budget_failure(runner: RunView, step: Step | None, breach: Breach) -> str:
    """A failure message like the others: where, what, the figures, the page, how to re-run."""
    flow = runner.flow
    name = flow.name if flow else "flow"
    head = (f"{name}: step {_place(runner, step)} `{step.title}` failed at {step.source}" if step
            else f"{name}: flow failed at {flow.source if flow else '?'}")
    what = METRICS[breach.metric][1]
    of_pages = f" of pages {breach.pattern}" if breach.pattern else ""
    lines = [head, f"  Expected: {what} within {fmt(breach.metric, breach.limit)} (fail budget{of_pages})",
             f"  Error:    timing budget exceeded: {what}" + (f" of {breach.subject}" if breach.subject else ""),
             f"            {breach.figures}"]
    if breach.detail:
        lines.append(f"  Waited:   {breach.detail.removeprefix('waited for ')}")
    if breach.url:
        lines.append(f"  Page:     URL {breach.url}")
    if runner.reproduce:
        lines.append(f"  Reproduce: {runner.reproduce}")
    return runner.redactor("\n".join(lines))


def _has_loaded(page: Page) -> bool:
    """Has the page's current document fired its load event? Playwright knows without asking the browser."""
    if has_fired(page, "load"):
        return True
    try:
        page.wait_for_load_state("load", timeout=1)
        return True
    except PlaywrightError:
        return False


def _place(runner: Any, step: Step) -> str:
    """The step's number as messages and timings give it (4.2 inside a sub-flow)."""
    place = getattr(runner, "place", None)
    return (place() if callable(place) else "") or step.index
