"""Regexes built from what a flow says, shown in messages as the flow said it, never as `re.compile(...)`."""
from __future__ import annotations

import ast
import re

# repr(pattern) -> the flow's own words for it; filled as steps build patterns, read when a message is written.
_WRITTEN: dict[str, str] = {}
_LIMIT = 2048  # a long-running monitor builds patterns from per-run values: keep the table small
_FLAGS = r"(?:re\.[A-Z]+(?:\|re\.[A-Z]+)*|\d+)"
# Python's repr of a compiled pattern, with the quotes a message may put around it.
REPR = re.compile(r"""(?P<open>['"]?)re\.compile\((?P<source>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
                  rf"""(?:, (?P<flags>{_FLAGS}))?\)(?P=open)""")


def remember(pattern: re.Pattern[str], written: str) -> re.Pattern[str]:
    """Record how the flow wrote `pattern` (a complete phrase, e.g. `'Total' as a whole word`)."""
    if len(_WRITTEN) >= _LIMIT:
        _WRITTEN.clear()
    _WRITTEN[repr(pattern)] = written
    return pattern


def whole_word(text: str) -> re.Pattern[str]:
    """`text` standing as a whole word or phrase (not inside a longer word or number)."""
    return remember(re.compile(rf"(^|\W){re.escape(text)}($|\W)"), f"'{text}' as a whole word")


def url_glob(url: str) -> re.Pattern[str]:
    """`/account` matches that path on any host, with any query; `*` matches anything."""
    body = ".*".join(re.escape(part) for part in url.split("*"))
    if url.startswith("/"):
        return remember(re.compile(rf"^[a-z]+://[^/]+{body}/?([?#].*)?$"), f"'{url}'")
    return remember(re.compile(rf"^{body}/?([?#].*)?$"), f"'{url}'")


def regex(source: str, flags: int = 0) -> re.Pattern[str]:
    """A regex the flow wrote itself, shown as `regex '...'`."""
    return remember(re.compile(source, flags), f"regex '{source}'")


def readable(text: str) -> str:
    """`text` with every pattern repr replaced by the flow's words for it (or by the regex as written)."""
    if "re.compile(" not in text:
        return text
    for bare, written in _WRITTEN.items():  # exact text first: Python cuts the repr of a long pattern short
        if bare in text:
            text = text.replace(f"'{bare}'", written).replace(bare, written)
    return REPR.sub(_as_regex, text)


def _as_regex(match: re.Match[str]) -> str:
    try:
        source = ast.literal_eval(match.group("source"))
    except (ValueError, SyntaxError):
        source = match.group("source")[1:-1]
    return f"regex '{source}'"
