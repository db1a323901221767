"""The JavaScript the detectors run in the page: one evaluate per frame and scan, plus an init script.

SCAN returns, for one frame: text matching the error patterns (the error_messages detector), the errors the
page marks up as errors (error_markup: live regions, invalid fields, framework markup, each with its field's
label), the fields the browser refused on submit (HTML5 `invalid` events since the last scan), images
that loaded with zero natural size (broken_assets), and whether the values a step typed sit in a password
field (so the fill step needs no round trip of its own to ask).
"""
from __future__ import annotations

# Collects the fields of every `invalid` event (the browser's own validation on submit) until SCAN reads them.
INIT_SCRIPT = """(() => { if (window.__ctInvalid) return; const invalid = [];
  Object.defineProperty(window, '__ctInvalid', {value: invalid, enumerable: false});
  document.addEventListener('invalid', e => { if (invalid.length < 50) invalid.push(e.target); }, true); })();"""

# Framework conventions for error text: [selector, what it is]. Visible elements only; empty ones are skipped.
FRAMEWORK_ERRORS = (
    ("ul.errorlist", "Django"), (".errornote", "Django"),
    (".invalid-feedback", "Bootstrap"), (".invalid-tooltip", "Bootstrap"), (".alert-danger", "Bootstrap"),
    (".has-error .help-block", "Bootstrap 3"),
    ("#error_explanation", "Rails"),
    (".woocommerce-error", "WooCommerce"),
    (".message-error", "Magento"), ("div.mage-error, label.mage-error", "Magento"),
    (".errors", "Shopify"), (".form-message--error", "Shopify"),
    ("[data-test=error], [data-testid=error], .error-message, .error-message-container", "error"),
    (".field-validation-error, .validation-summary-errors", "ASP.NET"),
    (".help.is-danger, .notification.is-danger", "Bulma"),
    ("mat-error, .mat-mdc-form-field-error", "Angular Material"),
    (".ant-form-item-explain-error", "Ant Design"), (".MuiFormHelperText-root.Mui-error", "MUI"),
    (".parsley-errors-list.filled", "Parsley"), (".form-error, .field-error", "error"),
)
# Fields marked as wrong: aria-invalid, or a framework's class on the field or its wrapper.
INVALID_FIELDS = "[aria-invalid=true], .is-invalid, .field_with_errors, .woocommerce-invalid, .mage-error, .has-error"

_FRAMEWORK_JS = "[" + ", ".join(f"[{sel!r}, {what!r}]" for sel, what in FRAMEWORK_ERRORS) + "]"

