"""YAML text -> one document's node graph, from the parser's events, within limits a hostile file can't pass."""
from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.model import Source

# libyaml's parser is about ten times faster than the pure-Python one; fall back when absent.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()

# Limits that keep a hostile or broken file from eating the machine: a flow has some hundreds of nodes.
MAX_NODES = 20_000  # values written, and values built with aliases expanded (`*a` in `&b` in ... multiplies)
MAX_DEPTH = 40  # nesting of lists and mappings (frames in popups in frames stay well under it)


def compose(text: str, file: str) -> Node | None:
    """YAML events -> one document's node graph, like yaml.compose but stopping at MAX_NODES and MAX_DEPTH.

    libyaml's own composer builds every node of a large file before anyone can count them (seconds for 1 MB).
    """
    anchors: dict[str, Node] = {}
    open_: list[tuple[Node, list[Any]]] = []  # collections being filled, innermost last; for a mapping its pairs
    pending_key: list[Node | None] = []  # per open mapping: a key waiting for its value
    root: Node | None = None
    count = documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        node: Node | None = None
        start: Any = event.start_mark
        end: Any = event.end_mark
        line = start.line + 1 if start is not None else 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise FlowError("YAML syntax error: a flow file holds one YAML document; remove the extra '---'",
                                Source(file, line))
            continue
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise FlowError(f"YAML syntax error: '*{event.anchor}' refers to an anchor '&name' that is not "
                                "defined above it", Source(file, line),
                                hint=f"define it first, e.g. defaults: &{event.anchor} {{...}}, then use *{event.anchor}")
            node = anchors[event.anchor]
        elif isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            count += 1
            if count > MAX_NODES:
                raise FlowError(f"the file holds more than {MAX_NODES:,} values; a flow file is far smaller",
                                Source(file, line), hint="split it into parts and `use:` them")
            if isinstance(event, yaml.ScalarEvent):
                tag = event.tag if event.tag not in (None, "!") else _RESOLVER.resolve(ScalarNode, event.value,
                                                                                      event.implicit)
                node = ScalarNode(tag, event.value, start, end, style=event.style)
            else:
                if len(open_) >= MAX_DEPTH:
                    raise FlowError(f"lists and mappings nest more than {MAX_DEPTH} deep",
                                    Source(file, line),
                                    hint="flatten the file: move nested steps into a part and `use:` it")
                kind = SequenceNode if isinstance(event, yaml.SequenceStartEvent) else MappingNode
                tag = event.tag if event.tag not in (None, "!") else _RESOLVER.resolve(kind, None, event.implicit)
                node = kind(tag, [], start, end, flow_style=event.flow_style)
                if event.anchor is not None:  # registered before its items: `&a [*a]` is caught as a loop later
                    anchors[event.anchor] = node
                _add(node, open_, pending_key)
                open_.append((node, node.value))
                pending_key.append(None)
                continue
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            closed, _ = open_.pop()
            pending_key.pop()
            closed.end_mark = event.end_mark
            if not open_:
                root = closed
            continue
        else:
            continue
        if open_:
            _add(node, open_, pending_key)
        else:
            root = node
    return root


def _add(node: Node, open_: list[tuple[Node, list[Any]]], pending_key: list[Node | None]) -> None:
    """Put `node` into the innermost open collection: an item, a mapping key, or the value of the last key."""
    if not open_:
        return
    parent, items = open_[-1]
    if isinstance(parent, SequenceNode):
        items.append(node)
    elif pending_key[-1] is None:
        pending_key[-1] = node
    else:
        items.append((pending_key[-1], node))
        pending_key[-1] = None
