"""Browser dialogs: each alert, confirm, prompt and beforeunload is answered and recorded.

With a `dialog` listener on the context, Playwright leaves every dialog to it (the page waits until it is
answered), so the listener answers each one before it returns: as a `dialog` step asked, else as Playwright
would have (beforeunload accepted, the others dismissed), recording a finding for the `dialogs` detector.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.findings import Finding


class DialogMissing(AssertionError):
    """The dialog a `dialog` step waited for did not open (or another one did)."""

    failure_class = classes.CONTENT_MISSING


@dataclass
class Expected:
    """What one running `dialog` step waits for, and what it got."""

    accept: bool = True
    text: str | None = None
    answer: str | None = None
    type: str | None = None
    seen: dict[str, str] | None = None  # the dialog it answered
    others: list[dict[str, str]] = field(default_factory=list)  # dialogs that came instead

    def matches(self, info: dict[str, str]) -> bool:
        """Whether a dialog is the one this step waits for."""
        return (self.type in (None, info["type"])) and (self.text is None or self.text in info["message"])

    def wanted(self) -> str:
        """The dialog in words, for messages: `a confirm saying 'Remove this item?'`."""
        what = self.type or "dialog"
        return f"a{'n' if what[0] in 'aeiou' else ''} {what}" + (f" saying {self.text!r}" if self.text else "")


def shown(info: dict[str, str]) -> str:
    """A dialog in words: `confirm 'Remove this item?'` (Chromium gives beforeunload no message)."""
    return f"{info['type']} {info['message']!r}" if info["message"] else info["type"]


class DialogWatch:
    """Answers every dialog of a browser context; `expect` arms the answer of a `dialog` step."""

    def __init__(self, record: Callable[[Finding], None]) -> None:
        self.record = record
        self._expecting: list[Expected] = []  # innermost step first

    @contextmanager
    def expect(self, expected: Expected) -> Iterator[Expected]:
        """While the block runs, the first dialog that matches is answered as `expected` says."""
        self._expecting.insert(0, expected)
        try:
            yield expected
        finally:
            self._expecting.remove(expected)

    def on_dialog(self, dialog: Any) -> None:
        """The context's `dialog` listener: it must answer every dialog, whatever else goes wrong."""
        answered = False
        try:
            info = {"type": str(dialog.type), "message": str(dialog.message), "page": _page_url(dialog)}
            mine = next((e for e in self._expecting if e.seen is None and e.matches(info)), None)
            if mine is not None:
                mine.seen = info
                if not mine.accept:
                    dialog.dismiss()
                elif mine.answer is not None:
                    dialog.accept(mine.answer)
                else:
                    dialog.accept()
                answered = True
            waiting = next((e for e in self._expecting if e.seen is None), None)
            if mine is None and waiting is not None:
                waiting.others.append(info)
            self.record(dialog_finding(info, mine, waiting))
        except Exception:  # the page closed meanwhile: nothing left to answer
            pass
        finally:
            if not answered:
                _default_answer(dialog)


def dialog_finding(info: dict[str, str], mine: Expected | None, waiting: Expected | None) -> Finding:
    """The finding of one dialog; one a `dialog` step answered is expected, not a problem."""
    text = f"{shown(info)} on {info['page']}" if info["page"] else shown(info)
    extra: dict[str, Any] = {"type": info["type"], "message": info["message"]}
    if mine is not None:
        extra["handled"] = f"{'accepted' if mine.accept else 'dismissed'} by the flow's dialog step"
    elif waiting is not None:
        text += f" (the flow's dialog step waits for {waiting.wanted()})"
    else:
        text += " (no dialog step expected it)"
    return Finding("dialogs", "dialog", text, where=info["page"], extra=extra)


def _default_answer(dialog: Any) -> None:
    """What Playwright does with a dialog nobody handles: accept beforeunload, dismiss the others."""
    try:
        if dialog.type == "beforeunload":
            dialog.accept()
        else:
            dialog.dismiss()
    except Exception:  # already answered or its page is gone
        pass


def _page_url(dialog: Any) -> str:
    try:
        return str(dialog.page.url) if dialog.page is not None else ""
    except Exception:
        return ""
