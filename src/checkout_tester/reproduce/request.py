"""What `reproduce FLOW` asks for: a flow file, a pytest node id (as `Reproduce:` lines and JUnit print them)
or a monitor run id, turned into the flow file, the variant id and the options the original run had."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkout_tester.base.errors import ConfigError
from checkout_tester.reproduce.options import parser

_RUN_ID = re.compile(r"^[0-9a-f]{6,32}$")
_NODE = re.compile(r"^(?P<name>[^\[]+)(?:\[(?P<variant>.*)\])?$")
_REPEAT = re.compile(r"^(?P<variant>.*?)-?\d+of\d+$")  # a --repeat copy's id (row-2of5): replay the row once
CARRIED = ("target", "base_url", "store_fault", "values")  # options a Reproduce line (or a run's record) carries


@dataclass
class Request:
    """The flow file and variant to replay, and the options of the run it came from (empty: not known)."""

    path: Path
    variant: str | None = None  # None: not named (--variant, or the flow's only row)
    options: dict[str, Any] = field(default_factory=dict)  # target, base_url, store_fault, values
    source: str = ""  # "node id", "monitor run <id> of <time>", "flow file"


def parse(flow: str, history_url: str) -> Request:
    """Turn FLOW into a Request; a ConfigError says what was wrong and how to write it."""
    if "::" in flow:
        return _node_id(flow)
    path = Path(flow)
    if path.exists():
        return Request(path=path, source="flow file")
    if _RUN_ID.match(flow):
        return _run_id(flow, history_url)
    raise ConfigError(f"FLOW {flow}: no such flow file, and not a node id (flows/x.flow.yaml::x[variant]) nor a "
                      "monitor run id; give a flow file, the id a `Reproduce:` line shows, or a run id from "
                      "`checkout-tester history --json`")


def _node_id(nodeid: str) -> Request:
    file, _, name = nodeid.partition("::")
    path = Path(file)
    if not path.exists():
        raise ConfigError(f"FLOW {nodeid}: the flow file {file} does not exist here; run the command from the "
                          "folder the `Reproduce:` line was printed in")
    match = _NODE.match(name)
    if not match:
        raise ConfigError(f"FLOW {nodeid}: '{name}' is not a flow test name; write it as in the `Reproduce:` line, "
                          f"e.g. {file}::{path.name.removesuffix('.flow.yaml')}[variant]")
    variant = match.group("variant")
    return Request(path=path, variant=variant if variant is not None else "", source="node id")


def _run_id(run_id: str, history_url: str) -> Request:
    from sqlalchemy.engine import make_url

    from checkout_tester.monitor.history import History

    url = make_url(history_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise ConfigError(f"FLOW {run_id}: looks like a monitor run id, but there is no history at {url.database}; "
                          "give the monitor's --history URL, or a flow file or test id")
    history = History(history_url)  # a ConfigError when it cannot be opened
    try:
        found = [r for r in history.runs() if r.run_id.startswith(run_id)]
    finally:
        history.close()
    shown = url.render_as_string(hide_password=True)
    if not found:
        raise ConfigError(f"FLOW {run_id}: no monitor run with that id in {shown}; list the runs with "
                          "`checkout-tester history --json` (or give --history URL)")
    if len(found) > 1:
        raise ConfigError(f"FLOW {run_id}: {len(found)} runs start with that id in {shown}; give more of it")
    record = found[0]
    options = options_of(record.reproduce)
    request = Request(path=Path(record.flow), variant=record.variant, options=options,
                      source=f"monitor run {record.run_id} ({record.outcome} at {record.started_at:%Y-%m-%d %H:%M} "
                             f"UTC, {record.location})")
    if not request.path.exists():
        raise ConfigError(f"FLOW {run_id}: the run's flow file {record.flow} is not here; run the command from the "
                          "folder the monitor ran in")
    return request


def options_of(line: str) -> dict[str, Any]:
    """The target, base URL, faults and variables a `Reproduce:` line (or a record's `reproduce`) carries."""
    words = shlex.split(line)
    if "run" in words:
        words = words[words.index("run") + 1:]
    args, _ = parser().parse_known_args(words)
    return {name: getattr(args, name) for name in CARRIED if getattr(args, name)}


def variant_of(nodeid_variant: str, known: list[str]) -> str:
    """The variant id as the flow names it (a --repeat copy's id names its variant)."""
    if nodeid_variant in known:
        return nodeid_variant
    match = _REPEAT.match(nodeid_variant)
    return match.group("variant") if match and match.group("variant") in known else nodeid_variant
