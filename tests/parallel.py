"""How `make test` spreads the suite over pytest-xdist workers (`-n 3 --dist loadscope`, see tests/conftest.py).

A work unit is one test file, so each file's module fixtures (a demo store, a pytest subprocess whose outcomes
several tests read) are built once, on one worker. The folders in SHARED_FOLDERS are one unit each: their tests
read one session or package fixture (tests/detect: every detector scenario run once; tests/allure: one run and
its Allure report; tests/metrics: real run records), which each worker would otherwise build again.
Units start longest first (FIRST, measured with --durations=0) so no worker ends the run alone on a long one.
"""
from __future__ import annotations

from typing import Any

SHARED_FOLDERS = ("tests/detect/", "tests/allure/", "tests/metrics/")

# The longest units, longest first (seconds each took in a full run with `-n 3` on this 2-core machine, load 10-13);
# the rest follow in file order.
FIRST = (
    "tests/e2e/test_shipped_flows.py",  # 327
    "tests/detect/",  # 294
    "tests/live/test_live_store.py",  # 230
    "tests/e2e/test_demo_command.py",  # 201
    "tests/remote/test_remote_browsers.py",  # 145
    "tests/output/test_messages.py",  # 122
    "tests/output/test_cli_options.py",  # 103
    "tests/plugin/test_plugin.py",  # 95
    "tests/mail/test_mail_flows.py",  # 92
    "tests/console/test_console.py",  # 82
    "tests/monitor/test_monitor.py",  # 81
    "tests/metrics/",  # 71
    "tests/a11y/test_a11y_flows.py",  # 69
    "tests/allure/",  # 61
    "tests/e2e/test_candidates.py",  # 59
    "tests/output/test_secrets_everywhere.py",  # 59
    "tests/reproduce/test_reproduce_command.py",  # 57
    "tests/output/test_reproduce.py",  # 54
    "tests/e2e/test_finally.py",  # 51
    "tests/format/test_format_flows.py",  # 47
    "tests/output/test_interrupts.py",  # 46
    "tests/shards/test_shard_runs.py",  # 41
    "tests/timing/test_navigation.py",  # 38
)


def unit_of(nodeid: str) -> str:
    """The work unit of a test: its shared folder, else its file."""
    path = nodeid.split("::", 1)[0]
    return next((folder for folder in SHARED_FOLDERS if path.startswith(folder)), path)


# Units that measure time against tight bounds (TTFB within 150 ms of the injected delay): last, when the other
# workers are on short unit tests or done. Under the first minutes' load a 1000 ms page measured 2650 ms.
LAST = ("tests/timing/test_accuracy.py",)


def rank(nodeid: str) -> int:
    """Where a test's unit starts: FIRST in their order, then the others, then LAST."""
    unit = unit_of(nodeid)
    if unit in LAST:
        return len(FIRST) + 1 + LAST.index(unit)
    return FIRST.index(unit) if unit in FIRST else len(FIRST)


def make_scheduler(config: Any, log: Any) -> Any:
    """xdist's scope scheduler with our units, in collection order, one unit ahead per worker."""
    from xdist.scheduler import LoadScopeScheduling  # only under -n: xdist is a test dependency

    class UnitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def __init__(self, config: Any, log: Any = None) -> None:
            super().__init__(config, log)
            config.option.loadscopereorder = False  # keep our order (xdist's would sort units by test count)

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _reschedule(self, node: Any) -> None:
            # xdist gives a worker more while it has up to 2 tests pending; with one-test units that would queue
            # two long units behind one worker while another goes idle. One pending test (the running one) only.
            if not node.shutting_down and self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)

    return UnitScheduling(config, log)
