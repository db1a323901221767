"""The pytest side of preflight: options, target config and preflight.py checks before any browser starts.

Every problem is reported once, one `ERROR:` line each; the run then collects or runs nothing and exits with
code 2, like a command-line usage error, never as N failed tests.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.loader import load_flow
from checkout_tester.flow.model import Flow
from checkout_tester.pytest import fixtures, history, push, secrets, shard
from checkout_tester.target import preflight

FLOW_SUFFIX = ".flow.yaml"
USAGE_EXIT = 2


def configure(config: pytest.Config) -> None:
    """Check our options and the target config now; the hooks below report and stop the run."""
    problems = option_problems(config)
    try:
        fixtures.session_target(config)
    except pytest.UsageError as exc:
        problems += str(exc).splitlines()
    config._checkout_problems = problems  # type: ignore[attr-defined]
    config.pluginmanager.register(sys.modules[__name__], "checkout-tester-preflight")


def option_problems(config: pytest.Config) -> list[str]:
    """Mistakes in --store-fault, --repeat and --var, one line each with the fix."""
    from checkout_tester.target.config_file import fault_problem

    problems = [f"--store-fault {fault}: {problem}" for fault in config.getoption("--store-fault")
                if (problem := fault_problem(fault))]
    repeat = config.getoption("--repeat")
    if repeat < 1:
        problems.append(f"--repeat {repeat}: each flow runs at least once; give --repeat 1 or more")
    problems += [f"--var {var}: a variable needs a value; write --var NAME=VALUE, e.g. --var email=janet@example.com"
                 for var in config.getoption("--var") if "=" not in var or not var.partition("=")[0].strip()]
    return (problems + secrets.option_problems(config) + push.option_problems(config) + shard.option_problems(config)
            + history.option_problems(config))


def _problems(config: pytest.Config) -> list[str]:
    return getattr(config, "_checkout_problems", [])


def _stop(config: pytest.Config, problems: list[str]) -> None:
    """Report problems once, one `ERROR:` line each; the run then runs nothing and exits with code 2."""
    config._checkout_problems = problems  # type: ignore[attr-defined]
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller reports
    for line in problems:
        sys.stderr.write(f"ERROR: {line}\n")
    sys.stderr.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    """A wrong option or target config: collect nothing (no flow loads, no browser starts)."""
    problems = _problems(session.config)
    if problems:
        _stop(session.config, problems)
        return True
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Preflight (preflight.py) for the collected flows: secrets, mail sink, base URL."""
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):  # xdist workers: the controller checked
        return
    flows = list({id(i.flow): i.flow for i in session.items if hasattr(i, "flow")}.values())
    if flows:
        _preflight(session, flows)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist the controller collects nothing: check every flow file among the arguments instead."""
    config = session.config
    if (config.option.collectonly or _problems(config) or hasattr(config, "workerinput")
            or not getattr(config.option, "numprocesses", None)):
        return
    from checkout_tester.flow.loader import find_flow_files

    flows = []
    for arg in config.args:
        path = Path(arg.split("::")[0])
        for file in find_flow_files([path]) if path.exists() else []:
            if _ignored(config, file):
                continue  # what collection would skip (collect_ignore_glob, --ignore): not a test
            try:
                flows.append(load_flow(file)) if file.name.endswith(FLOW_SUFFIX) else None
            except FlowError:
                continue  # the workers' collection reports it at its line
    if flows:
        _preflight(session, flows)


def _ignored(config: pytest.Config, file: Path) -> bool:
    """Whether collection would skip this file: conftests of its folder loaded first, as pytest's collector does."""
    try:  # pytest's own (private) step before it asks pytest_ignore_collect; if it moved, check the file anyway
        config.pluginmanager._loadconftestmodules(
            file.resolve().parent, importmode=config.getoption("importmode"), rootpath=config.rootpath,
            consider_namespace_packages=config.getini("consider_namespace_packages"))
    except Exception:  # noqa: BLE001
        pass
    return bool(config.hook.pytest_ignore_collect(collection_path=file.resolve(), config=config))


def _preflight(session: pytest.Session, flows: list[Flow]) -> None:
    config = session.config
    problems = preflight.check(fixtures.session_target(config), flows, base_url=config.getoption("--base-url"))
    if problems:
        _stop(config, problems)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """Run nothing (start no xdist worker) when the options, target or preflight found problems."""
    return True if _problems(session.config) else None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if _problems(session.config):
        session.exitstatus = USAGE_EXIT
