"""Flow files -> frozen Flow models, once per file per process: steps, variables, includes, variants."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.errors import FlowError
from checkout_tester.flow import (
    detector_policy as detectpolicy,
    effects as flow_effects,
    equivalents,
    expect_failure as expectfail,
    schema,
    unique as unique_inputs,
)
from checkout_tester.flow.budgets import EXAMPLE as BUDGET_EXAMPLE, PAGES_EXAMPLE, budget_issues
from checkout_tester.flow.model import Flow, Source, Step, Variant
from checkout_tester.flow.schema import NAME, inline, shown, suggest
from checkout_tester.flow.step_arguments import MONITOR_EXAMPLE, MonitorSettings, UseArgs, monitor_issues
from checkout_tester.flow.step_parsing import StepReader, saved_names
from checkout_tester.flow.usepaths import MAX_USE_DEPTH, confine
from checkout_tester.flow.yamlsource import NodePath, YamlDoc, parse_yaml, read_text

__all__ = ["find_flow_files", "load_flow", "load_flows", "saved_names", "validate_paths", "clear_cache", "node_line"]

FLOW_GLOB = "**/*.flow.yaml"
PART_GLOB = "**/*.part.yaml"  # sub-flows kept out of test collection; `validate` checks them too
Stamp = tuple[str, int, int]  # resolved path, mtime_ns, size
ROW_KEYS = {"id", "expect_failure"}  # keys of a variant row that are not input values
MAX_VARIANTS = 1_000  # each row is a browser run: more is a mistake (or lists multiplied through aliases)


@dataclass(frozen=True)
class _Cached:
    flow: Flow
    deps: tuple[Stamp, ...]  # this file and every sub-flow it uses: any change invalidates the entry


_DOCS: dict[str, tuple[Stamp, YamlDoc]] = {}  # resolved path -> its latest parse
_FLOWS: dict[tuple[str, str], _Cached] = {}


class _Failed(Exception):
    """Internal: a file had errors; all of them, in file order."""

    def __init__(self, errors: list[FlowError]) -> None:
        super().__init__(errors[0])
        self.errors = errors


def load_flow(path: str | Path, root: Path | None = None) -> Flow:
    """Load and validate one flow file; raise the first FlowError. Paths show relative to `root` (default: cwd)."""
    try:
        return _Session(root).load(path)
    except _Failed as failed:
        raise failed.errors[0] from None


def load_flows(paths: Iterable[str | Path], root: Path | None = None) -> list[Flow]:
    """Load every flow file among `paths` (directories: their `**/*.flow.yaml`, sorted)."""
    return [load_flow(p, root) for p in find_flow_files(paths)]


def validate_paths(paths: Iterable[str | Path], root: Path | None = None) -> list[FlowError]:
    """Every error in every flow (and `*.part.yaml` sub-flow) file among `paths`, not just the first."""
    errors: dict[str, FlowError] = {}  # keyed by text: a broken sub-flow reports once, not per includer
    for raw in _as_list(paths):
        try:
            files = find_flow_files([raw], (FLOW_GLOB, PART_GLOB))
        except FlowError as exc:
            errors.setdefault(str(exc), exc)
            continue
        for file in files:
            try:
                _Session(root).load(file)
            except _Failed as failed:
                for error in failed.errors:
                    errors.setdefault(str(error), error)
    return list(errors.values())


def find_flow_files(paths: Iterable[str | Path], patterns: Iterable[str] = (FLOW_GLOB,)) -> list[Path]:
    """Files as given, directories expanded to their `**/*.flow.yaml` in sorted order."""
    found: list[Path] = []
    for raw in _as_list(paths):
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted({f for pattern in patterns for f in path.glob(pattern)}))
        elif path.is_file():
            found.append(path)
        else:
            raise FlowError(f"no flow file or folder '{raw}'")
    return list(dict.fromkeys(found))


def _as_list(paths: Iterable[str | Path] | str | Path) -> list[str | Path]:
    # A lone path is an easy mistake: iterating a str would walk its characters.
    return [paths] if isinstance(paths, (str, Path)) else list(paths)


def node_line(path: Path, node: NodePath) -> int | None:
    """The line of a node (("params", "email")) in a flow file loaded in this process, or None."""
    entry = _DOCS.get(str(path.resolve()))
    return entry[1].line(node) if entry else None


def clear_cache() -> None:
    """Forget every parsed file (tests; long-running monitors reload on mtime anyway)."""
    _DOCS.clear()
    _FLOWS.clear()


def _stamp(path: Path) -> Stamp:
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


class _Session:
    """One load request: display root, the chain of includes (for cycles)."""

    def __init__(self, root: Path | None) -> None:
        self.root = (root or Path.cwd()).resolve()
        self.base: Path | None = None  # `use:` stays inside it (usepaths.py)
        self.stack: list[Path] = []

    def display(self, path: Path) -> str:
        """Relative to the root when inside it, else absolute."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def load(self, path: str | Path) -> Flow:
        """A file's Flow, from the cache when neither it nor its sub-flows changed."""
        resolved = Path(path).resolve()
        key = (str(resolved), str(self.root))
        cached = _FLOWS.get(key)
        if cached and all(_fresh(dep) for dep in cached.deps):
            return cached.flow
        display = self.display(resolved)
        if self.base is None:  # the first file loaded fixes the folder `use:` may reach
            self.base = self.root if resolved.is_relative_to(self.root) else resolved.parent
        try:
            stamp = _stamp(resolved)
            entry = _DOCS.get(stamp[0])
            if entry is None or entry[0] != stamp:
                entry = _DOCS[stamp[0]] = (stamp, parse_yaml(read_text(resolved, display), display))
        except OSError as exc:
            raise _Failed([FlowError(f"cannot read flow file: {exc.strerror or type(exc).__name__}",
                                     Source(display, 1))]) from None
        except FlowError as exc:
            raise _Failed([exc]) from None
        self.stack.append(resolved)
        try:
            flow, deps = _FileReader(self, replace(entry[1], file=display), resolved).read()
        finally:
            self.stack.pop()
        _FLOWS[key] = _Cached(flow, (stamp, *deps))
        return flow


