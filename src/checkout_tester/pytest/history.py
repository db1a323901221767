"""--history URL: each flow test's RunRecord stored in the monitor's history database as the test ends.

Shards of a scheduled run (and monitors) share one history: PostgreSQL takes every job's rows; `checkout-tester
history --history URL` and the status page read them back.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.pytest.push import HISTORY_ENV, records_of

if TYPE_CHECKING:  # SQLAlchemy is imported only when a run keeps a history (it costs a second to import)
    from checkout_tester.monitor.history import History

KEY = "_checkout_history"


def add_options(group: Any) -> None:
    """The history option of the plugin's option group."""
    group.addoption("--history", default=None, metavar="URL",
                    help="store each flow variant's run in this history database (the monitor's table), e.g. "
                         f"postgresql+psycopg://user@db/monitor; default ${HISTORY_ENV} when set")


def history_url(config: pytest.Config) -> str | None:
    """--history, else $CHECKOUT_HISTORY_URL, else None."""
    return config.getoption("--history", None) or os.environ.get(HISTORY_ENV) or None


def option_problems(config: pytest.Config) -> list[str]:
    """Open the history now (the controlling process only): a wrong URL or a database that refuses is a usage
    error before any browser starts."""
    url = history_url(config)
    if not url or hasattr(config, "workerinput"):
        return []
    from checkout_tester.monitor.history import History

    try:
        setattr(config, KEY, History(url))
    except ConfigError as exc:
        return [f"{line}; fix --history (or ${HISTORY_ENV})" for line in exc.problems]
    return []


def register(config: pytest.Config) -> None:
    """Store records as tests end when a history is open (not in xdist workers: their reports reach the controller)."""
    history = getattr(config, KEY, None)
    if history is not None:
        config.pluginmanager.register(HistoryPlugin(config, history), "checkout-tester-history")


class HistoryPlugin:
    """Writes each call report's RunRecords to the history, one transaction each; closes it at session end."""

    def __init__(self, config: pytest.Config, history: History) -> None:
        self.config, self.history, self.stored, self.failed = config, history, 0, ""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        for record in records_of(report):
            try:
                self.history.add(record)
            except SQLAlchemyError as exc:  # the database went away mid-run: the results stand, the loss is said
                self.failed = f"WARNING: could not store a run in the history: {' '.join(str(exc).split())[:300]}"
            else:
                self.stored += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.failed:
            terminalreporter.write_line(self.failed)
        if self.stored:
            shown = self.history.engine.url.render_as_string(hide_password=True)
            terminalreporter.write_line(f"history: stored {self.stored} run(s) in {shown}")

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.history.close()
