"""Hostile and broken flow files: every one ends in the tool's own error with file:line, fast, reading nothing outside.

The property test feeds the loader generated documents: wrong types at every key, unknown keys, deep nesting,
huge strings, anchors that expand, tags that would build Python objects, `use:` outside the flows folder or at
itself, templates reaching for Python attributes, shipped flows with hostile values spliced in, raw bytes.
HOSTILE_EXAMPLES=20000 runs the long version (the suite runs a bounded one).
"""
from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st
from hypothesis.control import currently_in_test_context
from jinja2.exceptions import SecurityError

from checkout_tester.base.errors import FlowError
from checkout_tester.flow import templates
from checkout_tester.flow.loader import clear_cache, load_flow, validate_paths
from checkout_tester.flow.schema import TOP_LEVEL_KEYS, arg_keys
from checkout_tester.flow.step_arguments import STEP_ARGS

REPO = Path(__file__).parents[2]
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "300"))
MAX_CPU_S = 1.0  # per document, both loads together
MARKER = "OUTSIDE_SECRET_7f3a"  # in a file outside the flows folder: must never be read nor echoed
SHIPPED = [p.read_text(encoding="utf-8") for p in sorted((REPO / "flows").rglob("*.yaml"))]

# --- an audit hook sees every file the loader opens ----------------------------------------------------------

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event in ("open", "os.scandir", "os.listdir") and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _OPENED.append(os.fsdecode(path))


sys.addaudithook(_audit)  # hooks can't be removed; it records only inside `opened()`


@contextmanager
def opened() -> Iterator[list[str]]:
    """The paths opened or listed while the block runs."""
    global _OPENED
    _OPENED = seen = []
    try:
        yield seen
    finally:
        _OPENED = None


def _module(path: str) -> bool:
    """Python importing one of its own modules lazily (jinja2.debug on an error) is not the loader reading a file."""
    libs = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    return path.endswith((".py", ".pyc", ".so")) and any(Path(path).resolve().is_relative_to(lib) for lib in libs)


# --- a project with traps around the flows folder ------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    root: Path  # the folder holding flows/ and outside/
    flows: Path  # the flows folder given to the loader

    @property
    def doc(self) -> Path:
        return self.flows / "doc.flow.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("hostile")
    flows, outside = root / "flows", root / "outside"
    flows.mkdir()
    outside.mkdir()
    (outside / "secret.flow.yaml").write_text(f"name: {MARKER}\n{MARKER}: 1\nsteps: [{{goto: /{MARKER}}}]\n")
    parts = {
        "ok.part.yaml": "name: ok\nparams: {who: x}\nsteps: [{goto: /account}]\n",
        "loop.part.yaml": "name: loop\nparams: {n: 1}\nsteps:\n  - use: {flow: loop.part.yaml, with: {n: 2}}\n",
        "a.part.yaml": "name: a\nparams: {n: 1}\nsteps:\n  - use: {flow: b.part.yaml, with: {n: 3}}\n",
        "b.part.yaml": "name: b\nparams: {n: 1}\nsteps:\n  - use: {flow: ./sub/../a.part.yaml, with: {n: 4}}\n",
        "back.part.yaml": "name: back\nsteps:\n  - use: doc.flow.yaml\n",
    }
    for name, text in parts.items():
        (flows / name).write_text(text)
    (flows / "sub").mkdir()
    (flows / "big.part.yaml").write_text("name: big\nsteps: [{goto: /}]\n# " + "x" * 1_100_000 + "\n")
    (flows / "latin.part.yaml").write_bytes("name: caf\xe9\nsteps: [{goto: /}]\n".encode("latin-1"))
    (flows / "link.part.yaml").symlink_to(outside / "secret.flow.yaml")
    (flows / "dirlink").symlink_to(outside, target_is_directory=True)
    (flows / "loop1.part.yaml").symlink_to(flows / "loop2.part.yaml")
    (flows / "loop2.part.yaml").symlink_to(flows / "loop1.part.yaml")
    os.mkfifo(flows / "fifo.part.yaml")  # opening it would block forever
    load_flow(flows / "ok.part.yaml", flows)  # warm up: imports and Faker's provider list are not the loader's reads
    return Project(root, flows)


