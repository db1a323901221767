"""Merge the outputs of a suite's shards: Allure result folders into one (then one report), timings JSON into one."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

from checkout_tester.base.errors import ConfigError

MERGED = "reports/allure-results-merged"
METADATA = ("categories.json", "environment.properties", "executor.json")


def merge_results(folders: Sequence[str | Path], output: str | Path = MERGED) -> Path:
    """Copy every shard's allure-results into `output` (emptied first); categories, environment and executor merged.

    Result, container and attachment files are named by uuid, so they never collide; a same-named file with other
    content is refused rather than silently dropped."""
    sources = [Path(f) for f in folders]
    missing = [str(f) for f in sources if not f.is_dir()]
    if missing:
        raise ConfigError(*(f"--results {m}: no such folder; give each shard's allure-results folder" for m in missing))
    out = Path(output)
    if out.resolve() in {s.resolve() for s in sources}:
        raise ConfigError(f"--results {output}: the merged folder cannot be one of the shards' folders")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    categories: list[dict[str, Any]] = []
    environment: dict[str, list[str]] = {}
    executor: dict[str, Any] | None = None
    for folder in sources:
        for file in sorted(folder.iterdir()):
            if file.name == "categories.json":
                seen = {c.get("name") for c in categories}
                categories += [c for c in _json(file, []) if c.get("name") not in seen]
            elif file.name == "environment.properties":
                for key, value in _properties(file).items():
                    values = environment.setdefault(key, [])
                    values += [] if value in values else [value]
            elif file.name == "executor.json":
                executor = executor or _json(file, None)
            elif file.is_dir():
                if file.name == "history" and not (out / "history").exists():  # trend history: the first shard's
                    shutil.copytree(file, out / "history")
            elif (out / file.name).exists():
                if (out / file.name).read_bytes() != file.read_bytes():
                    raise ConfigError(f"--results {folder}: {file.name} is also in another shard's results with "
                                      "other content; give each shard's own allure-results folder once")
            else:
                shutil.copy2(file, out / file.name)
    if categories:
        (out / "categories.json").write_text(json.dumps(categories, indent=2))
    if environment:
        lines = [f"{key}={', '.join(values)}" for key, values in environment.items()]
        (out / "environment.properties").write_text("\n".join(lines) + "\n")
    if executor:
        (out / "executor.json").write_text(json.dumps(executor, indent=2))
    return out


def merge_timings(files: Sequence[str | Path], output: str | Path) -> Path:
    """One timings JSON from the shards' (reports/timings-shard-IofN.json): the next sharded run balances by it."""
    flows: dict[str, Any] = {}
    runs: list[Any] = []
    repeat = 1
    for name in files:
        document = _json(Path(name), None)
        if not isinstance(document, dict) or not isinstance(document.get("flows"), dict):
            raise ConfigError(f"--timings {name}: not a timings JSON written by a run (reports/timings*.json)")
        flows.update(document["flows"])
        runs += document.get("runs", [])
        repeat = max(repeat, int(document.get("repeat", 1)))
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {"generated": datetime.now(UTC).isoformat(timespec="seconds"), "repeat": repeat,
                "flows": dict(sorted(flows.items())), "runs": runs}
    out.write_text(json.dumps(document, indent=2))
    return out


def _json(file: Path, default: Any) -> Any:
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError):
        return default


def _properties(file: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in file.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}
