"""`checkout-tester run -n 2`: each worker starts with one of the longest flows, by the flows' steps when nothing
was timed yet and by reports/timings.json when it was. Read from the Allure results: each test's start and the
process (xdist worker) that ran it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkout_tester.flow.cost import estimate
from checkout_tester.flow.loader import load_flow
from checkout_tester.pytest.order import first_pairs
from tests.shards.helpers import CLI, ROOT, finish, project, start

pytestmark = pytest.mark.e2e
# In file order xdist would start the 1st and 3rd signups first (two to a worker), the longest flows last.
FLOWS = ["flows/signup.flow.yaml", "flows/add_to_cart.flow.yaml", "flows/contact_support.flow.yaml"]


def first_on_each_worker(folder: Path) -> set[str]:
    """The first test each worker process started."""
    first: dict[str, tuple[int, str]] = {}
    for path in (folder / "reports" / "allure-results").glob("*-result.json"):
        result = json.loads(path.read_text())
        worker = next(label["value"] for label in result["labels"] if label["name"] == "thread").split("-")[0]
        if worker not in first or result["start"] < first[worker][0]:
            first[worker] = (result["start"], result["fullName"] if "fullName" in result else result["name"])
    assert len(first) == 2, first
    return {name for _, name in first.values()}


def run(folder: Path) -> None:
    done = finish(start(folder, [str(CLI), "run", "-n", "2", "-p", "no:cacheprovider", *FLOWS]))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_flows_with_most_steps_start_first_when_nothing_was_timed(tmp_path: Path) -> None:
    folder = project(tmp_path / "p")
    run(folder)
    firsts = first_on_each_worker(folder)
    assert any("add_to_cart" in name for name in firsts) and any("contact_support" in name for name in firsts), firsts


def test_recorded_durations_decide_the_order(tmp_path: Path) -> None:
    folder = project(tmp_path / "p")
    (folder / "reports").mkdir()
    slow = {"flows/signup.flow.yaml[Janet.Doe@Example.com]": 90000, "flows/add_to_cart.flow.yaml": 60000,
            "flows/contact_support.flow.yaml": 500}  # the other two signups: the median, 60 s
    timings = {"flows": {key: {"flow_ms": {"median": ms}} for key, ms in slow.items()}}
    (folder / "reports" / "timings.json").write_text(json.dumps(timings))
    run(folder)
    firsts = first_on_each_worker(folder)
    assert any("Janet.Doe@Example.com" in name for name in firsts), firsts  # second in file order
    assert not any("contact_support" in name for name in firsts), firsts


def test_the_estimate_ranks_the_shipped_flows_as_they_take_and_pairs_long_with_short() -> None:
    costs = {path.name: estimate(load_flow(path)) for path in (ROOT / "flows").glob("*.flow.yaml")}
    ranked = sorted(costs, key=lambda name: -costs[name])
    assert ranked[:3] == ["checkout_wallet.flow.yaml", "checkout_card.flow.yaml", "add_to_cart.flow.yaml"], costs
    assert first_pairs(list("abcdefghij"), 2) == list("adbcefghij")  # worker 1: a then d; worker 2: b then c
    assert first_pairs(list("abc"), 2) == list("abc")  # fewer than two each: dealt one by one