def check_load(project: Project, data: bytes) -> None:
    """Load `data` as a flow both ways; only FlowError with file:line, nothing read outside, no secret echoed."""
    project.doc.write_bytes(data)
    clear_cache()
    gc.disable()  # a full collection of Hypothesis' garbage is not the loader's time
    started = time.thread_time()
    try:
        with opened() as seen:
            errors: list[FlowError] = []
            try:
                load_flow(project.doc, project.flows)
            except FlowError as exc:
                errors.append(exc)
            errors.extend(validate_paths([project.doc], project.flows))
        # CPU time, not wall time: on a loaded 2-core machine a 30 ms load can wait seconds for a core.
        spent = time.thread_time() - started
    finally:
        gc.enable()
    assert spent < MAX_CPU_S, f"loading twice took {spent:.2f} s of CPU"
    if currently_in_test_context():  # statistics for --hypothesis-show-statistics
        event("loaded" if not errors else "error: " + " ".join(errors[0].message.split(" ")[:3])[:30])
    for error in errors:
        assert error.source is not None and error.source.file and error.source.line >= 1, repr(error)
        assert MARKER not in str(error), str(error)
        assert str(error.source) in str(error)
    stray = [p for p in seen if not Path(p).resolve().is_relative_to(project.flows.resolve()) and not _module(p)]
    assert not stray, f"read outside the flows folder: {stray}"


# --- named cases: one for each failure seen in the wild ------------------------------------------------------

BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'x'] * 9)}]\n" for i in range(9))
CASES = {
    "bool_tag": ("steps: [{goto: !!bool maybe}]", "'maybe' is not a YAML bool at doc.flow.yaml:2"),
    "timestamp_tag": ("steps: [{goto: !!timestamp soon}]", "'soon' is not a YAML timestamp"),
    "python_object": ("steps: [!!python/object/apply:os.system [echo hi]]", "unknown YAML tag '!!python/object"),
    "binary": ("steps: [{goto: !!binary aGVsbG8=}]", "unknown YAML tag '!!binary'"),
    "map_tag_on_text": ("steps: [{goto: !!map x}]", "unknown YAML tag '!!map'"),
    "alias_in_itself": ("loop: &a [*a]\nsteps: [{goto: /}]", "alias refers to the list or mapping it is inside"),
    "merge_itself": ("loop: &a {<<: *a}\nsteps: [{goto: /}]", "alias refers to the list or mapping it is inside"),
    "alias_bomb": (BOMB + "steps: *l8", "YAML aliases expand too far"),
    "many_values": ("steps:\n" + "  - goto: /\n" * 25_000, "the file holds more than 20,000 values"),
    "variants_product": ("variants: {a: &v [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], b: *v, c: *v, d: *v}\n"
                         "steps: [{goto: /}]", "variants make 10,000 rows"),
    "deep_flow": ("steps: " + "[" * 3000 + "]" * 3000, "nest too deep"),
    "deep_block": ("steps:\n" + "".join("  " * i + "- a:\n" for i in range(1, 200)), "nest more than 40 deep"),
    "use_absolute": ("steps: [{use: /etc/passwd}]", "'use' takes a path relative to this file"),
    "use_proc": ("steps: [{use: /proc/self/environ}]", "'use' takes a path relative to this file"),
    "use_dotdot": ("steps: [{use: ../outside/secret.flow.yaml}]", "points outside the flows folder"),
    "use_symlink": ("steps: [{use: link.part.yaml}]", "symlink to a file outside the flows folder"),
    "use_dir_symlink": ("steps: [{use: dirlink/secret.flow.yaml}]", "symlink to a file outside"),
    "use_symlink_loop": ("steps: [{use: loop1.part.yaml}]", "can't be followed"),
    "use_fifo": ("steps: [{use: fifo.part.yaml}]", "no flow file 'fifo.part.yaml'"),
    "use_nul": ('steps: [{use: "a\\0b.yaml"}]', "control character"),
    "use_long": ("steps: [{use: " + "a" * 5000 + ".yaml}]", "too long (5005 characters"),
    "use_itself": ("steps: [{use: doc.flow.yaml}]", "use cycle: doc.flow.yaml -> doc.flow.yaml"),
    "use_loop_params": ("steps: [{use: {flow: loop.part.yaml, with: {n: 5}}}]", "use cycle: loop.part.yaml"),
    "use_mutual": ("steps: [{use: a.part.yaml}]", "use cycle: a.part.yaml -> b.part.yaml -> a.part.yaml"),
    "use_back": ("steps: [{use: back.part.yaml}]", "use cycle: doc.flow.yaml -> back.part.yaml -> doc.flow.yaml"),
    "use_big": ("steps: [{use: big.part.yaml}]", "a flow file is at most 1,000,000"),
    "use_latin": ("steps: [{use: latin.part.yaml}]", "not UTF-8 at byte 9 (0xe9); save it as UTF-8 at latin"),
    "fake_init": ("steps: [{goto: '/{{ fake.__init__ }}'}]", "reaches for the Python attribute '__init__'"),
    "fake_machinery": ("steps: [{goto: '/{{ fake.seed_instance }}'}]", "is not a Faker provider"),
    "fake_item": ("steps: [{goto: \"/{{ fake['__class__'] }}\"}]", "reaches for the Python attribute"),
    "non_string_keys": ("steps: [{null: /}, {1: 2}, {on: x}]", "unknown step 'null'"),
}


