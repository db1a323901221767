"""--pushgateway URL: every flow test's RunRecord, pushed once when the session ends (monitor/metrics.py pushes)."""
from __future__ import annotations

import json
from typing import Any, Generator
from urllib.parse import urlsplit

import pytest

from checkout_tester.monitor.metrics import PUSH_JOB, push_records, record_from_json
from checkout_tester.monitor.record import RecordBuilder, RunRecord

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
    """Gather records (and push at the end) only when --pushgateway is given."""
    if config.getoption("--pushgateway"):
        config.pluginmanager.register(PushPlugin(config), "checkout-tester-push")


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
        if report.when != "call" or report.outcome == "rerun":  # a failed first attempt: its retry's record counts
            return
        expected = any(key == "expected_failure" for key, _ in report.user_properties)
        for key, value in report.user_properties:
            if key == PROPERTY:
                record = record_from_json(json.loads(str(value)))
                if expected and report.passed:  # a variant that failed as its row expects is a pass
                    record.outcome, record.failure_class, record.message, record.failed_step = "passed", "", "", ""
                self.records.append(record)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput") or not self.records:
            return  # workers hand their records to the controller
        url, location = self.config.getoption("--pushgateway"), self.config.getoption("--location")
        target = self.records[0].target
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        try:
            push_records(url, self.records, target, location)
        except OSError as exc:  # unreachable or refused: the runs' results stand, the push is reported
            line = f"WARNING: could not push metrics to {url}: {exc}"
        else:
            line = f"metrics: pushed {len(self.records)} run(s) to {url} (job {PUSH_JOB}, target {target}, " \
                   f"location {location})"
        if reporter is not None:
            reporter.write_line(line)
