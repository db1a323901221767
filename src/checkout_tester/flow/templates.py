"""Jinja2 templates in flow values: a sandbox that reaches data only, strict about unknown names, compiled once."""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

NAMESPACES = ("env", "secret", "fake", "target", "run")
DEFAULTS = ("default", "d")  # a name used only under these filters may be undefined
COMMON_FILTERS = "lower, upper, title, capitalize, trim, replace('a', 'b'), default('x'), truncate(10), int"
EXAMPLE = "write {{ name }}, {{ secret.NAME }} or {{ email | lower }}"
NO_ATTRIBUTES = "templates read values, not Python attributes or methods"


@dataclass(frozen=True)
class TemplateProblem:
    """What is wrong with a template as written, and how to fix it."""

    message: str
    hint: str


class Namespace:
    """`secret`, `env`, `fake`, `target`, `run`: `{{ secret.X }}` asks `resolve('X')`; nothing else is reachable."""

    __slots__ = ("name", "resolve")

    def __init__(self, name: str, resolve: Callable[[str], Any]) -> None:
        self.name, self.resolve = name, resolve

    def get(self, key: Any) -> Any:
        """The value of `{{ name.key }}`, or an Undefined that says why there is none."""
        if not isinstance(key, str) or key.startswith("_"):
            raise SecurityError(f"{self.name}.{key} is not reachable: {NO_ATTRIBUTES}")
        return self.resolve(key)

    def __str__(self) -> str:
        raise SecurityError(f"'{{{{ {self.name} }}}}' needs a name after '{self.name}.', e.g. {{{{ {self.name}.NAME }}}}")


class Secret(str):
    """A secret's value inside a template: filters on it are tracked, and it can't be sliced or looped over."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> str:
        raise SecurityError("a secret can't be indexed or sliced in a template")

    def __iter__(self) -> Iterator[str]:
        raise SecurityError("a secret can't be looped over in a template")


# Text filters made of a secret while a template renders: the scope masks each one like the secret.
DERIVED: ContextVar[list[str] | None] = ContextVar("derived_secrets", default=None)


MAX_TEXT = 100_000  # characters a template may build: `'a' * 10**9` or `center(10**9)` would take the machine
WIDE = re.compile(r"\d{6,}")  # '%999999d': a width of a million characters or more


def _sized(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse filter arguments that would build an enormous text: center(10**9), '%999999999d' | format."""
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_TEXT and name not in DEFAULTS:
            raise SecurityError(f"filter '{name}' with {arg} is refused: templates build short texts")
    if name == "format" and args and isinstance(args[0], str) and WIDE.search(args[0]):
        raise SecurityError("a format width of a million characters is refused")


