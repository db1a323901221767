"""preflight.py on the shipped flows and targets, in process (the subprocess runs are in tests/plugin)."""
from __future__ import annotations

import re
from pathlib import Path

from checkout_tester.flow.loader import load_flows
from checkout_tester.target import preflight
from checkout_tester.target.config import Target
from checkout_tester.target.config_file import load_target

REPO = Path(__file__).resolve().parents[2]


def _shipped() -> list:
    return load_flows([REPO / "flows"], root=REPO)


def test_the_secrets_of_the_shipped_flows_are_found_through_their_parts() -> None:
    uses = preflight.secret_uses(_shipped())
    assert set(uses) == {"SHOP_PASSWORD", "CARD_NUMBER"}
    assert str(uses["CARD_NUMBER"].source) == "flows/checkout_card.flow.yaml:21"  # inside the payment iframe
    assert uses["SHOP_PASSWORD"].more >= 2  # signup, signup_equivalents, the wallet flow and its parts


def test_example_target_and_readme_map_every_secret_the_shipped_flows_need() -> None:
    needed = set(preflight.secret_uses(_shipped()))
    assert needed <= set(load_target(REPO / "config" / "example.yaml").secrets)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Point it at your own store")[1].split("\n## ")[0]
    assert needed <= set(re.findall(r"^\s+([A-Z_]+): \{env: ", section, re.MULTILINE))
    assert "mail: {sink: smtp, port: 2525}" in section and "validate --target" in section


def test_the_embedded_demo_store_needs_nothing_more() -> None:
    assert preflight.check(load_target(REPO / "config" / "demo.yaml"), _shipped()) == []


def test_expect_email_without_a_sink_names_the_first_use() -> None:
    problems = preflight.check_mail(Target(base_url="http://127.0.0.1:1"), _shipped(), embedded=False)
    (line,) = problems
    assert line.startswith("flows/checkout_card.flow.yaml:29 (and 2 more): expect_email needs a mail sink")
    assert "mail: {sink: smtp, port: 2525}" in line and "mailpit" in line


def test_a_base_url_that_is_not_http_is_named() -> None:
    (line,) = preflight.check_base_url(Target(base_url="demo"), "localhost:8000", from_option=True)
    assert line == "--base-url: base URL 'localhost:8000' is not an http(s) URL; write it like https://staging.my-shop.example"