SCAN = """(opts) => {
  // one by one: a pattern the browser can't compile must not switch off the others (the target loader rejects it)
  const res = opts.patterns.flatMap(p => { try { return [new RegExp(p, 'i')]; } catch (e) { return []; } });
  const shown = el => !!el && el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const clean = t => (t || '').replace(/\\s+/g, ' ').trim();
  const out = {doc: String(performance.timeOrigin), patterns: [], markup: [], invalid: [], images: []};
  // 1. Visible text matching one of the patterns, in role=alert/status/live boxes or any text node.
  const found = new Map();
  const add = (box, text) => { text = clean(text);
    const re = res.find(r => r.test(text));
    if (re && text && !found.has(text)) found.set(text, {text: text.slice(0, 300), pattern: re.source,
      role: box.getAttribute('role') || box.tagName.toLowerCase()}); };
  if (res.length) {
    for (const box of document.querySelectorAll('[role=alert], [role=status], [aria-live]'))
      if (shown(box)) add(box, box.innerText || '');
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(el.tagName) || !res.some(r => r.test(node.textContent))) continue;
      const box = el.closest('[role=alert], [role=status], [aria-live]') || el;
      if (shown(el)) add(box, box.innerText || node.textContent);
    }
    out.patterns = [...found.values()];
  }
  if (opts.markup) {
    // 2. Errors the page marks up as errors, each with the label of its field when it has one.
    const CONTROLS = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea';
    const ERR = /(^|[\\s_-])(errors?|danger|invalid|fail|failed|failure)($|[\\s_-])/i;
    const OK = /(^|[\\s_-])(success|succeeded|info|notice|message|status|warning|confirm|confirmation|primary|secondary|light|dark)($|[\\s_-])/i;
    const marks = el => el ? ['class', 'id', 'data-test', 'data-testid', 'data-qa', 'data-cy']
      .map(a => el.getAttribute(a) || '').join(' ') : '';
    const byId = id => { const n = document.getElementById(id); return n ? n.innerText || n.textContent : ''; };
    const labelOf = f => { if (!f) return '';
      const by = f.getAttribute('aria-labelledby');
      const t = f.labels && f.labels.length ? f.labels[0].innerText : by ? by.split(/\\s+/).map(byId).join(' ')
        : f.getAttribute('aria-label') || f.getAttribute('placeholder') || f.getAttribute('title') || f.name || f.id;
      return clean(t).replace(/\\s*[*:]+\\s*$/, '').slice(0, 80); };
    const single = n => { if (!n || n.nodeType !== 1) return null; if (n.matches(CONTROLS)) return n;
      const cs = n.querySelectorAll(CONTROLS); return cs.length === 1 ? cs[0] : null; };
    const fieldOf = msg => {  // the field that points at the message, else the only field next to it
      for (let n = msg; n && n !== document.body; n = n.parentElement)
        if (n.id) { const id = CSS.escape(n.id);
          const f = document.querySelector(`[aria-errormessage~="${id}"], [aria-describedby~="${id}"]`); if (f) return f; }
      const summary = msg.querySelector('h1, h2, h3, h4, li + li');  // a form's list of errors is no one field's
      const near = !summary && (single(msg.previousElementSibling) || single(msg.nextElementSibling));
      if (near) return near;
      let n = msg.parentElement;
      for (let i = 0; i < 3 && n && n !== document.body && n.tagName !== 'FORM'; i++, n = n.parentElement) {
        const cs = n.querySelectorAll(CONTROLS);
        if (cs.length === 1) return cs[0];
        if (cs.length > 1) break;
      }
      return null; };
    const hits = new Map();
    const hit = (el, via) => { const text = clean(el.innerText).slice(0, 300);
      if (!text || hits.has(text) || !shown(el)) return;
      const f = fieldOf(el);
      hits.set(text, {text, via, label: labelOf(f), field: !!f, known: res.some(r => r.test(text))}); };
    for (const el of document.querySelectorAll('[role=alert], [aria-live=assertive]')) {
      const m = marks(el) + ' ' + marks(el.firstElementChild);
      if (ERR.test(m) || !OK.test(m)) hit(el, el.getAttribute('role') === 'alert' ? 'role=alert' : 'aria-live=assertive');
    }
    for (const el of document.querySelectorAll('[aria-live=polite]:not([role])'))
      if (ERR.test(marks(el) + ' ' + marks(el.firstElementChild))) hit(el, 'aria-live');
    for (const [sel, what] of FRAMEWORK)
      for (const el of document.querySelectorAll(sel)) hit(el, `${sel.split(',')[0]} (${what})`);
    const labelled = new Set([...hits.values()].filter(h => h.label).map(h => h.label));
    const fields = new Set();
    for (const el of document.querySelectorAll(INVALID)) {
      const f = el.matches(CONTROLS) || el.hasAttribute('aria-invalid') ? el : single(el);
      if (!f || fields.has(f) || !shown(f)) continue;
      fields.add(f);
      const label = labelOf(f);
      if (labelled.has(label)) continue;  // its message is reported already, with this label
      const ids = (f.getAttribute('aria-errormessage') || f.getAttribute('aria-describedby') || '').split(/\\s+/);
      const said = ids.map(id => document.getElementById(id)).filter(n => n && shown(n)
        && (f.hasAttribute('aria-errormessage') || ERR.test(marks(n)))).map(n => clean(n.innerText)).join(' ');
      const via = f.getAttribute('aria-invalid') === 'true' ? 'aria-invalid' : `.${(el.getAttribute('class') || '')
        .split(/\\s+/).find(c => /invalid|error/.test(c)) || 'invalid'}`;
      hits.set('field ' + label, {text: said.slice(0, 300), via, label, field: true, known: res.some(r => r.test(said))});
    }
    out.markup = [...hits.values()];
    // 3. Fields the browser refused when a form was submitted (HTML5 validation), since the last scan.
    const invalid = window.__ctInvalid || [];
    out.invalid = invalid.splice(0).map(f => ({label: labelOf(f), text: clean(f.validationMessage).slice(0, 300)}));
  }
  // 4. Shown images that finished loading with nothing to show (the 4xx ones come from the network); hidden
  // and 1-pixel ones are tracking beacons, which may answer 204.
  if (opts.images)
    out.images = [...document.images].filter(i => i.complete && i.naturalWidth === 0 && i.currentSrc
      && !i.currentSrc.startsWith('data:') && (i.width > 1 || i.height > 1) && shown(i))
      .map(i => ({src: i.currentSrc, alt: i.alt})).slice(0, 20);
  // 5. Where the values the step typed are now: one in a password field is a secret (steps.actions).
  out.typed = (opts.typed || []).map(v => { let where = '';
    for (const el of document.querySelectorAll('input, textarea'))
      if (el.value === v) { if (el.type === 'password') return 'password'; where = 'field'; }
    return where; });
  return out;
}""".replace("FRAMEWORK)", _FRAMEWORK_JS + ")").replace("querySelectorAll(INVALID)", f"querySelectorAll({INVALID_FIELDS!r})")

# SCAN installed once per document with the init script, so each scan sends a call, not 7 KB of source.
_KEY = "Symbol.for('checkout-tester-scan')"
INIT_SCRIPT += f"""\n(() => {{ if (!window[{_KEY}]) Object.defineProperty(window, {_KEY}, {{value: {SCAN}}}); }})();"""
# Runs the installed SCAN; null where the init script did not run (a frame created before it was added).
SCAN_CALL = f"opts => {{ const scan = window[{_KEY}]; return scan ? scan(opts) : null; }}"