@pytest.mark.parametrize("name", CASES)
def test_named_hostile_case(project: Project, name: str) -> None:
    body, expected = CASES[name]
    project.doc.write_text(f"name: hostile\n{body}\n")
    clear_cache()
    with pytest.raises(FlowError) as caught:
        load_flow(project.doc, project.flows)
    assert expected in str(caught.value)
    check_load(project, project.doc.read_bytes())


def test_not_utf8_names_the_byte_and_line(project: Project) -> None:
    project.doc.write_bytes("name: x\nsteps:\n  - fill: {label: Name, value: Jos\xe9}\n".encode("cp1252"))
    clear_cache()
    with pytest.raises(FlowError, match=r"not UTF-8 at byte 49 \(0xe9\); save it as UTF-8 at doc.flow.yaml:3"):
        load_flow(project.doc, project.flows)


def test_fine_flow_with_parts_still_loads(project: Project) -> None:
    project.doc.write_text("name: fine\nsteps:\n  - use: {flow: ./sub/../ok.part.yaml, with: {who: y}}\n"
                           "  - goto: '/{{ fake.email }}'\n")
    clear_cache()
    assert [s.kind for s in load_flow(project.doc, project.flows).steps] == ["use", "goto"]


# --- the property: generated documents -----------------------------------------------------------------------

ODD = ["yes", "no", "on", "off", "null", "~", "1e3", "0x1F", "0o17", ".inf", "-.nan", "2024-01-01", "12:30:00",
       "2024-01-01T10:00:00Z", "<<", "=", "true", "0", "-1", "99999999999999999999999", "1_000", "x y", "é"]
BREAKING = ["-", "?", "'", '"', "@x", "`x", "%x", "!", "&", "*", "|", ">", "#c", "[", "]", "{", "}", ",", ":", "\t"]
TAGS = ["!!bool", "!!int", "!!float", "!!null", "!!timestamp", "!!str", "!!binary", "!!set", "!!omap", "!!pairs",
        "!!seq", "!!map", "!!merge", "!!python/object/apply:os.system", "!!python/name:os.system",
        "!!python/object/new:subprocess.Popen", "!custom", "!<tag:yaml.org,2002:str>", "!<tag:example.com,2000:x>", "!"]
TEMPLATES = ["{{ fake.__init__ }}", "{{ fake.__init__.__globals__ }}", "{{ email.__class__.__mro__ }}",
             "{{ ''.__class__ }}", "{{ fake.seed_instance }}", "{{ fake.email }}", "{{ fake.email.upper() }}",
             "{{ secret.__dict__ }}", "{{ env.HOME }}", "{{ x | attr('__class__') }}", "{{ cycler.__init__ }}",
             "{{ lipsum() }}", "{{ range(99999999) | list }}", "{% for i in x %}{{ i.__class__ }}{% endfor %}",
             "{{ email[0].__class__ }}", "{{ run.id }}", "{{ target.__class__ }}", "{{ email }}", "{{", "}}",
             "{% if %}", "{{ self.__init__ }}", "{{ fake['__class__'] }}", "{{ loop.__class__ }}",
             "{{ 9 ** 9 ** 9 }}", "{{ 'a' * 999999999 }}", "{{ fake[0] }}", "{{ secret }}", "{{ fake.x.y.z }}"]
