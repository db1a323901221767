"""ARIA roles a `role:` locator takes: exactly the ones Playwright's get_by_role accepts."""
from __future__ import annotations

import difflib

# Playwright's `Page.get_by_role(role: Literal[...])`; tests/schema/test_roles.py keeps this equal to it.
ARIA_ROLES: tuple[str, ...] = (
    "alert", "alertdialog", "application", "article", "banner", "blockquote", "button", "caption", "cell",
    "checkbox", "code", "columnheader", "combobox", "complementary", "contentinfo", "definition", "deletion",
    "dialog", "directory", "document", "emphasis", "feed", "figure", "form", "generic", "grid", "gridcell",
    "group", "heading", "img", "insertion", "link", "list", "listbox", "listitem", "log", "main", "marquee",
    "math", "menu", "menubar", "menuitem", "menuitemcheckbox", "menuitemradio", "meter", "navigation", "none",
    "note", "option", "paragraph", "presentation", "progressbar", "radio", "radiogroup", "region", "row",
    "rowgroup", "rowheader", "scrollbar", "search", "searchbox", "separator", "slider", "spinbutton", "status",
    "strong", "subscript", "superscript", "switch", "tab", "table", "tablist", "tabpanel", "term", "textbox",
    "time", "timer", "toolbar", "tooltip", "tree", "treegrid", "treeitem",
)
_KNOWN = frozenset(ARIA_ROLES)


def check_role(value: str) -> str:
    """The role itself when Playwright knows it; else a ValueError whose hint names the nearest role."""
    if value in _KNOWN:
        return value
    near = difflib.get_close_matches(value.lower(), ARIA_ROLES, n=1, cutoff=0.6)
    guess = f"did you mean '{near[0]}'? " if near else "e.g. role: button; "
    raise ValueError(f"'{value}' is not an ARIA role; {guess}roles are the ones Playwright's get_by_role takes, "
                     "in lowercase: button, link, textbox, checkbox, heading, combobox ... (the flow schema lists all)")
