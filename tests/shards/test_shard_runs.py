"""Two shards run for real against the demo store (one with -n 2), at once, as two CI jobs would: each runs its
own share, pushes to a real Pushgateway in a group of its own, stores its runs in one real PostgreSQL history;
their Allure results merge into one report that Allure's own generator builds with every test."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from checkout_tester.monitor.history import History
from checkout_tester.report.html import allure_binary
from tests.e2e.runner import read_junit
from tests.metrics.servers import pushgateway
from tests.monitor.postgres import PostgresCluster
from tests.shards.helpers import CLI, FIXTURES, finish, project, start

FLOWS = {"flows/cart.flow.yaml": [""], "flows/home.flow.yaml": [""], "flows/search.flow.yaml": ["Blue", "mug"]}
LOCATION = "ci-lab"


def pushed_up(gateway: str) -> dict[tuple[str, float], str]:
    """(flow[variant], its value of checkout_flow_up) -> the shard group it was pushed in."""
    with urllib.request.urlopen(f"{gateway}/metrics", timeout=10) as response:
        text = response.read().decode()
    found: dict[tuple[str, float], str] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples if family.name == "checkout_flow_up" else ():
            labels = sample.labels
            assert labels["location"] == LOCATION and labels["job"] == "checkout-tester", labels
            key = (f"{labels['flow']}[{labels['variant']}]", float(sample.value))
            assert key not in found, f"{key} pushed by two shards"
            found[key] = labels["shard"]
    return found


def test_two_shards_run_push_record_and_merge_into_one_report(tmp_path: Path) -> None:
    folders = {i: project(tmp_path / f"shard-{i}", FIXTURES / "flows") for i in (1, 2)}
    with pushgateway(tmp_path) as gateway, PostgresCluster() as postgres:
        common = ["--pushgateway", gateway.url, "--location", LOCATION, "--history", postgres.url]
        started = {1: start(folders[1], [str(CLI), "run", "--shard", "1/2", "-n", "2", *common]),
                   2: start(folders[2], [str(CLI), "run", "--shard=2/2", *common])}
        done = {i: finish(process) for i, process in started.items()}
        for i, result in done.items():
            assert result.returncode == 0, f"shard {i}:\n{result.stdout}\n{result.stderr}"
        assert "bringing up nodes" in done[1].stdout  # xdist ran it: its workers agreed on the share, else it stops

        ran = {i: sorted(read_junit(folders[i] / "reports" / "junit.xml")) for i in (1, 2)}
        everything = sorted(f"{Path(f).name.split('.')[0]}[{v}]" if v else Path(f).name.split(".")[0]
                            for f, variants in FLOWS.items() for v in variants)
        assert sorted(ran[1] + ran[2]) == everything and len(ran[1]) == len(ran[2]) == 2, ran
        for i in (1, 2):  # a shard's timings hold its share only: they go beside, not over, the balancing file
            assert (folders[i] / "reports" / f"timings-shard-{i}of2.json").is_file()
            assert not (folders[i] / "reports" / "timings.json").exists()

        up = pushed_up(gateway.url)
        expected = {f"{f}[{v}]" for f, variants in FLOWS.items() for v in variants}
        assert {flow for flow, value in up if value == 1} == expected, up
        assert sorted(up.values()) == ["1of2", "1of2", "2of2", "2of2"]

        history = History(postgres.url)
        try:
            runs = history.runs()
        finally:
            history.close()
        assert sorted(f"{r.flow}[{r.variant}]" for r in runs) == sorted(expected)
        assert {r.location for r in runs} == {LOCATION}
        assert {r.outcome for r in runs} <= {"passed", "degraded"}  # degraded: over a warn budget on a loaded machine

    allure = allure_binary()  # the project's own (make setup), found from the repo root where the tests run
    assert allure, "Allure 2's generator is missing: run `make setup`"
    command = [str(CLI), "report", "--output", "merged/allure-report"]
    for i in (1, 2):  # what the CI merge job runs over the shards' downloaded artifacts
        command += ["--results", f"shard-{i}/reports/allure-results",
                    "--timings", f"shard-{i}/reports/timings-shard-{i}of2.json"]
    merged = finish(start(tmp_path, command, {"ALLURE_BIN": allure}))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    summary = json.loads((tmp_path / "merged" / "allure-report-site" / "widgets" / "summary.json").read_text())
    assert summary["statistic"]["total"] == summary["statistic"]["passed"] == len(everything), summary
    assert (tmp_path / "merged" / "allure-report" / "index.html").is_file()
    environment = (tmp_path / "reports" / "allure-results-merged" / "environment.properties").read_text()
    assert "target=demo" in environment
    timings = json.loads((tmp_path / "reports" / "timings.json").read_text())  # what the next run balances by
    assert sorted(timings["flows"]) == sorted(f"{f}[{v}]" if v else f for f, vs in FLOWS.items() for v in vs)