USE_PATHS = ["/etc/passwd", "/proc/self/environ", "/dev/zero", "../outside/secret.flow.yaml", "../../../../etc/passwd",
             "dirlink/secret.flow.yaml", "link.part.yaml", "doc.flow.yaml", "./doc.flow.yaml", "loop.part.yaml",
             "a.part.yaml", "ok.part.yaml", "back.part.yaml", "fifo.part.yaml", "big.part.yaml", "latin.part.yaml",
             "missing.part.yaml", "loop1.part.yaml", "a\x00b.yaml", "~/x.yaml", "sub/../../outside/secret.flow.yaml",
             "x" * 300 + ".yaml", "/".join(["a" * 150] * 3), "C:\\x.yaml", "..", ".", "", "{{ x }}.yaml",
             "%2e%2e/outside/secret.flow.yaml", "file:///etc/passwd", "dirlink/../../outside/secret.flow.yaml",
             "sub", "sub/", "doc.flow.yaml/..", "\u202e.yaml"]
KNOWN_KEYS = sorted({*TOP_LEVEL_KEYS, *STEP_ARGS, *(k for m in STEP_ARGS.values() for k in arg_keys(m)),
                     "with", "flow", "equivalents", "kind", "id", "expect_failure", "message", "class", "role",
                     "page_load", "pages", "interval", "email", "password"})


def quoted(text: str) -> str:
    """Text as a YAML double-quoted scalar."""
    return str(yaml.safe_dump(text, default_style='"', width=10**9, allow_unicode=True)).removesuffix("\n")


scalars = st.one_of(
    st.sampled_from(ODD), st.text(max_size=20).map(quoted), st.integers().map(str),
    st.sampled_from(TEMPLATES).map(quoted), st.sampled_from(USE_PATHS).map(quoted),
    st.integers(1_000, 400_000).map(lambda n: '"' + "x" * n + '"'),  # huge strings
    st.sampled_from(sorted(STEP_ARGS)), st.sampled_from(KNOWN_KEYS),
)
keys = st.one_of(*[st.sampled_from(KNOWN_KEYS)] * 6, st.sampled_from(ODD), st.text(max_size=8).map(quoted),
                 st.sampled_from(TAGS).map(lambda t: f"{t} k"))
