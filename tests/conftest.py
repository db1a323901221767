"""Repo-local test settings: flow fixtures under tests/ are data for the tests, not tests themselves."""
from __future__ import annotations

import os
from typing import Any

import pytest

from tests import parallel

collect_ignore_glob = ["unit/bad_flows/*", "unit/good_flows/*", "*/fixtures/*"]

# The suite's own `checkout-tester run`s must not annotate or summarise the CI job running the suite
# (tests/console sets these variables for its own runs).
for _name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
    os.environ.pop(_name, None)

# The pytest sessions the tests start (`checkout-tester run`, `pytest flows/`) run flows, never Hypothesis tests;
# Hypothesis (a test dependency, not the product's) would load its plugin there and import itself at every
# session's end: 1.2 s of CPU per run, a tenth of the suite's. This process parsed PYTEST_ADDOPTS already.
os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p no:hypothesispytest".strip()


# Under `-n N --dist loadscope` (make test): work units and their order come from tests/parallel.py.
@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Our units (a file, or a folder sharing a session fixture), longest first; other --dist modes as usual."""
    return parallel.make_scheduler(config, log) if config.getvalue("dist") == "loadscope" else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On xdist workers: the longest units first (a stable sort; files stay whole and in order)."""
    if hasattr(config, "workerinput") and config.getvalue("dist") == "loadscope":
        items.sort(key=lambda item: parallel.rank(item.nodeid))
