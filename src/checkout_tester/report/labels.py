"""The words and small text of the timing pictures, without matplotlib (summary.html and the charts share them)."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit


def duration_label(ms: float, _: Any = None) -> str:
    """An axis or bar label: `0`, `850 ms`, `1.5 s`."""
    if ms == 0:
        return "0"
    if abs(ms) < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.2f}".rstrip("0").rstrip(".") + " s"


def page_label(page: dict[str, Any]) -> str:
    """`page load GET /cart`, `route /app/orders`: the path is what people recognise."""
    parts = urlsplit(page.get("url", ""))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if page.get("kind") == "route":
        return f"route {path}"
    return f"page load {page.get('method', 'GET')} {path}"


def inline(svg: str) -> str:
    """The SVG as an HTML element: no XML prologue, doctype or namespace URIs (HTML's parser supplies them)."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)

