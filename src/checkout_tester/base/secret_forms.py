"""Every spelling of a secret that a page, a request, a trace or a report may hold it in."""
from __future__ import annotations

import html
import json
import re
import urllib.parse

MIN_LENGTH = 3  # shorter forms would mask unrelated text (a CVC of "12" is in every price)
_HTML_SPECIAL = "&<>\"'+"
_CARD = re.compile(r"\d{12,19}")


def secret_forms(value: str) -> set[str]:
    """The value as typed, spaced or not, URL-, form-, HTML- and JSON-encoded (and their combinations)."""
    forms: set[str] = set()
    for spelling in spellings(value):
        for encoded in {spelling, *url_forms(spelling), *html_forms(spelling)}:
            forms.add(encoded)
            forms.update(json_forms(encoded))
    return {form for form in forms if len(form) >= MIN_LENGTH}


def spellings(value: str) -> set[str]:
    """The value, trimmed, with runs of spaces as one, without spaces; a card number also in groups of four."""
    found = {value, value.strip(), " ".join(value.split()), "".join(value.split())}
    digits = re.sub(r"[\s-]", "", value)
    if _CARD.fullmatch(digits):  # 4242424242424242 is also shown as 4242 4242 4242 4242 or 4242-4242-...
        groups = [digits[i:i + 4] for i in range(0, len(digits), 4)]
        found |= {digits, " ".join(groups), "-".join(groups)}
    return {spelling for spelling in found if spelling}


def url_forms(text: str) -> set[str]:
    """Percent-encoded as browsers, servers and Python spell it: path, query component, form body (`+`)."""
    forms = {
        urllib.parse.quote(text),                      # a path (/ kept)
        urllib.parse.quote(text, safe=""),             # a query value, Python
        urllib.parse.quote(text, safe="!'()*~"),       # encodeURIComponent
        urllib.parse.quote(text, safe=";,/?:@&=+$#!'()*~"),  # encodeURI
        urllib.parse.quote_plus(text),                 # a form body, Python
        urllib.parse.quote_plus(text, safe="*"),       # a form body, as a browser posts it
    }
    return forms | {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form) for form in forms}


def html_forms(text: str) -> set[str]:
    """HTML-escaped as template engines write it: named, decimal (&#43; for +) and hexadecimal references."""
    jinja = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    jinja = jinja.replace('"', "&#34;").replace("'", "&#39;")
    special = set(_HTML_SPECIAL) | {c for c in text if ord(c) > 127}
    return {
        html.escape(text, quote=True), html.escape(text, quote=False), jinja,
        jinja.replace("+", "&#43;"),                   # Go's html/template
        "".join(f"&#{ord(c)};" if c in special else c for c in text),
        "".join(f"&#x{ord(c):x};" if c in special else c for c in text),
        "".join(f"&#x{ord(c):X};" if c in special else c for c in text),
    }


def json_forms(text: str) -> set[str]:
    """Inside a JSON or JavaScript string: escaped quotes and backslashes, \\uXXXX, \\/, escaped twice."""
    plain = json.dumps(text, ensure_ascii=False)[1:-1]
    ascii_only = json.dumps(text)[1:-1]
    forms = {plain, ascii_only, plain.replace("/", "\\/"), ascii_only.replace("/", "\\/"),
             json.dumps(plain, ensure_ascii=False)[1:-1]}  # JSON inside a JSON string
    for escaped in (plain, ascii_only):  # Go, Rails: <, >, & as \u003c ...
        forms.add(escaped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    return forms
