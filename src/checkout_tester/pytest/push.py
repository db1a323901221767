"""--pushgateway URL: every flow test's RunRecord, pushed once when the session ends (monitor/metrics.py pushes)."""
from __future__ import annotations

import json
import os
from typing import Any, Generator
from urllib.parse import urlsplit

import pytest

from checkout_tester.monitor.record import PUSH_JOB, RecordBuilder, RunRecord, record_from_json
from checkout_tester.pytest.shard import shard_of

HISTORY_ENV = "CHECKOUT_HISTORY_URL"  # --history's default (pytest/history.py): a URL with a password is a secret
PROPERTY = "checkout_run_record"  # the record travels in user_properties, so xdist workers hand it over too


def add_options(group: Any) -> None:
    """The push options of the plugin's option group."""
    group.addoption("--pushgateway", default=None, metavar="URL",
                    help="push each flow variant's metrics (Prometheus) to this Pushgateway when the run ends, "
                         f"job {PUSH_JOB}, grouped by target and location")
    group.addoption("--location", default="local", metavar="NAME",
                    help="where this run happens, a label of pushed metrics (default local)")


def option_problems(config: pytest.Config) -> list[str]:
    """A --pushgateway that is not an http(s) URL, with the fix."""
    url = config.getoption("--pushgateway")
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        return [f"--pushgateway {url}: not an http(s) URL; give the Pushgateway's address, e.g. http://127.0.0.1:9091"]
    return []


def register(config: pytest.Config) -> None:
    """Gather records only when --pushgateway (pushed at the end) or --history (stored as they come) is given."""
    history = config.getoption("--history", None) or os.environ.get(HISTORY_ENV)  # workers build records too
    if config.getoption("--pushgateway") or history:
        config.pluginmanager.register(PushPlugin(config), "checkout-tester-push")


def records_of(report: pytest.TestReport) -> list[RunRecord]:
    """The RunRecords a call report carries; a variant that failed as its row expects is a pass."""
    if report.when != "call" or report.outcome == "rerun":  # a failed first attempt: its retry's record counts
        return []
    expected = any(key == "expected_failure" for key, _ in report.user_properties)
    records = []
    for key, value in report.user_properties:
        if key == PROPERTY:
            record = record_from_json(json.loads(str(value)))
            if expected and report.passed:
                record.outcome, record.failure_class, record.message, record.failed_step = "passed", "", "", ""
            records.append(record)
    return records


class PushPlugin:
    """A RecordBuilder per flow test; the controlling process pushes every record once at session end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[RunRecord] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, None]:
        runner = getattr(item, "_checkout_runner", None)  # set by the checkout_runner fixture at setup
        builder = None
        if runner is not None:
            target = getattr(runner.target, "name", "")
            builder = RecordBuilder(self.config.getoption("--location"), target, runner.redactor)
            runner.listeners.append(builder)
        yield
        if builder is not None and builder.record is not None:
            builder.record.reproduce = getattr(runner, "reproduce", "")
            item.user_properties.append((PROPERTY, json.dumps(builder.record.as_json())))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.records += records_of(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        url, location = self.config.getoption("--pushgateway"), self.config.getoption("--location")
        if hasattr(self.config, "workerinput") or not self.records or not url:
            return  # workers hand their records to the controller; --history alone pushes nothing
        target = self.records[0].target
        shard = shard_of(self.config)  # shards push to groups of their own: none overwrites another's
        grouping = {"shard": shard.slug} if shard else {}
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        try:
            from checkout_tester.monitor.metrics import push_records  # prometheus_client: only when pushing

            push_records(url, self.records, target, location, grouping=grouping)
        except OSError as exc:  # unreachable or refused: the runs' results stand, the push is reported
            line = f"WARNING: could not push metrics to {url}: {exc}"
        else:
            line = f"metrics: pushed {len(self.records)} run(s) to {url} (job {PUSH_JOB}, target {target}, " \
                   f"location {location}{f', shard {shard}' if shard else ''})"
        if reporter is not None:
            reporter.write_line(line)