def tagged(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The values of `strategy`, some with a YAML tag in front (one tag per node: two is a plain syntax error)."""
    return strategy | st.tuples(st.sampled_from(TAGS), strategy).map(" ".join)


def nested(leaves: st.SearchStrategy[str], keys: st.SearchStrategy[str], wrap: Any) -> st.SearchStrategy[str]:
    """Flow-style lists and mappings of `leaves`, a dozen leaves at most."""
    return st.recursive(wrap(leaves), lambda inner: wrap(st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, inner), max_size=4).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    )), max_leaves=10)


# Wild documents put tags and odd keys anywhere (the reader stops at the first); tame ones reach the loader's checks.
WILD = nested(scalars, keys, tagged)
TAME = nested(scalars, st.sampled_from(KNOWN_KEYS), lambda s: s)


@st.composite
def steps(draw: st.DrawFn, values: st.SearchStrategy[str], depth: int = 0) -> str:
    """A step with a real verb and arguments of any type (nested steps under frame/popup)."""
    verb = draw(st.sampled_from(sorted(STEP_ARGS)))
    if verb == "use" and draw(st.booleans()):
        path = quoted(draw(st.sampled_from(USE_PATHS)))
        return draw(st.sampled_from([f"{{use: {path}}}", f"{{use: {{flow: {path}, with: {{n: 2, who: x}}}}}}"]))
    names = sorted(arg_keys(STEP_ARGS[verb])) + ["bogus"]
    args = draw(st.lists(st.tuples(st.sampled_from(names), values), max_size=3))
    if verb in ("frame", "popup") and depth < 3 and draw(st.booleans()):
        args.append(("steps", "[" + ", ".join(draw(st.lists(steps(values, depth + 1), min_size=1, max_size=2))) + "]"))
    body = "{" + ", ".join(f"{k}: {v}" for k, v in args) + "}"
    return f"{{{verb}: {draw(st.one_of(st.just(body), values))}}}"


@st.composite
def structured(draw: st.DrawFn) -> str:
    """A flow file: real and unknown top-level keys with values of any type, and a list of steps."""
    plain = draw(st.sampled_from([WILD, TAME, TAME]))
    values = plain | st.just("*top")  # every document anchors `top: &top ...` first
    lines = [f"top: &top {draw(plain)}"]
    others = [k for k in TOP_LEVEL_KEYS if k not in ("name", "steps")]
    for key, value in draw(st.dictionaries(st.one_of(*[st.sampled_from(others)] * 4, keys), values, max_size=5)).items():
        lines.append(f"{key}: {value}")
    if draw(st.integers(0, 4)):
        lines.append(f"name: {draw(st.one_of(st.just('Hostile'), values))}")
        lines.append("steps:")
        lines += [f"  - {s}" for s in draw(st.lists(steps(values), min_size=1, max_size=4))]
    return "\n".join(lines) + "\n"


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    """Anchors whose aliases multiply: a few hundred bytes that name millions of values."""
    width, levels = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    text = f"l0: &l0 [{', '.join(['x'] * width)}]\n"
    for i in range(1, levels):
        text += f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]\n"
    where = draw(st.sampled_from(["steps: *l{}", "variants: {{a: *l{0}, b: *l{0}}}", "params: {{p: *l{}}}",
                                  "variants: *l{}", "name: *l{}"]))
    return text + "name: bomb\n" + where.format(levels - 1) + "\n"


@st.composite
def deep(draw: st.DrawFn) -> str:
    """Lists and mappings nested far deeper than any flow needs."""
    n = draw(st.integers(10, 3000))
    kind = draw(st.sampled_from(["flow_list", "flow_map", "block"]))
    if kind == "flow_list":
        return "name: deep\nsteps: " + "[" * n + "]" * n + "\n"
    if kind == "flow_map":
        return "name: deep\nsteps: " + "{a: " * n + "1" + "}" * n + "\n"
    return "name: deep\nsteps:\n" + "".join("  " * i + "- frame:\n" for i in range(1, min(n, 400))) + "\n"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A shipped flow with a hostile value spliced in at a random place."""
    text = draw(st.sampled_from(SHIPPED))
    at = draw(st.integers(0, len(text)))
    cut = draw(st.integers(0, 40))
    splice = draw(st.one_of(WILD, st.sampled_from(ODD), st.sampled_from(TAGS), st.sampled_from(BREAKING)))
    return text[:at] + splice + text[at + cut:]


documents = st.one_of(structured(), alias_bombs(), deep(), mutated()).map(lambda t: t.encode("utf-8"))
corrupted = st.tuples(documents, st.binary(min_size=1, max_size=8), st.floats(0, 1)).map(
    lambda d: d[0][: int(len(d[0]) * d[2])] + d[1] + d[0][int(len(d[0]) * d[2]):])  # stray bytes: not UTF-8, NUL ...


# Hypothesis' deadline is wall time, which a loaded machine stretches 100-fold: check_load bounds CPU time instead.
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.one_of(documents, documents, documents, corrupted, st.binary(max_size=300)))
def test_hostile_documents_end_in_a_flow_error(project: Project, data: bytes) -> None:
    check_load(project, data)


@pytest.mark.parametrize("text", ["{{ 9 ** 99 }}", "{{ 'a' * 999999999 }}", "{{ 'x' | center(999999999) }}",
                                  "{{ '%999999999d' | format(1) }}", "{{ '%999999999d' % 1 }}"])
def test_templates_that_would_build_enormous_values_are_refused(text: str) -> None:
    with pytest.raises(SecurityError):
        templates.compiled(text).render({})


def test_small_arithmetic_and_repeats_still_work() -> None:
    assert templates.compiled("{{ 2 ** 10 }}-{{ 'ab' * 3 }}-{{ '%s' % 7 }}").render({}) == "1024-ababab-7"