def _guarded(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that keeps what it makes of a secret secret, and refuses to turn one into anything but text."""

    @functools.wraps(fn)  # keeps Jinja2's pass_environment / pass_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _sized(name, args, kwargs)
        out = fn(*args, **kwargs)
        if not any(isinstance(a, Secret) for a in (*args, *kwargs.values())):
            return out
        if not isinstance(out, str):
            raise SecurityError(f"filter '{name}' can't take a secret: use text filters such as upper or replace")
        derived = DERIVED.get()
        if derived is not None:
            derived.append(out)
        return Secret(out)

    return guarded


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, narrowed: dotted names read mapping keys and namespaces, never attributes."""

    # Checked at run time, and never folded while compiling: `9 ** 9 ** 9` would hang the compiler.
    intercepted_binops = frozenset(("**", "*", "%"))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`**`, `*` and `%` within bounds: no 9 ** 9 ** 9, no 'a' * 10**9, no '%999999999d' % 1."""
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError(f"'** {right}' is refused: an exponent over 64 makes numbers no page shows")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_TEXT:
                    raise SecurityError(f"repeating a value {times} times is refused: templates build short texts")
        if operator == "%" and isinstance(left, str) and WIDE.search(left):
            raise SecurityError("a format width of a million characters is refused")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Namespace):
            return obj.get(attribute)
        if isinstance(obj, (Undefined, LoopContext)):  # `missing.x` names `missing`; `loop.index` in a for
            return super().getattr(obj, attribute)
        if isinstance(obj, Mapping):
            return self.getitem(obj, attribute)
        raise SecurityError(f"'.{attribute}' of a {type(obj).__name__} value is refused: {NO_ATTRIBUTES}; "
                            "use a filter, e.g. {{ email | upper }}")

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Namespace):
            return obj.get(argument)
        if isinstance(obj, Undefined):
            return super().getitem(obj, argument)
        if isinstance(argument, str) and argument.startswith("_"):
            raise SecurityError(f"'{argument}' is refused: {NO_ATTRIBUTES}")
        if isinstance(obj, (Mapping, Sequence)):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                keys = ", ".join(map(str, obj)) if isinstance(obj, Mapping) else f"0 to {len(obj) - 1}"
                return self.undefined(f"no {argument!r} in a value whose keys are: {keys or 'none'}", obj, argument)
        raise SecurityError(f"'[{argument!r}]' of a {type(obj).__name__} value is refused: {NO_ATTRIBUTES}")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, LoopContext):  # loop.index, loop.first ... inside {% for %}
            return super().is_safe_attribute(obj, attr, value)
        return False  # anything else that reads attributes directly gets nothing


ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
ENV.globals.clear()  # no range(), lipsum(), dict(): a template sees the flow's values and nothing more
del ENV.filters["attr"]  # reads Python attributes by name
ENV.filters.update({name: _guarded(name, fn) for name, fn in ENV.filters.items()})


def is_template(text: str) -> bool:
    """Whether `text` opens a template at all (plain strings skip Jinja2: rendering them is the hot path)."""
    return "{" in text and ("{{" in text or "{%" in text or "{#" in text)


def has_markup(text: str) -> bool:
    """Whether the loader should look at `text`: it opens a template, or closes one it never opened."""
    return "}}" in text or is_template(text)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> nodes.Template:
    """The syntax tree of a template (cached); raises TemplateSyntaxError."""
    return ENV.parse(text)


class Compiled:
    """One template string compiled once: rendered to text, or to the value itself when it is one `{{ expr }}`."""

    __slots__ = ("source", "_template", "native")

    def __init__(self, source: str) -> None:
        self.source = source
        tree = ENV.parse(source)  # its own tree: compiling folds constants in place, parse() keeps the cached one
        expr = _single_expression(tree)
        self.native = expr is not None  # `{{ qty }}` keeps the value's type, as a list or a number
        if expr is not None:
            tree = nodes.Template([nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)], lineno=1)
            tree.set_environment(ENV)
        self._template = ENV.from_string(tree)

    def render(self, names: Mapping[str, Any]) -> Any:
        """Evaluate against `names` (looked up lazily, never copied); Jinja2 errors propagate."""
        # A bare Context over `names` (what new_context(shared=True) builds, minus copying Jinja2's globals).
        context = ENV.context_class(ENV, names, None, self._template.blocks)  # type: ignore[arg-type]
        output = "".join(self._template.root_render_func(context))
        if not self.native:
            return output
        value = context.vars["result"]
        if isinstance(value, Undefined):
            str(value)  # StrictUndefined: raises UndefinedError with its hint
        if isinstance(value, Namespace):
            str(value)  # raises: `{{ secret }}` alone is not a value
        return str.__str__(value) if isinstance(value, Secret) else value  # plain text leaves the sandbox


@functools.lru_cache(maxsize=4096)
def compiled(text: str) -> Compiled:
    """The compiled form of a template string, built on first use."""
    return Compiled(text)


def _single_expression(tree: nodes.Template) -> nodes.Expr | None:
    """The expression of a template that is exactly one `{{ ... }}` (whitespace around it ignored)."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts = [n for n in tree.body[0].nodes if not (isinstance(n, nodes.TemplateData) and not n.data.strip())]
    if len(parts) == 1 and not isinstance(parts[0], nodes.TemplateData):
        return parts[0]
    return None


# --- load-time analysis ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def analyse(text: str) -> tuple[tuple[str, ...], TemplateProblem | None]:
    """Names a template reads (`email`, `address.city`, `secret.X`, a bare `secret`) and its first problem."""
    try:
        tree = parse(text)
    except TemplateSyntaxError as exc:
        return (), syntax_problem(text, exc)
    unknown = _unknown_filter(text, tree)
    if unknown:
        return (), unknown
    problem = _unsafe(text, tree) or _stray_close(text, tree)
    names: dict[str, bool] = {}  # name -> needed (False: only ever under `default`)
    for name, optional in _reads(tree, _undeclared(tree)):
        names[name] = names.get(name, False) or not optional or name.partition(".")[0] in NAMESPACES
    return tuple(n for n, needed in names.items() if needed), problem


def _undeclared(tree: nodes.Template) -> set[str]:
    """Names read from the flow's values: not set, looped over or taken as macro arguments in the template.

    jinja2.meta.find_undeclared_variables runs the whole code generator; this is the same answer for the
    templates flows hold, at a fraction of the cost (it runs for every template of every file loaded).
    """
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    if any(True for _ in tree.find_all(nodes.For)):
        local.add("loop")
    if any(True for _ in tree.find_all((nodes.Macro, nodes.CallBlock))):
        local.update(("caller", "varargs", "kwargs"))
    return {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - local


def syntax_problem(text: str, exc: TemplateSyntaxError) -> TemplateProblem:
    """A Jinja2 syntax error in plain words, with the fix most likely meant."""
    where = f" (line {exc.lineno} of the text)" if "\n" in text.strip() else ""
    if text.count("{{") > text.count("}}"):
        hint = f"close every {{{{ with }}}}: {EXAMPLE}"
    elif text.count("{{") < text.count("}}") or "{{" not in text:
        hint = f"open every }}}} with {{{{: {EXAMPLE}"
    else:
        hint = f"{EXAMPLE}; filters: {COMMON_FILTERS}"
    return TemplateProblem(f"template syntax error in {_quoted(text)}{where}: {(exc.message or '').rstrip('.')}", hint)


def _unsafe(text: str, tree: nodes.Template) -> TemplateProblem | None:
    """Python internals ('_' names) and calls: what the sandbox refuses at run time, found now."""
    internals = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        key = _key(node)
        if isinstance(key, str) and key.startswith("_"):
            internals.append(key)
    if internals:
        first = min(internals, key=text.find)
        return TemplateProblem(f"template {_quoted(text)} reaches for the Python attribute '{first}'",
                               f"{NO_ATTRIBUTES}: write {{{{ name }}}}, {{{{ address.city }}}} or {{{{ email | lower }}}}")
    if any(True for _ in tree.find_all(nodes.Call)):
        return TemplateProblem(f"template {_quoted(text)} calls a method or function",
                               f"{NO_ATTRIBUTES}: use a filter instead, e.g. {{{{ email | lower }}}}; "
                               f"filters: {COMMON_FILTERS}")
    return None


def _stray_close(text: str, tree: nodes.Template) -> TemplateProblem | None:
    """A '}}' in plain text: almost always a template whose '{{' was forgotten."""
    if any("}}" in node.data for node in tree.find_all(nodes.TemplateData)):
        return TemplateProblem(f"'}}}}' without its '{{{{' in {_quoted(text)}",
                               f"open every }}}} with {{{{: {EXAMPLE}; for a literal '}}}}' write {{{{ '}}}}' }}}}")
    return None


def _unknown_filter(text: str, tree: nodes.Template) -> TemplateProblem | None:
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        table, kind = (ENV.filters, "filter") if isinstance(node, nodes.Filter) else (ENV.tests, "test")
        if node.name == "attr":
            return TemplateProblem(f"filter 'attr' in {_quoted(text)} is not available: {NO_ATTRIBUTES}",
                                   f"filters: {COMMON_FILTERS}")
        if node.name not in table:
            more = f"filters: {COMMON_FILTERS}" if kind == "filter" else f"tests: {', '.join(sorted(table))}"
            near = difflib.get_close_matches(node.name, list(table), n=1, cutoff=0.6)
            hint = f"did you mean '{near[0]}'? {more}" if near else more
            return TemplateProblem(f"unknown {kind} '{node.name}' in {_quoted(text)}", hint)
    return None


def _reads(node: nodes.Node, undeclared: set[str], optional: bool = False) -> Iterator[tuple[str, bool]]:
    """(name, optional) for each read of a context name, in source order; dotted with its first key."""
    if isinstance(node, nodes.Filter) and node.name in DEFAULTS and node.node is not None:
        yield from _reads(node.node, undeclared, True)
        for child in node.iter_child_nodes():
            if child is not node.node:
                yield from _reads(child, undeclared, optional)
        return
    if isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Name) \
            and node.node.name in undeclared:
        key = _key(node)
        if isinstance(key, str):
            yield f"{node.node.name}.{key}", optional
        elif node.node.name not in NAMESPACES:  # `env[name]`: which variable is known only at run time
            yield node.node.name, optional
        if isinstance(node, nodes.Getitem):
            yield from _reads(node.arg, undeclared, optional)
        return
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in undeclared:
        yield node.name, optional
        return
    for child in node.iter_child_nodes():
        yield from _reads(child, undeclared, optional)


def _key(node: nodes.Node) -> Any:
    """The name after the dot (`a.b`) or the constant in brackets (`a['b']`); None when computed."""
    if isinstance(node, nodes.Getattr):
        return node.attr
    arg = getattr(node, "arg", None)
    return arg.value if isinstance(arg, nodes.Const) else None


def _quoted(text: str) -> str:
    return f"'{text}'" if "\n" not in text.strip() else f"'{text.strip().splitlines()[0]} ...'"
