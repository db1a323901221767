"""Soft navigations: a step that changes the URL without loading a document (client-side routing)
lasts until the new route has rendered, and is recorded as a "route" page record.

An init script notes the shopper's last input and each same-document URL change (history.pushState,
replaceState, back/forward, hash changes), and from that change on watches the DOM. "Rendered" is
the last DOM change before two animation frames in a row without one, bounded by ROUTE_RENDER_MAX_MS.
"""
from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError, Page

ROUTE_RENDER_MAX_MS = 5000  # a view that never stops changing (a per-frame animation) is cut off here
KEY = "checkout-tester-route"

ROUTE_JS = """(() => { const key = Symbol.for('%s'); if (window[key]) return;
  const r = {input: -1, change: -1, last: -1, mo: null}; window[key] = r;
  for (const type of ['pointerdown', 'keydown'])
    addEventListener(type, e => { r.input = e.timeStamp; }, {capture: true, passive: true});
  const changed = () => { r.change = r.last = performance.now();
    if (!r.mo && document.documentElement) {
      r.mo = new MutationObserver(() => { r.last = performance.now(); });
      r.mo.observe(document.documentElement, {subtree: true, childList: true, characterData: true}); } };
  for (const name of ['pushState', 'replaceState']) { const original = history[name];
    history[name] = function (...args) { const out = original.apply(this, args); changed(); return out; }; }
  addEventListener('popstate', changed); addEventListener('hashchange', changed);
})();""" % KEY

# Wait until two frames pass without a DOM change (bounded), stop watching, and say when it rendered.
SETTLE_JS = """async ([maxMs, sinceMs, epochMs]) => { const r = window[Symbol.for('%s')];
  if (!r || r.change < 0) return null;
  // When the step's window opened, in page time: by the shared clock (exact on one machine, however late this
  // call arrives on a loaded one), or by the time since then (a remote browser's clock may differ).
  const start = Math.min(performance.now() - sinceMs, epochMs - performance.timeOrigin);
  const frame = () => new Promise(done => { setTimeout(done, 100); requestAnimationFrame(() => done()); });
  const end = performance.now() + maxMs;
  let quiet = 0, seen = r.last;
  while (quiet < 2 && performance.now() < end) {
    await frame();
    if (r.last === seen) quiet++; else { quiet = 0; seen = r.last; } }
  if (r.mo) { r.mo.disconnect(); r.mo = null; }
  const origin = r.input >= start && r.input <= r.change ? r.input : r.change;
  const out = {url: location.href, load_ms: Math.max(0, r.last - origin), tail_ms: performance.now() - r.last,
               timed_from: origin === r.input ? 'input' : 'url change'};
  r.change = -1;
  return out; }""" % KEY


def settle_route(page: Page, window_started: float, deadline: float) -> dict[str, Any] | None:
    """Wait for a soft navigation's view to render; its record (url, load_ms, ...) or None."""
    left = min(ROUTE_RENDER_MAX_MS, (deadline - time.perf_counter()) * 1000)
    since = (time.perf_counter() - window_started) * 1000
    try:
        if page.is_closed():
            return None
        found = page.evaluate(SETTLE_JS, [max(0.0, left), since, time.time() * 1000 - since])
    except PlaywrightError:  # closed, or a real navigation replaced the document meanwhile
        return None
    if not found:
        return None
    tail = found.pop("tail_ms")
    return {"kind": "route", **found, "load_ms": round(found["load_ms"], 1), "measure_ms": round(tail, 1)}
