"""--shard I/N: run this job's share of the flow variants; the N jobs together run each exactly once."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Generator

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow.shards import Shard, parse_shard, read_durations, split, timing_key
from checkout_tester.pytest.timings import DEFAULT_JSON

EMPTY_OK = "_checkout_shard_empty"


def add_options(group: Any) -> None:
    """The shard options of the plugin's option group."""
    group.addoption("--shard", default=None, metavar="I/N",
                    help="run only shard I of N (e.g. 2/3): N jobs with 1/N .. N/N run every flow variant once, "
                         "balanced by the durations in --shard-timings when it exists, else by count")
    group.addoption("--shard-timings", default=DEFAULT_JSON, metavar="PATH",
                    help=f"timings JSON of an earlier run to balance shards by (default {DEFAULT_JSON}); "
                         "every shard of a run must read the same file")


def shard_of(config: pytest.Config) -> Shard | None:
    """The --shard given, parsed (None without one or when it is wrong: option_problems reports that)."""
    text = config.getoption("--shard", None)
    if not text:
        return None
    try:
        return parse_shard(text)
    except ConfigError:
        return None


def option_problems(config: pytest.Config) -> list[str]:
    """A --shard that is not I/N with 1 <= I <= N, with the fix."""
    text = config.getoption("--shard", None)
    if text is None:
        return []
    try:
        parse_shard(text)
    except ConfigError as exc:
        return exc.problems
    return []


def register(config: pytest.Config) -> None:
    """Shard the collected items when --shard is given; its own timings go beside the file shards balance by."""
    shard = shard_of(config)
    if shard is None:
        return
    if config.getoption("--timings-json") == DEFAULT_JSON == config.getoption("--shard-timings"):
        # A shard's timings hold its share only: written over reports/timings.json they would change the next
        # shard's split. reports/timings-shard-2of3.json instead; `checkout-tester report --timings` merges them.
        config.option.timings_json = str(Path(DEFAULT_JSON).with_name(f"timings-shard-{shard.slug}.json"))
    config.pluginmanager.register(ShardPlugin(config, shard), "checkout-tester-shard")


class ShardPlugin:
    """Deselects the items of the other shards, after every other selection (-k, -m, --lf) and --repeat."""

    def __init__(self, config: pytest.Config, shard: Shard) -> None:
        self.config, self.shard = config, shard
        self.how = "by count"

    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> Generator[None, None, None]:
        yield  # every other plugin's selection and --repeat's copies first: the same on every process
        if not items:
            return None
        root = self.config.invocation_params.dir
        units: dict[str, list[pytest.Item]] = {}
        keys: dict[str, str] = {}
        for item in items:
            unit = getattr(item, "base_nodeid", item.nodeid)  # a variant's --repeat copies stay together
            units.setdefault(unit, []).append(item)
            flow, variant = getattr(item, "flow", None), getattr(item, "variant", None)
            keys[unit] = timing_key(flow.path, variant.id, root) if flow is not None and variant is not None else unit
        durations = read_durations(root / self.config.getoption("--shard-timings"), root)
        if any(key in durations for key in keys.values()):
            self.how = f"by the durations in {self.config.getoption('--shard-timings')}"
        owner = split(((u, keys[u], len(members)) for u, members in units.items()), self.shard.count, durations)
        kept = [i for i in items if owner[getattr(i, "base_nodeid", i.nodeid)] == self.shard.index]
        dropped = [i for i in items if owner[getattr(i, "base_nodeid", i.nodeid)] != self.shard.index]
        if dropped:
            self.config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        if not kept:
            setattr(self.config, EMPTY_OK, True)
        return None

    def pytest_report_collectionfinish(self, config: pytest.Config, items: list[pytest.Item]) -> str:
        return f"shard {self.shard}: {len(items)} item(s), balanced {self.how}"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # More shards than flow variants: an empty shard is not a failed CI job.
        if getattr(self.config, EMPTY_OK, False) and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK
