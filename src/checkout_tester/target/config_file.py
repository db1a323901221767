"""Reading a target config like a flow: every mistake found at load time, one line each with file:line and a fix."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from checkout_tester.base.errors import ConfigError, FlowError
from checkout_tester.flow.schema import suggest
from checkout_tester.flow.yamlsource import NodePath, YamlDoc, parse_yaml
from checkout_tester.target.config import Target

SHIPPED = "the shipped ones are config/demo.yaml and config/example.yaml"
ESCAPE = 'escape special characters with a backslash, e.g. "\\\\(" in double quotes for a literal bracket'
URL_EXAMPLE = "write it like https://staging.my-shop.example, or demo for the embedded demo store"


def read_target(path: Path) -> Target:
    """Load and validate one target config file; raise one ConfigError listing every problem."""
    doc = _parse(path)
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        raise ConfigError(f"{doc.file}:1: a target config is a mapping, not {what}; "
                          "start it with base_url: https://... (copy config/example.yaml)")
    problems = _model_problems(doc) + _value_problems(doc)
    if problems:
        raise ConfigError(*problems)

    target = Target.model_validate(doc.data)
    target.source = doc.file
    target._lines = dict(doc.lines)
    return target


def _parse(path: Path) -> YamlDoc:
    if not path.exists():
        raise ConfigError(f"{path}: target config not found; check the path given to --target ({SHIPPED})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the target config ({exc.strerror or exc}); "
                          "give --target a readable file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                          "save the file as UTF-8") from None
    try:
        return parse_yaml(text, str(path))
    except FlowError as exc:
        raise ConfigError(_line(str(exc.source or f"{path}:1"), exc.message, exc.hint or "fix the YAML")) from None


def _line(where: str, problem: str, fix: str) -> str:
    return f"{where}: {problem}; {fix}"


def _model_problems(doc: YamlDoc) -> list[str]:
    """Schema mistakes (unknown keys, wrong types, bad durations), each at its own line."""

    try:
        Target.model_validate(doc.data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            path = _known_prefix(doc, tuple(err["loc"]))
            where = f"{doc.file}:{doc.line(path)}"
            dotted = ".".join(str(p) for p in path) or "(top level)"
            problems.setdefault(f"{where} {dotted}", _line(where, *_explain(err, path, dotted)))
        return list(problems.values())
    return []


def _known_prefix(doc: YamlDoc, loc: tuple[Any, ...]) -> NodePath:
    """The part of a pydantic location that is a place in the file (unions add type names)."""
    path: list[Any] = []
    for part in loc:
        candidate = (*path, part)
        if candidate not in doc.lines:
            if path == list(loc[: len(path)]) and len(path) == len(loc) - 1 and isinstance(part, str):
                return (*path, part)  # an unknown key: report it by name, at its parent's line
            break
        path.append(part)
    return tuple(path)


def _explain(err: Any, path: NodePath, dotted: str) -> tuple[str, str]:
    """(problem, fix) in plain words for one pydantic error."""
    kind, msg = err["type"], str(err["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":

        key = str(path[-1])
        known = _fields_at(Target, path[:-1])
        return (f"unknown key '{key}'",
                suggest(key, known, f"the keys here are: {', '.join(known)}") if known else "remove it")
    if kind == "literal_error" and path[:1] == ("allow_effects",):
        from checkout_tester.flow.effects import EFFECTS

        return (f"{dotted}: unknown effect {err['input']!r}",
                suggest(err["input"], EFFECTS, f"effects are: {', '.join(EFFECTS)}"))
    if kind == "literal_error":
        return f"{dotted}: {msg}", "use one of the values listed"
    if path[-1:] == ("allow",) or "allow" in path:
        return f"{dotted}: {msg}", ESCAPE
    if kind == "value_error" and "; " in msg:  # our validators' messages carry their fix after '; '
        problem, fix = msg.split("; ", 1)
        return f"{dotted}: {problem}", fix
    if kind in _FIXES:
        return f"{dotted}: {msg}", _FIXES[kind]
    return f"{dotted}: {msg}", "see config/example.yaml for the format"


_FIXES = {"bool_parsing": "write true or false", "bool_type": "write true or false",
          "int_parsing": "write a whole number", "int_type": "write a whole number",
          "dict_type": "write a mapping, e.g. {key: value}", "model_type": "write a mapping, e.g. {key: value}",
          "list_type": "write a list, e.g. [a, b]", "string_type": "quote it"}


def _fields_at(model: Any, path: NodePath) -> list[str]:
    for part in path:
        field = getattr(model, "model_fields", {}).get(part)
        annotation = getattr(field, "annotation", None)
        args = getattr(annotation, "__args__", None)
        model = next((a for a in (args or (annotation,)) if hasattr(a, "model_fields")), None)
        if model is None:
            return []
    return [name for name in getattr(model, "model_fields", {}) if name != "source"]


def _value_problems(doc: YamlDoc) -> list[str]:
    """What the schema can't see: base URL form, regexes that don't compile, demo faults (budgets: Target's validator)."""
    data, problems = doc.data, []
    base = data.get("base_url", "demo")
    if isinstance(base, str) and base != "demo" and not _http_url(base):
        problems.append(_line(f"{doc.file}:{doc.line(('base_url',))}",
                              f"base_url '{base}' is not an http(s) URL", URL_EXAMPLE))
    patterns = data.get("error_patterns") or []
    for i, pattern in enumerate(patterns if isinstance(patterns, list) else []):
        bad = regex_problem(pattern)
        if bad:
            problems.append(_line(f"{doc.file}:{doc.line(('error_patterns', i))}",
                                  f"error_patterns entry {pattern!r} can't be used ({bad[0]})", bad[1]))
    faults = (data.get("demo_store") or {}).get("faults") if isinstance(data.get("demo_store"), dict) else None
    for i, fault in enumerate(faults if isinstance(faults, list) else []):
        wrong = fault_problem(str(fault))
        if wrong:
            problems.append(f"{doc.file}:{doc.line(('demo_store', 'faults', i))}: demo_store.faults {fault!r}: {wrong}")
    return problems


def _http_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def regex_problem(pattern: Any) -> tuple[str, str] | None:
    """(problem, fix) when a visible-error pattern would not work in the browser's JavaScript, else None."""
    if not isinstance(pattern, str):
        return "it is not text", "quote it"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a regular expression: {exc}", ESCAPE
    if "(?P" in pattern or re.search(r"\(\?[aiLmsux]+\)", pattern):
        return ("(?P<name>...) groups and inline flags such as (?i) work in Python only, not in the browser",
                "drop them: patterns match in any case already")
    return None


def fault_problem(spec: str) -> str:
    """`<why>; the faults are: ...` when a demo store fault is wrong, else ''."""
    from checkout_tester.demostore.faults import parse_faults, valid_faults_text

    try:
        parse_faults([spec])
    except ValueError as exc:
        reason = re.sub(r"^Invalid fault .*?: |\. Valid faults: .*$", "", str(exc))
        return f"{reason}; the faults are: {valid_faults_text()}"
    return ""


def load_target(path: str | Path | None) -> Target:
    """Load a target config; None means config/demo.yaml if present, else the built-in demo."""
    if path is None:
        default = Path("config/demo.yaml")
        if not default.exists():
            return Target(name="demo")
        path = default
    return read_target(Path(path))
