"""A session's browser that comes back: a crash (or kill -9) costs one flow, not all the ones after it."""
from __future__ import annotations

from typing import Any, Callable

from checkout_tester.run.infra import CLOSED


class RelaunchingBrowser:
    """Stands for pytest-playwright's Browser; launches a new one when the last one is gone."""

    def __init__(self, launch: Callable[[], Any]) -> None:
        self._launch = launch
        self.current = launch()
        self.launches = 1

    def new_context(self, **options: Any) -> Any:
        """A context in a connected browser: the crashed one is replaced first."""
        if not self.current.is_connected():
            self._relaunch()
        try:
            return self.current.new_context(**options)
        except Exception as exc:
            if self.current.is_connected() and not CLOSED.search(str(exc)):
                raise
            # it went since the last call: a remote browser's connection dropped (the sync API learns it late)
            self._relaunch()
            return self.current.new_context(**options)

    def relaunch(self) -> None:
        """Close this browser (its temporary trace files go with it) and launch a new one."""
        self._relaunch()

    def _relaunch(self) -> None:
        try:
            self.current.close()
        except Exception:  # it is gone already; close() only tidies the driver's side
            pass
        self.current = self._launch()
        self.launches += 1

    def close(self) -> None:
        """Close the browser in use (a crashed one has nothing left to close)."""
        try:
            self.current.close()
        except Exception:
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)
