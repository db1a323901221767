"""Split a suite of flow variants into N shards, deterministically: by recorded durations when known, else by count.

Pure functions of the ids and a timings file, so N CI jobs (and every xdist worker of each) agree on who runs
what without talking to each other: each flow variant runs in exactly one shard.
"""
from __future__ import annotations

import json
import os
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from checkout_tester.base.errors import ConfigError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def slug(self) -> str:
        """For file names: '2of3'."""
        return f"{self.index}of{self.count}"


def parse_shard(text: str, option: str = "--shard") -> Shard:
    """'2/3' -> Shard(2, 3); a ConfigError naming the option and the fix otherwise."""
    match = _SPEC.match(str(text))
    if not match:
        raise ConfigError(f"{option} {text}: not a shard; write I/N, e.g. {option} 2/3 (the 2nd of 3 shards)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ConfigError(f"{option} {text}: the shard number must be between 1 and the shard count; "
                          f"give one of 1/{max(count, 1)} .. {max(count, 1)}/{max(count, 1)}")
    return Shard(index, count)


def assign(weights: Mapping[str, float | None], count: int) -> dict[str, int]:
    """Unit id -> shard number (1-based).

    With no weight known: round-robin over the sorted ids (by count). Otherwise greedy longest-processing-time:
    units by weight (descending) then id, each to the least loaded shard (the lowest number on a tie); a unit
    without a weight gets the median of the known ones."""
    ids = sorted(weights)
    known = [w for w in weights.values() if w is not None]
    if not known:
        return {unit: position % count + 1 for position, unit in enumerate(ids)}
    median = statistics.median(known)
    filled = {unit: weights[unit] if weights[unit] is not None else median for unit in ids}
    loads = [0.0] * count
    shards: dict[str, int] = {}
    for unit in sorted(ids, key=lambda u: (-filled[u], u)):  # type: ignore[operator]
        lightest = min(range(count), key=lambda s: (loads[s], s))
        loads[lightest] += float(filled[unit])  # type: ignore[arg-type]
        shards[unit] = lightest + 1
    return shards


def timing_key(flow_path: str, variant: str, root: Path | None = None) -> str:
    """A flow variant's key in timings.json ('flows/signup.flow.yaml[Janet]'), its path relative to root if inside."""
    path = flow_path
    if os.path.isabs(path):
        base = (root or Path.cwd()).resolve()
        try:
            path = Path(path).resolve().relative_to(base).as_posix()
        except ValueError:
            pass  # outside the folder: keep it absolute
    return f"{path}[{variant}]" if variant else path


def read_durations(path: str | Path, root: Path | None = None) -> dict[str, float]:
    """Median flow duration (ms) per flow variant from a timings.json; {} when the file is missing or unreadable."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    flows = document.get("flows") if isinstance(document, dict) else None
    durations: dict[str, float] = {}
    for key, figures in (flows or {}).items():
        median = ((figures or {}).get("flow_ms") or {}).get("median") if isinstance(figures, dict) else None
        if isinstance(median, (int, float)):
            durations[_normalise(key, root)] = float(median)
    return durations


def _normalise(key: str, root: Path | None) -> str:
    path, bracket, rest = key.partition("[")
    return timing_key(path, rest[:-1] if bracket else "", root)


def split(units: Iterable[tuple[str, str, int]], count: int, durations: Mapping[str, float]) -> dict[str, int]:
    """(unit id, timing key, copies) -> unit id -> shard number; a unit weighs its median duration times its copies."""
    weights: dict[str, float | None] = {}
    for unit, key, copies in units:
        weights[unit] = durations[key] * copies if key in durations else None
    return assign(weights, count)
