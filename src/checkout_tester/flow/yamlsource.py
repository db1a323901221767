"""Parse YAML into plain Python data while remembering the line of every key, item and value."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.model import Source
from checkout_tester.flow.yamlevents import MAX_DEPTH, MAX_NODES, compose

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
# Plain data only: no !!binary, !!set, !!omap, and never a !!python/... tag that would build an object.
_SCALAR_TAGS = {_STR_TAG, *(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "timestamp"))}
_SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"

MAX_BYTES = 1_000_000  # a flow file larger than this is not hand-written

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


def decode_yaml(raw: bytes, file: str) -> str:
    """The text of a YAML file's bytes; too large or not UTF-8 is a FlowError naming the line and the fix."""
    _check_size(len(raw), file)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FlowError(f"not UTF-8 at byte {exc.start} (0x{raw[exc.start]:02x}); save it as UTF-8",
                        Source(file, line), hint="in your editor: save with encoding UTF-8") from None


def _check_size(size: int, file: str) -> None:
    if size > MAX_BYTES:
        raise FlowError(f"file is {size:,} bytes; a flow file is at most {MAX_BYTES:,}", Source(file, 1),
                        hint="split it into parts and `use:` them, or move data out of it")


def read_yaml(path: Path, file: str) -> YamlDoc:
    """Read and parse a YAML file, refusing oversized and non-UTF-8 files before parsing."""
    return parse_yaml(read_text(path, file), file)


