"""deploy/kubernetes: the sharded CronJob is valid against Kubernetes' own schemas (offline, kubernetes-validate),
and the command each Job index runs, run here, covers every shipped flow variant exactly once."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from tests.shards.helpers import CLI, ROOT, collect_all, ids_of, project, pytest_collect
from tests.shards.test_split import shipped_ids

MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))


def documents() -> list[dict[str, Any]]:
    """Every resource of every manifest."""
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_manifests_are_valid_kubernetes_resources() -> None:
    assert MANIFESTS
    version = kubernetes_validate.latest_version()
    for doc in documents():
        try:  # strict: an unknown or misspelt field is an error too
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            raise AssertionError(f"{doc['kind']} {doc['metadata']['name']}: {exc.message}") from None


def cronjob() -> tuple[dict[str, Any], dict[str, Any]]:
    """The CronJob's Job spec and its one container."""
    (job,) = [d["spec"]["jobTemplate"]["spec"] for d in documents() if d["kind"] == "CronJob"]
    (container,) = job["template"]["spec"]["containers"]
    return job, container


def test_each_index_of_the_indexed_job_runs_its_own_shard(tmp_path: Path) -> None:
    job, container = cronjob()
    count = job["completions"]
    env = {e["name"]: e for e in container["env"]}
    assert job["completionMode"] == "Indexed" and job["parallelism"] == count == int(env["SHARDS"]["value"]) > 1
    assert env["CHECKOUT_HISTORY_URL"]["valueFrom"]["secretKeyRef"]  # one history for all shards, from a secret
    args = container["args"]
    assert args[args.index("--pushgateway") + 1].startswith("http") and "--location" in args
    # What each pod runs, here: the image's working directory is the project (flows/, config/); the store's
    # target swapped for the demo config, the history for a local file, and --collect-only to list, not run.
    folder = project(tmp_path / "opt")
    args = [a if a != "config/my-shop.yaml" else "config/demo.yaml" for a in args] + ["--collect-only"]
    history = f"sqlite:///{tmp_path / 'history.db'}"
    path = f"{CLI.parent}{os.pathsep}{os.environ['PATH']}"
    runs = {f"index {i}": container["command"] + args for i in range(count)}
    envs = {f"index {i}": {"JOB_COMPLETION_INDEX": str(i), "SHARDS": env["SHARDS"]["value"], "PATH": path,
                           "CHECKOUT_HISTORY_URL": history} for i in range(count)}
    files = sorted(str(p.relative_to(folder)) for p in (folder / "flows").glob("*.flow.yaml"))
    runs["shard 2 again"] = pytest_collect(*reversed(files), "--shard", f"2/{count}")  # other order, other seed
    envs["shard 2 again"] = {"PYTHONHASHSEED": "4711"}
    done = collect_all(folder, runs, envs)
    shards = [ids_of(done[f"index {i}"]) for i in range(count)]
    shipped = shipped_ids(folder)
    assert sorted(sum(shards, [])) == sorted(shipped)  # together: each flow variant exactly once
    assert max(map(len, shards)) - min(map(len, shards)) <= 1  # no timings file mounted: by count
    assert sorted(ids_of(done["shard 2 again"])) == sorted(shards[1])  # the same split in every process
    for i, shard in enumerate(shards, start=1):
        assert f"shard {i}/{count}: {len(shard)} item(s), balanced by count" in done[f"index {i - 1}"].stdout
        assert f"({len(shipped) - len(shard)} deselected)" in done[f"index {i - 1}"].stdout
