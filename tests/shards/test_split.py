"""--shard I/N: balanced by an earlier run's durations (the heavy flow alone), repeats kept together, bad values
refused before anything runs. (Every variant in exactly one shard, in any process: test_manifests.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow.loader import find_flow_files, load_flow
from checkout_tester.flow.shards import assign, parse_shard
from tests.shards.helpers import CLI, collect_all, finish, ids_of, project, pytest_collect, start, timing_key

HEAVY = "flows/checkout_card.flow.yaml::checkout_card"
FIXTURE_FLOWS = Path(__file__).parent / "fixtures" / "flows"


def shipped_ids(folder: Path) -> list[str]:
    """Every test id of the flows in folder/flows, variants included, as the plugin names them."""
    ids = []
    for file in find_flow_files([folder / "flows"]):
        base = file.name[: -len(".flow.yaml")]
        for variant in load_flow(file).variant_rows:
            ids.append(f"flows/{file.name}::{base}[{variant.id}]" if variant.id else f"flows/{file.name}::{base}")
    assert HEAVY in ids and any("signup.flow.yaml::signup[" in i for i in ids), ids
    return ids


def test_recorded_durations_put_the_heavy_flow_alone_and_repeats_stay_together(tmp_path: Path) -> None:
    folder = project(tmp_path)
    shipped = shipped_ids(folder)
    durations = {timing_key(i): 2000.0 for i in shipped if "contact_support" not in i}  # one never timed: median
    del durations[timing_key(HEAVY)]
    durations[str(folder / "flows/checkout_card.flow.yaml")] = 60000.0  # as a run from elsewhere wrote it
    flows = {key: {"flow_ms": {"n": 1, "median": ms}} for key, ms in durations.items()}
    (folder / "reports").mkdir()
    (folder / "reports" / "timings.json").write_text(json.dumps({"repeat": 1, "flows": flows, "runs": []}))
    runs = {f"{i}/2": pytest_collect("flows/", f"--shard={i}/2", "--repeat=2") for i in (1, 2)}
    runs["empty"] = pytest_collect("flows/", f"--shard={len(shipped) + 1}/{len(shipped) + 1}")
    done = collect_all(folder, runs)  # every exit code 0: an empty shard (more shards than variants) too
    shards = [ids_of(done[f"{i}/2"]) for i in (1, 2)]
    assert shards[0] == [f"{HEAVY}[1of2]", f"{HEAVY}[2of2]"], shards[0]  # the heaviest first, alone
    expected = [f"{i[:-1]}-{r}of2]" if i.endswith("]") else f"{i}[{r}of2]" for i in shipped for r in (1, 2)]
    assert sorted(sum(shards, [])) == sorted(expected)  # the rest in shard 2, each variant's repeats together
    assert "balanced by the durations in reports/timings.json" in done["1/2"].stdout
    assert ": 0 item(s)" in done["empty"].stdout and not ids_of(done["empty"])


def test_bad_shard_values_and_a_refusing_history_are_usage_errors_before_any_browser(tmp_path: Path) -> None:
    refused = "postgresql+psycopg://nobody@127.0.0.1:1/monitor"  # nothing listens on port 1
    runs = {"0-3": ([str(CLI), "run", "--shard", "0/3"], "ERROR: --shard 0/3: the shard number must be between 1 "
                                                          "and the shard count; give one of 1/3 .. 3/3"),
            "x": (pytest_collect("flows/", "--shard=x"), "ERROR: --shard x: not a shard; write I/N"),
            "history": ([str(CLI), "run", "--shard=1/2", "--history", refused],
                        "ERROR: --history postgresql+psycopg://nobody@127.0.0.1:1/monitor: cannot open the database")}
    started = {name: start(project(tmp_path / name), command) for name, (command, _) in runs.items()}
    for name, process in started.items():
        done = finish(process)
        assert done.returncode == 2, f"{name}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert runs[name][1] in done.stderr and "Traceback" not in done.stderr + done.stdout, done.stderr
        assert not list((tmp_path / name).rglob("*-result.json"))  # nothing ran


def test_split_is_greedy_by_weight_then_id_else_round_robin() -> None:
    assert assign({"a": 10, "b": None, "c": 1, "d": 1, "e": 1}, 2) == {"a": 1, "b": 2, "c": 2, "d": 2, "e": 2}
    assert assign({"b": None, "a": None, "c": None}, 2) == {"a": 1, "b": 2, "c": 1}
    assert assign({"a": 1}, 3) == {"a": 1}
    assert parse_shard(" 2 / 3 ").slug == "2of3"
    for bad in ("0/3", "4/3", "x", "1/0", "-1/2", "1/2/3"):
        with pytest.raises(ConfigError):
            parse_shard(bad)


def test_monitor_replicas_each_check_their_share_of_the_flow_files() -> None:
    from checkout_tester.cli.main import _parser
    from checkout_tester.monitor.cli import _load

    def load(shard: str) -> tuple[list[str], list[str]]:
        args = _parser().parse_args(["monitor", "--target", "config/demo.yaml", "--shard", shard, str(FIXTURE_FLOWS)])
        _, flows, problems = _load(args)
        return sorted(Path(f.path).name for f in flows), problems

    shares = [load(f"{i}/2") for i in (1, 2)]
    assert not shares[0][1] and not shares[1][1]
    assert sorted(shares[0][0] + shares[1][0]) == ["cart.flow.yaml", "home.flow.yaml", "search.flow.yaml"]
    assert load("3/2")[1] == ["--shard 3/2: the shard number must be between 1 and the shard count; "
                              "give one of 1/2 .. 2/2"]
    assert "no flow file falls to this shard" in load("4/4")[1][0]
