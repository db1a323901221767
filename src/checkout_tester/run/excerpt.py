"""The part of a page's text that matters for a text that was not found: the lines nearest to it."""
from __future__ import annotations

from difflib import SequenceMatcher

WIDTH = 160


def nearest(text: str, wanted: str, count: int = 2) -> list[str]:
    """The `count` lines of `text` most like `wanted` (best first), each quoted and cut to WIDTH."""
    wanted = " ".join(wanted.split()).lower()
    lines = list(dict.fromkeys(" ".join(line.split()) for line in text.splitlines() if line.strip()))
    if not wanted or not lines:
        return []
    scored = sorted(lines, key=lambda line: -_likeness(wanted, line.lower()))
    return [repr(_around(line, wanted)) for line in scored[:count] if _likeness(wanted, line.lower()) > 0.3]


def _likeness(wanted: str, line: str) -> float:
    """How much of `wanted` the line holds (the longest common run's share), then how alike they are overall."""
    matcher = SequenceMatcher(None, wanted, line, autojunk=False)
    longest = matcher.find_longest_match(0, len(wanted), 0, len(line)).size
    return longest / len(wanted) + SequenceMatcher(None, wanted, line[: len(wanted) * 3]).ratio() / 10


def _around(line: str, wanted: str) -> str:
    """A long line cut around its part most like `wanted`."""
    if len(line) <= WIDTH:
        return line
    matcher = SequenceMatcher(None, wanted, line.lower(), autojunk=False)
    at = matcher.find_longest_match(0, len(wanted), 0, len(line)).b
    start = max(0, at - WIDTH // 3)
    return ("..." if start else "") + line[start:start + WIDTH] + ("..." if start + WIDTH < len(line) else "")
