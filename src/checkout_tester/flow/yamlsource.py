"""Parse YAML into plain Python data while remembering the line of every key, item and value."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.model import Source

# libyaml's composer is about ten times faster than the pure-Python one; fall back when absent.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"

PathItem = Union[str, int]
NodePath = tuple[PathItem, ...]


@dataclass
class YamlDoc:
    """A parsed YAML file: plain `data` plus the 1-based line of any node path in it."""

    file: str
    data: Any
    lines: dict[NodePath, int] = field(default_factory=dict)

    def line(self, path: NodePath = ()) -> int:
        """Line of the node at `path` (a mapping value: its key's line; a missing path: its parent's)."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def source(self, path: NodePath = ()) -> Source:
        """A model Source for the node at `path`."""
        return Source(self.file, self.line(path))


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse one YAML document; syntax errors become a FlowError naming file:line in plain words."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # unmarked: encoding trouble and the like
        raise FlowError(f"YAML syntax error: {exc}", Source(file, 1)) from None
    doc = YamlDoc(file, None)
    if root is not None:
        doc.data = _build(root, (), root.start_mark.line + 1, doc)
    return doc


def _build(node: Node, path: NodePath, line: int, doc: YamlDoc) -> Any:
    """Turn a composed node into plain data, recording `line` for `path` (mapping values: their key's line)."""
    doc.lines[path] = line
    if isinstance(node, ScalarNode):
        return _scalar(node, doc)
    if isinstance(node, SequenceNode):
        return [_build(item, path + (i,), item.start_mark.line + 1, doc) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *defaults`, applied after the explicit keys
                merged.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            if not isinstance(key_node, ScalarNode):
                raise FlowError("a key must be a plain word, not a list or mapping", _src(doc, key_node))
            key = _scalar(key_node, doc)
            if key in result:
                # PyYAML silently keeps the last one; in a flow that hides a copy-paste mistake.
                raise FlowError(f"key '{key}' appears twice in the same mapping", _src(doc, key_node),
                                hint="keep one of them; for two steps, start each with '- '")
            result[key] = _build(value_node, path + (key,), key_node.start_mark.line + 1, doc)
        for source in merged:
            if not isinstance(source, MappingNode):
                raise FlowError("'<<' merges a mapping, e.g. <<: *defaults", _src(doc, source))
            scratch = YamlDoc(doc.file, None)  # so merged keys never overwrite the explicit keys' lines
            for key, value in _build(source, (), line, scratch).items():
                if key not in result:
                    result[key] = value
                    doc.lines.update({path + sub: n for sub, n in scratch.lines.items() if sub[:1] == (key,)})
        return result
    raise FlowError(f"unsupported YAML node {node.tag}", _src(doc, node))  # pragma: no cover


def _scalar(node: ScalarNode, doc: YamlDoc) -> Any:
    construct = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    if construct is None:
        raise FlowError(f"unknown YAML tag '{node.tag}'", _src(doc, node),
                        hint="flow files use plain YAML: remove the '!tag'")
    try:
        return construct(_CONSTRUCTOR, node)
    except (yaml.YAMLError, ValueError) as exc:
        raise FlowError(f"bad value {node.value!r}: {exc}", _src(doc, node)) from None


def _src(doc: YamlDoc, node: Node) -> Source:
    return Source(doc.file, node.start_mark.line + 1)


def _mark_line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 1


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> FlowError:
    """Say what went wrong in words a QA engineer uses, not the parser's state machine."""
    problem, context = exc.problem or "", exc.context or ""
    line = _mark_line(exc.problem_mark)
    opened = _mark_line(exc.context_mark)
    lines = text.splitlines()
    this = lines[line - 1] if 0 < line <= len(lines) else ""
    hint: str | None = None
    if "cannot start any token" in problem and "\t" in this[: len(this) - len(this.lstrip())]:
        words = "a tab character is used for indentation; YAML only accepts spaces"
        hint = "replace the tab with spaces (2 per level)"
    elif "cannot start any token" in problem:
        words = "a value starts with a character YAML reserves (such as @ or `)"
        hint = 'put the value in quotes, e.g. text: "@home"'
    elif "mapping values are not allowed" in problem:
        words = "unexpected ':' (a text containing ': ' needs quotes, or this line is indented too far)"
        hint = 'quote the text, e.g. expect_text: "Total: 10", or line the key up with the ones above'
    elif "expected '-' indicator" in problem or "found '<block sequence start>'" in problem:
        words = "this list item is not lined up with the items before it"
        hint = "start every '- ' of one list in the same column"
    elif "did not find expected key" in problem or "expected <block end>" in problem:
        words = "this line is not lined up with the lines around it"
        hint = "indent the keys of one mapping by the same number of spaces"
    elif "expected ',' or" in problem:
        bracket = "[" if "sequence" in context else "{"
        words = f"the '{bracket}' opened at line {opened} is not closed, or two items lack a ',' between them"
        hint = "write it on one line like {label: Email, value: a@b.c} or [smoke, signup]"
    elif "unexpected end of stream" in problem and "quoted" in context:
        words = f"the quote opened at line {opened} is never closed"
        hint = "end the text with the same quote it starts with"
        line = opened
    elif "could not find expected ':'" in problem:
        words = "a key has no ':' after it (or a text runs on to the next line)"
        hint = "write key: value; quote texts that span lines"
        line = opened
    elif "undefined alias" in problem:
        words = "a '*name' refers to an anchor '&name' that is not defined above it"
    elif "another document" in problem:
        words = "a flow file holds one YAML document; remove the extra '---'"
    else:
        words = problem + (f" ({context})" if context else "")
    return FlowError(f"YAML syntax error: {words}", Source(file, line), hint=hint)