def _fresh(stamp: Stamp) -> bool:
    try:
        return _stamp(Path(stamp[0])) == stamp
    except OSError:
        return False


class _FileReader(StepReader):
    """Validate one parsed file into a Flow, collecting every error it finds."""

    def __init__(self, session: _Session, doc: YamlDoc, path: Path) -> None:
        self.session, self.doc, self.path = session, doc, path
        self.errors: list[FlowError] = []
        self.deps: list[Stamp] = []
        self.lenient = False

    def read(self) -> tuple[Flow, list[Stamp]]:
        data = self.doc.data
        if not isinstance(data, dict):
            what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
            hint = "start it with a name and steps, e.g. {name: Sign up, steps: [{goto: /signup}]}"
            raise _Failed([FlowError(f"flow file is {what}", self.doc.source(()), hint=hint)])
        for key in data:
            if key not in schema.TOP_LEVEL_KEYS:
                self.error(f"unknown top-level key '{key}'", (key,), hint=suggest(
                    key, schema.TOP_LEVEL_KEYS, f"a flow file takes: {', '.join(schema.TOP_LEVEL_KEYS)}"))
        name = self._text(data, "name", required=True)
        description = self._text(data, "description")
        tags = self._tags(data.get("tags"))
        params, vars_ = self._names(data, "params"), self._names(data, "vars")
        for both in sorted(set(params) & set(vars_)):
            self.error(f"'{both}' is both a param and a var", ("vars", both), hint="rename one of them")
        variants = self._variants(data.get("variants"))
        budgets = data.get("budgets") or {}
        if not isinstance(budgets, dict):
            self.error(f"budgets must be a mapping, not {shown(budgets)}", ("budgets",),
                       hint="e.g. budgets: {page_load: 2s, step: 5s}")
        else:
            for where, problem in budget_issues(budgets):
                self.error(problem, ("budgets", *where), hint=PAGES_EXAMPLE if "pages" in where else BUDGET_EXAMPLE)
        detectors = data.get("detectors") or {}
        for where, problem in detectpolicy.check_override(detectors):
            self.error(problem, ("detectors", *where))
        unique = self._unique(data, params, variants)
        scope = {*params, *vars_, *(variants[0].values if variants else ())}
        for key in ("params", "vars", "variants"):
            self._templates(data.get(key), (key,), scope, None)
        steps = self._step_list(data, (), "", scope)
        finally_steps = self._finally(data.get("finally"), len(steps), scope)
        effects = self._effects(data.get("effects"))
        storage_state = self._storage_state(data)
        monitor = self._monitor(data)
        if self.errors:
            raise _Failed(self.errors)
        flow = Flow(name=name, path=self.doc.file, source=self.doc.source(()), steps=steps,
                    description=description, tags=tags, vars=vars_, params=params,
                    variants=variants, budgets=budgets if isinstance(budgets, dict) else {},
                    detectors=detectors if isinstance(detectors, dict) else {}, unique=unique,
                    storage_state=storage_state, effects=effects, finally_steps=finally_steps, monitor=monitor)
        return flow, self.deps

    def _text(self, data: dict[str, Any], key: str, required: bool = False) -> str:
        value = data.get(key)
        if value is None and required:
            self.error(f"flow has no {key}", (), hint=f"add a line like {key}: Sign up a new shopper")
        elif value is not None and not isinstance(value, str):
            self.error(f"{key} must be text, not {shown(value)}", (key,), hint=f'quote it: {key}: "{value}"')
        return value if isinstance(value, str) else ""

    def _tags(self, tags: Any) -> tuple[str, ...]:
        if tags is None:
            return ()
        if not isinstance(tags, list):
            self.error(f"tags must be a list, not {shown(tags)}", ("tags",), hint=f"e.g. tags: [{inline(tags)}]")
            return ()
        for i, tag in enumerate(tags):
            if not isinstance(tag, str) or not NAME.match(tag):
                # Tags become pytest markers, which `-m` expressions can only select when they are identifiers.
                self.error(f"tag '{tag}' can't be a pytest marker", ("tags", i),
                           hint="use letters, digits and _, e.g. tags: [guest_checkout, smoke]")
        return tuple(t for t in tags if isinstance(t, str))

    def _names(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(f"{key} must be a mapping, not {shown(value)}", (key,),
                       hint=f'e.g. {key}: {{email: "{{{{ fake.email }}}}"}}')
            return {}
        for name in value:
            self._check_name(name, (key, name), None)
        return value

    def _unique(self, data: dict[str, Any], params: dict[str, Any], variants: tuple[Variant, ...]) -> dict[str, str]:
        """`unique: [email]`: inputs (variants or params) that get a fresh token every run, with their kind."""
        raw = data.get("unique")
        if raw is None:
            return {}
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.error(f"unique must be a list of input names, not {shown(raw)}", ("unique",),
                       hint=unique_inputs.EXAMPLE)
            return {}
        specs = data.get("variants") if equivalents.declares(data.get("variants")) else {}
        sample = {**params, **(variants[0].values if variants else {})}
        found: dict[str, str] = {}
        for i, name in enumerate(names):
            if name not in sample:
                inputs = ", ".join(sample) or "none"
                self.error(f"unique names '{name}', which is not an input of this flow", ("unique", i), hint=suggest(
                    name, sample, f"unique takes this flow's inputs (variants and params): {inputs}"))
                continue
            spec = specs.get(name) if isinstance(specs, dict) else None
            try:
                found[name] = unique_inputs.kind_of(name, sample[name], spec.get("kind") if isinstance(spec, dict) else None)
            except ValueError as exc:
                self.error(str(exc), ("unique", i), hint="unique gives emails and names a fresh token; "
                           "name the input after what it holds (email, full_name) or drop it from unique")
        return found

    def _variants(self, raw: Any) -> tuple[Variant, ...]:
        if equivalents.declares(raw):  # {email: {equivalents: ...}}: generated rows (equivalents.py)
            built, problems = equivalents.build_variants(raw)
            for where, problem in problems:
                self.error(problem, ("variants", *where), hint=equivalents.EXAMPLE)
            return tuple(built)
        rows = self._variant_rows(raw) if raw is not None else []
        variants: list[Variant] = []
        seen: set[str] = set()
        for row, path in rows:
            values = {k: v for k, v in row.items() if k not in ROW_KEYS}
            vid = str(row["id"]) if row.get("id") is not None else "-".join(_id_part(v) for v in values.values())
            if vid in seen:
                self.error(f"two variants have the id '{vid}'", path, hint="give each row its own id, "
                           "e.g. [{id: lower, email: a@b.c}, {id: upper, email: A@B.C}]")
            seen.add(vid)
            message, failure_class = self._expect_failure(row.get("expect_failure"), (*path, "expect_failure"))
            variants.append(Variant(id=vid, values=values, expect_failure=message, expect_class=failure_class))
        return tuple(variants)

    def _variant_rows(self, raw: Any) -> list[tuple[dict[Any, Any], NodePath]]:
        """Rows of values, each with where it came from: a mapping of lists becomes their product."""
        example = "e.g. variants: {email: [a@example.com, A@Example.com]} or [{id: lower, email: a@example.com}]"
        if isinstance(raw, dict) and raw:
            for key, values in raw.items():
                self._check_name(key, ("variants", key), None)
                if not isinstance(values, list) or not values:
                    self.error(f"variants.{key} must be a non-empty list, not {shown(values)}",
                               ("variants", key), hint=example)
                    return []
            rows = math.prod(len(values) for values in raw.values())
            if rows > MAX_VARIANTS:
                self.error(f"variants make {rows:,} rows (every combination of the lists); at most {MAX_VARIANTS:,}",
                           ("variants",), hint="list the rows you mean: variants: [{id: a, email: ...}, ...]")
                return []
            return [(dict(zip(raw, combo, strict=True)), ("variants",)) for combo in itertools.product(*raw.values())]
        if not isinstance(raw, list) or not raw:
            self.error(f"variants must be a mapping of lists or a list of rows, not {shown(raw)}",
                       ("variants",), hint=example)
            return []
        if len(raw) > MAX_VARIANTS:
            self.error(f"variants has {len(raw):,} rows; at most {MAX_VARIANTS:,}", ("variants",),
                       hint="split the flow, or keep the rows that test something different")
            return []
        for i, row in enumerate(raw):
            if not isinstance(row, dict) or not set(row) - ROW_KEYS:
                self.error(f"variant row {i + 1} must be a mapping of values, not {shown(row)}",
                           ("variants", i), hint=example)
                return []
        first = [k for k in raw[0] if k not in ROW_KEYS]
        for key in first:
            self._check_name(key, ("variants", 0, key), None)
        for i, row in enumerate(raw[1:], start=2):
            if set(row) - ROW_KEYS != set(first):
                keys = ", ".join(k for k in row if k not in ROW_KEYS)
                self.error(f"variant row {i} has keys {keys} but row 1 has {', '.join(first)}",
                           ("variants", i - 1), hint="give every row the same keys (id is optional)")
                return []
        return [(row, ("variants", i)) for i, row in enumerate(raw)]

    def _expect_failure(self, raw: Any, path: NodePath) -> tuple[str, str]:
        """A row's `expect_failure`: text the failure shows, or {message, class}; ('', '') when absent."""
        if raw is None:
            return "", ""
        if isinstance(raw, str) and raw.strip():
            return raw.strip(), ""
        if not isinstance(raw, dict) or not raw:
            self.error(f"expect_failure must be the text the failure shows, or {{message, class}}, not {shown(raw)}",
                       path, hint=expectfail.EXAMPLE)
            return "", ""
        for key in raw:
            if key not in expectfail.KEYS:
                self.error(f"unknown key '{key}' in expect_failure", (*path, key),
                           hint=suggest(key, expectfail.KEYS, "expect_failure takes: message, class"))
        message, failure_class = raw.get("message", ""), raw.get("class", "")
        if not isinstance(message, str):
            self.error(f"expect_failure.message must be text, not {shown(message)}", (*path, "message"),
                       hint=expectfail.EXAMPLE)
            message = ""
        if failure_class and (not isinstance(failure_class, str) or failure_class not in classes.BY_NAME):
            self.error(f"'{failure_class}' is not a failure class", (*path, "class"), hint=suggest(
                failure_class, classes.BY_NAME, f"classes are: {', '.join(classes.BY_NAME)}"))
            failure_class = ""
        return message.strip(), str(failure_class or "")

    def _effects(self, raw: Any) -> tuple[str, ...] | None:
        """`effects: [creates-account, ...]` from the fixed vocabulary; None when the flow has no such key."""
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.error(f"effects must be a list, not {shown(raw)}", ("effects",), hint=flow_effects.EXAMPLE)
            return None
        for i, name in enumerate(raw):
            if not isinstance(name, str) or name not in flow_effects.EFFECTS:  # a list item may be a list
                self.error(f"unknown effect {shown(name)}", ("effects", i), hint=suggest(
                    name, flow_effects.EFFECTS, f"effects are: {', '.join(flow_effects.EFFECTS)}"))
        return tuple(dict.fromkeys(n for n in raw if isinstance(n, str) and n in flow_effects.EFFECTS))

    def _finally(self, raw: Any, after: int, scope: set[str]) -> tuple[Step, ...]:
        """`finally:` steps, numbered on from the last top-level step; they may use every name the steps save."""
        if raw is None:
            return ()
        if not isinstance(raw, list) or not raw:
            self.error(f"finally must be a non-empty list of steps, not {shown(raw)}", ("finally",),
                       hint="e.g. finally: [{goto: /account/close}, {click: Close my account}]")
            return ()
        steps = [self._step(item, ("finally", i), str(after + i + 1), scope) for i, item in enumerate(raw)]
        return tuple(s for s in steps if s is not None)

    def _storage_state(self, data: dict[str, Any]) -> str | bool | None:
        value = data.get("storage_state")
        if value is None or value is False or (isinstance(value, str) and value.strip()):
            return value.strip() if isinstance(value, str) else value
        self.error(f"storage_state must be the path of a saved state (or false), not {shown(value)}",
                   ("storage_state",), hint="e.g. storage_state: reports/state/standard_user.json "
                   "(written by a flow's save_storage_state step); false starts with none")
        return None

    def _monitor(self, data: dict[str, Any]) -> MonitorSettings | None:
        value = data.get("monitor")
        if value is None:
            return None
        issues = monitor_issues(value)
        for where, problem in issues:
            self.error(problem, ("monitor", *where), hint=MONITOR_EXAMPLE)
        return None if issues else MonitorSettings(**value)

    def _use(self, args: UseArgs, apath: NodePath, label: str, scope: set[str]) -> Flow | None:
        """Load the sub-flow a `use` step names; check its `with` keys against its params."""
        if "{{" in args.flow:
            self.error("the flow path of 'use' can't hold a template", apath, label,
                       hint="name the file itself, e.g. use: parts/login.flow.yaml")
            return None
        assert self.session.base is not None  # set by the load that reads this file
        target, problem = confine(self.path.parent, args.flow, self.session.base)
        if target is None:
            folder = self.session.display(self.session.base) or str(self.session.base)
            self.error(problem.message, apath, label, hint=problem.hint.replace("{folder}", folder))
            return None
        if not target.is_file():
            near = [p.name for p in target.parent.glob("*.yaml")] if target.parent.is_dir() else []
            folder = self.session.display(self.path.parent) or "."
            self.error(f"no flow file '{args.flow}' to use", apath, label,
                       hint=suggest(target.name, near, f"the path is relative to this file's folder ({folder})"))
            return None
        if target in self.session.stack:
            chain = self.session.stack[self.session.stack.index(target):] + [target]
            self.error(f"use cycle: {' -> '.join(self.session.display(p) for p in chain)}", apath, label,
                       hint="a flow can't use itself, directly or through another flow")
            return None
        if len(self.session.stack) >= MAX_USE_DEPTH:
            self.error(f"'use' goes {MAX_USE_DEPTH} flows deep here", apath, label,
                       hint="parts that use parts that use parts ...: flatten the chain")
            return None
        try:
            sub = self.session.load(target)
        except _Failed as failed:
            known = {str(e) for e in self.errors}
            self.errors.extend(e for e in failed.errors if str(e) not in known)
            self.lenient = True
            return None
        self.deps.extend(_FLOWS[(str(target), str(self.session.root))].deps)
        if sub.unique:
            self.error(f"{args.flow} declares unique: [{', '.join(sub.unique)}], which only the flow run as a test can",
                       apath, label, hint="move unique: to this flow and pass the value in, "
                       'e.g. with: {email: "{{ email }}"}')
        for key in args.with_:
            if key not in sub.params:
                params = ", ".join(sub.params) or "none"
                self.error(f"'{key}' is not a param of {args.flow}", (*apath, "with", key), label, hint=suggest(
                    key, sub.params, f"its params are: {params}; declare new ones under params: in that file"))
        scope.update(saved_names(sub))
        return sub


def _id_part(value: Any) -> str:
    """A variant value as part of a readable pytest id."""
    if isinstance(value, str):
        return value or "empty"
    return inline(value)
