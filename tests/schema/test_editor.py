"""The editor wiring end to end: yaml-language-server (what VS Code's YAML extension runs) follows the shipped
files' modeline to the committed schemas and shows what a person would see: no complaint on the shipped files,
a diagnostic on the line of each mistake, ARIA roles offered as completions."""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.schema.lsp import REPO, YamlLanguageServer

_PROBES = itertools.count()


@pytest.fixture(scope="module")
def server() -> Iterator[YamlLanguageServer]:
    lsp = YamlLanguageServer(REPO)
    yield lsp
    lsp.close()


def _probe(lsp: YamlLanguageServer, shipped: str, text: str) -> tuple[str, list[dict]]:
    """Open `text` as if it were a file next to a shipped one (it is never written): the modeline resolves alike."""
    name = f"_editor_probe{next(_PROBES)}" + "".join(Path(shipped).suffixes)  # a new document each time
    uri = (REPO / shipped).with_name(name).as_uri()
    lsp.open(uri, text)
    return uri, lsp.diagnostics_for(uri)


def _at(diagnostics: list[dict], line: int) -> list[str]:
    return [d["message"] for d in diagnostics if d["range"]["start"]["line"] == line - 1]


@pytest.mark.parametrize("shipped", ["flows/checkout_card.flow.yaml", "flows/parts/login.part.yaml",
                                     "config/example.yaml"])
def test_the_shipped_files_show_no_problem(server: YamlLanguageServer, shipped: str) -> None:
    uri = (REPO / shipped).as_uri()
    server.open(uri, (REPO / shipped).read_text(encoding="utf-8"))
    assert server.diagnostics_for(uri) == []


FLOW = """\
# yaml-language-server: $schema=../schemas/flow.schema.json
name: Pay
steps:
  - goto: /checkout
  - fill: {lable: Email, value: a@b.example}
  - click: {role: buton, name: Pay now}
  - expect_text: {text: Thank you, timeout: ten seconds}
  - expect_url: {url: /done, timeout: 1.5s}
"""


def test_a_flow_with_mistakes_gets_a_diagnostic_on_each_line(server: YamlLanguageServer) -> None:
    _, found = _probe(server, "flows/signup.flow.yaml", FLOW)
    assert any("lable" in m and "not allowed" in m for m in _at(found, 5)), found
    assert any("not an ARIA role" in m for m in _at(found, 6)), found
    assert any("not a duration" in m for m in _at(found, 7)), found
    assert _at(found, 8) == [] and _at(found, 4) == [], found  # 1.5s is a duration; the goto is fine
    assert all(d["source"].startswith("yaml-schema") for d in found), found


def test_a_part_file_finds_its_schema_two_folders_up(server: YamlLanguageServer) -> None:
    text = "# yaml-language-server: $schema=../../schemas/flow.schema.json\nname: Part\nstpes:\n  - goto: /\n"
    _, found = _probe(server, "flows/parts/login.part.yaml", text)
    assert any("stpes" in m for m in _at(found, 3)), found


def test_a_target_config_with_mistakes(server: YamlLanguageServer) -> None:
    text = ("# yaml-language-server: $schema=../schemas/target.schema.json\nname: shop\n"
            "base_url: https://shop.example\nbrowser: {headles: true}\ntimeouts: {step: ten seconds}\n")
    _, found = _probe(server, "config/example.yaml", text)
    assert any("headles" in m for m in _at(found, 4)), found
    assert any("not a duration" in m for m in _at(found, 5)), found


def test_roles_are_offered_as_completions(server: YamlLanguageServer) -> None:
    text = "# yaml-language-server: $schema=../schemas/flow.schema.json\nname: x\nsteps:\n  - click:\n      role: \n"
    uri, _ = _probe(server, "flows/signup.flow.yaml", text)
    result = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": 4, "character": 12}})
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    assert {"button", "link", "textbox", "navigation"} <= labels, sorted(labels)


def test_the_readme_setting_maps_files_without_the_first_line(server: YamlLanguageServer) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = readme.split('"yaml.schemas"', 1)[0].rsplit("```json", 1)[1] + '"yaml.schemas"' + \
        readme.split('"yaml.schemas"', 1)[1].split("```", 1)[0]
    mapping = json.loads(snippet)["yaml.schemas"]
    server.configure(schemas=mapping)
    _, found = _probe(server, "flows/signup.flow.yaml", "name: No first line\nstpes:\n  - goto: /\n")
    assert any("stpes" in m for m in _at(found, 2)), found
    _, found = _probe(server, "config/example.yaml", "name: shop\nbrowser: {headles: true}\n")
    assert any("headles" in m for m in _at(found, 2)), found
