"""Read the page once, at failure time only, for the Candidates: lines of an "element not found" message."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Error as PlaywrightError
from pydantic import ValidationError

from checkout_tester.base import failure_classes as classes
from checkout_tester.flow.step_arguments import Element
from checkout_tester.run import candidates
from checkout_tester.run.steps.ambiguity import AmbiguousLocator

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step
    from checkout_tester.run.context import StepContext

BUDGET_S = 3.0  # the whole look-around, page read and checks of the proposed locators
READ_MS = 2000
MAX_ELEMENTS, MAX_SCANNED, MAX_MATCHES = 400, 5000, 8
INDENT = " " * 12

# Roles and names as a screen reader says them (the HTML-AAM rules Playwright's role locators follow, the common part).
_HELPERS = r"""
const clean = (s, n) => (s || "").replace(/\s+/g, " ").trim().slice(0, n || 120);
const IMPLICIT = {button: "button", select: "combobox", textarea: "textbox", h1: "heading", h2: "heading",
  h3: "heading", h4: "heading", h5: "heading", h6: "heading", nav: "navigation", main: "main", ul: "list",
  ol: "list", li: "listitem", table: "table", tr: "row", td: "cell", th: "columnheader", dialog: "dialog",
  option: "option", article: "article", fieldset: "group", details: "group", progress: "progressbar"};
const INPUTS = {button: "button", submit: "button", reset: "button", image: "button", checkbox: "checkbox",
  radio: "radio", range: "slider", number: "spinbutton", search: "searchbox", text: "textbox", email: "textbox",
  tel: "textbox", url: "textbox", "": "textbox"};
const roleOf = el => {
  const given = (el.getAttribute("role") || "").trim().split(/\s+/)[0];
  if (given) return given;
  const tag = el.localName, type = (el.getAttribute("type") || "").toLowerCase();
  if (tag === "a" || tag === "area") return el.hasAttribute("href") ? "link" : "";
  if (tag === "input") return el.hasAttribute("list") && INPUTS[type] === "textbox" ? "combobox" : (INPUTS[type] || "");
  if (tag === "select" && (el.multiple || el.size > 1)) return "listbox";
  if (tag === "img") return el.getAttribute("alt") === "" ? "" : "img";
  return IMPLICIT[tag] || "";
};
const byIds = el => clean((el.getAttribute("aria-labelledby") || "").split(/\s+/).map(id => {
  const n = id && el.ownerDocument.getElementById(id); return n ? n.innerText || n.textContent : ""; }).join(" "));
const isField = el => ["input", "select", "textarea"].includes(el.localName);
const labelOf = el => (isField(el) && el.labels && el.labels.length
  ? clean([...el.labels].map(l => l.innerText).join(" ")) : "") || byIds(el) || clean(el.getAttribute("aria-label"));
const FROM_CONTENT = ["button", "link", "heading", "option", "cell", "columnheader", "listitem", "tab", "menuitem",
  "checkbox", "radio", "switch", "row"];
