"""Under pytest-xdist, the longest flows start first, one on each worker.

xdist hands tests out in collection order, two to a worker at first, then one at a time as workers free up. In
file order a suite's two long checkouts can land on one worker, back to back, while the others run out of work:
that worker's tail sets the run's time. Longest first (the durations of an earlier run when reports/timings.json
has them, else the flows' steps counted) with each worker's first pair a long flow and a short one, and one test
at a time after that (`--maxschedchunk 1` unless given), is the longest-processing-time rule. Every worker
collects and orders the same way (xdist requires identical collections); `-n 0` keeps the file order.
"""
from __future__ import annotations

from typing import Any

import pytest

from checkout_tester.flow.cost import estimate
from checkout_tester.flow.shards import read_durations, timing_key


def register(config: pytest.Config) -> None:
    """On the controller: one test at a time per worker; on each worker: the ordering."""
    if not config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        return
    # -n N alone means --dist load (xdist sets it on the controller; a worker sees the option as given: "no")
    plain = config.getoption("dist", "no") in ("no", "load")
    if plain and config.getoption("maxschedchunk", None) is None:
        config.option.maxschedchunk = 1
    workers = int(getattr(config, "workerinput", {}).get("workercount", 0) or 0)
    if workers > 1 and plain:
        config.pluginmanager.register(OrderPlugin(config, workers), "checkout-tester-order")


class OrderPlugin:
    def __init__(self, config: pytest.Config, workers: int) -> None:
        self.config, self.workers = config, workers

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        weights = self._weights(items)
        if weights is not None:
            items[:] = first_pairs(sorted(items, key=lambda i: (-weights[i.nodeid], i.nodeid)), self.workers)

    def _weights(self, items: list[pytest.Item]) -> dict[str, float] | None:
        """Recorded median durations (ms) when any is known, else the step counts; None: not flow tests."""
        root = self.config.invocation_params.dir
        keys = {i.nodeid: _key(i, root) for i in items}
        if not all(keys.values()):
            return None  # other tests in the session: their order is theirs
        durations = read_durations(root / self.config.getoption("--shard-timings"), root)
        known = [durations[k] for k in keys.values() if k in durations]
        if known:
            typical = sorted(known)[len(known) // 2]
            return {node: durations.get(key, typical) for node, key in keys.items()}
        return {i.nodeid: estimate(i.flow) for i in items}  # type: ignore[attr-defined]


def _key(item: pytest.Item, root: Any) -> str:
    flow, variant = getattr(item, "flow", None), getattr(item, "variant", None)
    return timing_key(flow.path, variant.id, root) if flow is not None and variant is not None else ""


def first_pairs(ordered: list[Any], workers: int) -> list[Any]:
    """Longest first, rearranged so that xdist's first hand-out of two per worker gives each worker one of the
    `workers` longest and one of the next `workers` (the i-th longest with the (2w-1-i)-th)."""
    if len(ordered) < 2 * workers:
        return ordered  # fewer than two each: xdist deals them out one by one, longest first
    head, rest = ordered[:2 * workers], ordered[2 * workers:]
    return [x for i in range(workers) for x in (head[i], head[2 * workers - 1 - i])] + rest