def read_text(path: Path, file: str) -> str:
    """The text of a YAML file; too large, unreadable or not UTF-8 is a FlowError shown as `file`."""
    try:
        size = path.stat().st_size
        _check_size(size, file)  # don't read what we refuse
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # /proc files report size 0: read no more than the limit
    except OSError as exc:
        raise FlowError(f"cannot read the file: {exc.strerror or type(exc).__name__}", Source(file, 1),
                        hint="check the path and that the file is readable") from None
    return decode_yaml(raw, file)


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse one YAML document; syntax errors become a FlowError naming file:line in plain words."""
    _check_size(len(text), file)
    try:
        root = compose(text, file)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.reader.ReaderError as exc:  # a control character or the like, with its position
        line = text[: exc.position].count("\n") + 1
        raise FlowError(f"the file holds a character YAML does not allow ({exc.character!r})",
                        Source(file, line), hint="remove it; flow files are plain text") from None
    except yaml.YAMLError as exc:  # unmarked: encoding trouble and the like
        raise FlowError(f"YAML syntax error: {exc}", Source(file, 1)) from None
    except RecursionError:  # the pure-Python composer on absurd nesting
        raise FlowError(f"lists and mappings nest more than {MAX_DEPTH} deep", Source(file, 1),
                        hint="flatten the file") from None
    doc = YamlDoc(file, None)
    if root is not None:
        doc.data = _Builder(doc).build(root, (), root.start_mark.line + 1)
    return doc


class _Builder:
    """Composed nodes -> plain data, counting what it builds: aliases share nodes, expanding them copies."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc, self.built, self.copied = doc, 0, 0
        self.seen: set[int] = set()
        self.open: list[Node] = []  # the nodes being built, outermost first: a node inside itself is a loop

    def build(self, node: Node, path: NodePath, line: int, doc: YamlDoc | None = None) -> Any:
        """Turn a node into plain data, recording `line` for `path` (mapping values: their key's line)."""
        doc = doc or self.doc
        doc.lines[path] = line
        self.built += 1
        self.copied += id(node) in self.seen
        self.seen.add(id(node))  # nodes live as long as the composed tree: ids stay unique
        if self.built > MAX_NODES:
            if self.copied:
                raise FlowError(f"YAML aliases expand too far: more than {MAX_NODES:,} values", _src(doc, node),
                                hint="each '*name' copies what '&name' holds; write the values out, or use fewer aliases")
            raise FlowError(f"the file holds more than {MAX_NODES:,} values; a flow file is far smaller",
                            _src(doc, node), hint="split it into parts and `use:` them")
        if isinstance(node, ScalarNode):
            return _scalar(node, doc)
        if any(node is n for n in self.open):
            raise FlowError("a YAML alias refers to the list or mapping it is inside of", _src(doc, node),
                            hint="a '*name' can't appear inside its own '&name'")
        if len(self.open) >= MAX_DEPTH:
            raise FlowError(f"lists and mappings nest more than {MAX_DEPTH} deep", _src(doc, node),
                            hint="flatten the file: move nested steps into a part and `use:` it")
        self.open.append(node)
        try:
            if isinstance(node, SequenceNode):
                _check_tag(node, _SEQ_TAG, doc)
                return [self.build(item, path + (i,), item.start_mark.line + 1, doc)
                        for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                _check_tag(node, _MAP_TAG, doc)
                return self._mapping(node, path, line, doc)
        finally:
            self.open.pop()
        raise FlowError(f"unsupported YAML node {node.tag}", _src(doc, node))  # pragma: no cover

    def _mapping(self, node: MappingNode, path: NodePath, line: int, doc: YamlDoc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *defaults`, applied after the explicit keys
                merged.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            if not isinstance(key_node, ScalarNode):
                raise FlowError("a key must be a plain word, not a list or mapping", _src(doc, key_node))
            key = _key(key_node, doc)
            if key in result:
                # PyYAML silently keeps the last one; in a flow that hides a copy-paste mistake.
                raise FlowError(f"key '{key}' appears twice in the same mapping", _src(doc, key_node),
                                hint="keep one of them; for two steps, start each with '- '")
            result[key] = self.build(value_node, path + (key,), key_node.start_mark.line + 1, doc)
        for source in merged:
            if not isinstance(source, MappingNode):
                raise FlowError("'<<' merges a mapping, e.g. <<: *defaults", _src(doc, source))
            scratch = YamlDoc(doc.file, None)  # so merged keys never overwrite the explicit keys' lines
            for key, value in self.build(source, (), line, scratch).items():
                if key not in result:
                    result[key] = value
                    doc.lines.update({path + sub: n for sub, n in scratch.lines.items() if sub[:1] == (key,)})
        return result


def _check_tag(node: Node, expected: str, doc: YamlDoc) -> None:
    if node.tag != expected:
        raise FlowError(f"unknown YAML tag '{_tag(node)}'", _src(doc, node),
                        hint="flow files use plain YAML lists and mappings: remove the '!tag'")


def _key(node: ScalarNode, doc: YamlDoc) -> str:
    """A mapping key is the word as written: `on:`, `null:` and `1:` stay words, not True, None and 1."""
    _scalar(node, doc)  # refuses tags such as !!binary or !!python/... on a key too
    return node.value


def _scalar(node: ScalarNode, doc: YamlDoc) -> Any:
    if node.tag not in _SCALAR_TAGS and node.tag != _MERGE_TAG:
        raise FlowError(f"unknown YAML tag '{_tag(node)}'", _src(doc, node),
                        hint="flow files use plain YAML: remove the '!tag' (quote the value to make it text)")
    if node.tag in (_STR_TAG, _MERGE_TAG):  # a `<<` that is not a key is just text
        return node.value
    try:
        return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except Exception:  # PyYAML's constructors fail in many ways on `!!bool maybe` or `!!timestamp x`
        kind = node.tag.rsplit(":", 1)[-1]
        raise FlowError(f"{node.value[:80]!r} is not a YAML {kind}", _src(doc, node),
                        hint=f"remove the '!!{kind}' or write a valid {kind}") from None


def _tag(node: Node) -> str:
    """A tag as the author wrote it: '!!python/object' rather than 'tag:yaml.org,2002:python/object'."""
    tag = str(node.tag)
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag[:80]


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
    elif "maximum nesting depth" in problem:
        words = "lists and mappings nest too deep"
        hint = "flatten the file: move nested steps into a part and `use:` it"
    elif "undefined alias" in problem:
        words = "a '*name' refers to an anchor '&name' that is not defined above it"
    elif "another document" in problem:
        words = "a flow file holds one YAML document; remove the extra '---'"
    else:
        words = problem + (f" ({context})" if context else "")
    return FlowError(f"YAML syntax error: {words}", Source(file, line), hint=hint)