const nameOf = (el, role) => {
  const given = byIds(el) || clean(el.getAttribute("aria-label"));
  if (given) return given;
  const type = (el.getAttribute("type") || "").toLowerCase();
  if (el.localName === "input" && ["button", "submit", "reset"].includes(type))
    return clean(el.value) || (type === "submit" ? "Submit" : type === "reset" ? "Reset" : "");
  if (isField(el)) return labelOf(el) || clean(el.title || el.getAttribute("placeholder"));
  if (el.localName === "img") return clean(el.alt || el.title);
  if (FROM_CONTENT.includes(role)) return clean(el.innerText) || clean(el.title);
  return clean(el.title);
};
const shown = el => el.checkVisibility ? el.checkVisibility({visibilityProperty: true}) : el.getClientRects().length > 0;
"""

# Every element a shopper could name, then those of the same-origin iframes it shows (a field moved into one).
_READ = "(root, opts) => {" + _HELPERS + r"""
  const out = [], skip = new Set(["script", "style", "head", "meta", "link", "noscript", "template", "title", "br"]);
  let scanned = 0;
  const scan = (top, frame) => {
    const all = top.querySelectorAll("*");
    for (let i = 0; i < all.length && scanned < opts.scanned && out.length < opts.limit; i++, scanned++) {
      const el = all[i];
      if (skip.has(el.localName) || !shown(el)) continue;
      const role = roleOf(el), testids = {};
      for (const a of opts.testids) if (el.hasAttribute(a)) testids[a] = clean(el.getAttribute(a));
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      const text = own && (el.innerText || "").length <= 120 ? clean(el.innerText) : "";
      const item = {tag: el.localName, role, name: role ? nameOf(el, role) : "", label: labelOf(el), text, testids,
        placeholder: clean(el.getAttribute("placeholder")), title: clean(el.getAttribute("title")),
        alt: el.localName === "img" ? clean(el.getAttribute("alt")) : "", frame};
      if (role || item.label || text || item.placeholder || item.title || item.alt || Object.keys(testids).length)
        out.push(item);
    }
  };
  scan(root, "");
  for (const iframe of root.querySelectorAll("iframe[title]")) {
    let doc = null;
    try { doc = iframe.contentDocument; } catch (e) { doc = null; }  // another origin: not readable
    if (doc && doc.documentElement && shown(iframe)) scan(doc.documentElement, clean(iframe.getAttribute("title")));
  }
  return out;
}"""


# Each match of an ambiguous locator: its own words and the widest ancestor holding no other match.
_PICK = "(els, opts) => {" + _HELPERS + r"""
  const boxOf = box => {
    const testid = box.getAttribute(opts.testid), role = roleOf(box);
    if (testid) return {testid};
    if (["row", "listitem", "article", "dialog", "group", "form", "region"].includes(role)) return {role};
    if (box.id) return {css: "#" + CSS.escape(box.id)};
    const cls = [...box.classList][0];
    return {css: box.localName + (cls ? "." + CSS.escape(cls) : "")};
  };
  return els.slice(0, opts.limit).map(el => {
    let box = null, up = el.parentElement, body = el.ownerDocument.body;
    while (up && up !== body) { if (els.some(o => o !== el && up.contains(o))) break; box = up; up = up.parentElement; }
    const lines = box ? (box.innerText || "").split(/[\n\t]+/).map(l => clean(l, 80)).filter(Boolean).slice(0, 12) : [];
    return {name: nameOf(el, roleOf(el)), text: clean(el.innerText, 80), box: box ? boxOf(box) : null, lines};
  });
}"""


def candidate_lines(ctx: StepContext, step: Step, exc: BaseException) -> list[str]:
    """The Candidates: lines for a step whose locator found nothing or several, else []; never raises."""
    ambiguous = isinstance(exc, AmbiguousLocator)
    if not ambiguous and classes.for_failure(step.kind, exc, "") != classes.ELEMENT_NOT_FOUND:
        return []
    try:
        wanted = _wanted(ctx, step)
        if wanted is None:
            return []
        return _ambiguous(ctx, wanted) if ambiguous else _missing(ctx, wanted)
    except PlaywrightError as error:  # the page may be gone or navigating: the failure message must still be written
        return [f"  Candidates: (the page could not be read: {str(error).splitlines()[0][:120]})"]
    except Exception:  # nothing to add (a template that does not render is the step's own failure)
        return []


def _wanted(ctx: StepContext, step: Step) -> Element | None:
    """The step's locator with its templates rendered, as the step used it."""
    data = step.args.model_dump(by_alias=True, exclude_none=True, exclude={"steps", "open"})
    fields = {k: v for k, v in data.items() if k in Element.model_fields}
    if not any(k in fields for k in candidates.TEXT_KINDS + ("role", "testid", "css")):
        return None
    try:
        return Element.model_validate(ctx.scope.render(fields))
    except ValidationError:
        return None


def _spec(element: Element) -> dict[str, Any]:
    """The locator as a flow writes it: its kind first (`{label: Email, exact: true}`)."""
    data = element.model_dump(exclude_none=True, exclude_defaults=True)
    return {k: data[k] for k in dict.fromkeys([element.locator_kind, "name", *data]) if k in data}


def _count(ctx: StepContext, spec: dict[str, Any]) -> int:
    try:
        return int(ctx.find(Element.model_validate(spec)).count())
    except ValidationError:
        return 0


