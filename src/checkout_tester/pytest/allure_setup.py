"""Allure results for every flow run: the default folder, --no-allure, a clean report, the last-run marker.

Plain `pytest flows/` writes Allure results to reports/allure-results like `checkout-tester run` does,
once the run is known to hold flow tests (after collection: the project's own tests, which hold none,
are not reported). `--no-allure` or the ini setting `checkout_allure = false` turn that off.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import allure_commons
import pytest

from checkout_tester.report import allure_results

DEFAULT_RESULTS = "reports/allure-results"
LAST_RUN = "reports/last-run.json"  # read by `checkout-tester report`: were the results written by the last run?
_RESULT_FILES = ("*-result.json", "*-container.json", "*-attachment.*", "*-globals.json", "environment.properties",
                 "categories.json", "executor.json")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("checkout-tester")
    group.addoption("--no-allure", action="store_true", default=False,
                    help=f"write no Allure results (by default flows write them to {DEFAULT_RESULTS})")
    parser.addini("checkout_allure", type="bool", default=True,
                  help=f"write Allure results of flow runs to {DEFAULT_RESULTS} when no --alluredir is given")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before allure-pytest's own: --no-allure wins over --alluredir; fixture rows get hidden."""
    workerinput = getattr(config, "workerinput", {})
    config._checkout_run_started = workerinput.get("checkout_run_started", time.time())  # type: ignore[attr-defined]
    if config.getoption("--no-allure"):
        config.option.allure_report_dir = None
    cleaner = allure_results.ResultsCleaner()
    config._checkout_results_cleaner = cleaner  # type: ignore[attr-defined]
    allure_results.install(cleaner)
    config.add_cleanup(lambda: allure_results.uninstall(cleaner))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker keeps the controller's start time (results older than it are a past run's)."""
    node.workerinput["checkout_run_started"] = node.config._checkout_run_started


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    flows = [item for item in items if hasattr(item, "flow")]
    if not flows or config.option.collectonly:
        return
    config._checkout_results_cleaner.hidden |= allure_results.machinery_fixtures(items)  # type: ignore[attr-defined]
    results = getattr(config.option, "allure_report_dir", None)
    wanted = not config.getoption("--no-allure") and config.getini("checkout_allure")
    if not results and wanted and config.pluginmanager.hasplugin("allure_pytest"):  # not with -p no:allure_pytest
        results = os.path.abspath(DEFAULT_RESULTS)
        _remove_older(Path(results), config._checkout_run_started)  # type: ignore[attr-defined]
        _start_allure(config, results)
    _write_last_run(config, results)


def _start_allure(config: pytest.Config, results: str) -> None:
    """What allure-pytest's pytest_configure does for --alluredir, done once flows are collected."""
    from allure_commons.logger import AllureFileLogger
    from allure_pytest.listener import AllureListener
    from allure_pytest.plugin import cleanup_factory

    config.option.allure_report_dir = results
    listener = AllureListener(config)
    config.pluginmanager.register(listener, "allure_listener")
    allure_commons.plugin_manager.register(listener)
    config.add_cleanup(cleanup_factory(listener))
    writer = AllureFileLogger(results, False)
    allure_commons.plugin_manager.register(writer)
    config.add_cleanup(cleanup_factory(writer))


def _remove_older(folder: Path, started: float) -> None:
    """Each run's results show that run (as --clean-alluredir), without removing what a parallel worker wrote."""
    for pattern in _RESULT_FILES:
        for path in folder.glob(pattern):
            try:
                if path.stat().st_mtime < started:
                    path.unlink()
            except FileNotFoundError:
                continue  # another worker removed it first


def _write_last_run(config: pytest.Config, results: str | None) -> None:
    marker = Path(config.invocation_params.dir, LAST_RUN)
    marker.parent.mkdir(parents=True, exist_ok=True)
    started = config._checkout_run_started  # type: ignore[attr-defined]
    record = {"started": started, "started_at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
              "allure_results": os.path.abspath(results) if results else None}
    temporary = marker.with_name(f".{marker.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record, indent=2))
    os.replace(temporary, marker)