def _missing(ctx: StepContext, wanted: Element) -> list[str]:
    started = time.monotonic()
    spec = _spec(wanted)
    inner = {k: v for k, v in spec.items() if k not in ("within", "nth", "has_text")}
    now = _count(ctx, spec)
    if now:
        return [f"  Candidates: none needed: {candidates.yaml_locator(spec)} finds {now} element(s) now "
                "(it was hidden, disabled or late when the step gave up)"]
    if wanted.within is not None and not _count(ctx, _spec(wanted.within)):
        box = _missing(ctx, wanted.within)  # the box it looks in is what is gone
        return [box[0].replace("Candidates: ", "Candidates: (its within: finds nothing) ", 1), *box[1:]]
    frame = getattr(ctx.root, "owner", None)  # a FrameLocator's iframe element: inside `frame:` steps
    if frame is not None and not frame.count():
        return ["  Candidates: the iframe its frame: step looks in is not on the page now; check that locator"]
    attribute = getattr(ctx.runner.target, "testid_attribute", "data-testid")
    testids = list(dict.fromkeys([attribute, "data-testid", "data-test", "data-test-id", "data-qa", "data-cy"]))
    seen = ctx.root.locator(":root").evaluate(_READ, {"limit": MAX_ELEMENTS, "scanned": MAX_SCANNED,
                                                      "testids": testids}, timeout=READ_MS)
    ranked = candidates.rank(inner, [candidates.Seen.from_json(s) for s in seen], attribute)
    shown: list[str] = []
    for candidate in ranked:
        if len(shown) >= candidates.SHOWN or time.monotonic() - started > BUDGET_S:
            break
        proposal = dict(candidate.spec)
        frame = candidate.seen.frame
        here = ctx.within(root=ctx.find(Element(title=frame)).content_frame) if frame else ctx
        found = _count(here, proposal)
        if found > 1 and any(k in proposal for k in ("name", *candidates.TEXT_KINDS)) and "css" not in proposal:
            exact = {**proposal, "exact": True}
            found, proposal = (1, exact) if _count(here, exact) == 1 else (found, proposal)
        if found:
            why = "outside its within:" if wanted.within is not None and candidate.why == "same" else candidate.why
            more = f"  ({found} matches)" if found > 1 else ""
            inside = f" inside frame: {candidates.yaml_locator({'title': frame})}" if frame else ""
            shown.append(f"{INDENT}{candidate.seen.words():<30} -> {candidates.yaml_locator(proposal)}{inside}"
                         f"  ({why}){more}")
    locator = candidates.yaml_locator(inner)
    if not shown:
        what = "a css: selector has no words to compare" if "css" in inner else "the element is gone, not renamed"
        return [f"  Candidates: nothing on the page is like {locator}: {what}"]
    return [f"  Candidates: the page changed? closest to {locator}:", *shown]


def _ambiguous(ctx: StepContext, wanted: Element) -> list[str]:
    started = time.monotonic()
    spec = _spec(wanted)
    attribute = getattr(ctx.runner.target, "testid_attribute", "data-testid")
    found = ctx.find(wanted)
    total = found.count()
    raw = found.evaluate_all(_PICK, {"limit": MAX_MATCHES, "testid": attribute})
    matches = [candidates.Match.from_json(m) for m in raw]
    lines = [f"  Candidates: {total} elements match {candidates.yaml_locator(spec)}; each one alone:"]
    for i, (pick, why) in enumerate(candidates.pick_each(spec, matches)):
        if "nth" not in pick and (time.monotonic() - started > BUDGET_S or _count(ctx, pick) != 1):
            pick, why = {**spec, "nth": i}, candidates.BY_POSITION
        words = matches[i].name or matches[i].text
        note = f"  ({why})" if why == candidates.BY_POSITION else ""  # the locator itself shows the other reasons
        lines.append(f"{INDENT}{i:>2}. {_quoted(words):<28} -> {candidates.yaml_locator(pick)}{note}")
    if total > len(matches):
        lines.append(f"{INDENT}(+{total - len(matches)} more: nth: {len(matches)} to nth: {total - 1})")
    return lines


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= 26 else text[:23] + "..."}"'
