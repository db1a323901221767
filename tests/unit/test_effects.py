"""`effects:` of flows and sub-flows, and what a `production: true` target refuses (no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.flow.effects import effective
from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.target import preflight
from checkout_tester.target.config_file import load_target

REPO = Path(__file__).resolve().parents[2]
PART = "name: Create an account\neffects: [creates-account]\nsteps:\n  - goto: /signup\n"
ORDER = """\
name: Order as a new shopper
effects: [places-order, charges-card]
steps:
  - use: {flow: parts/account.part.yaml}
  - goto: /checkout
finally:
  - use: {flow: parts/close.part.yaml}
"""
CLOSE = "name: Close the account\neffects: [changes-account]\nsteps:\n  - goto: /account/close\n"
BROWSE = "name: Browse\neffects: []\nsteps:\n  - goto: /\n"
SILENT = "name: Says nothing\nsteps:\n  - goto: /\n"
USES_SILENT = "name: Uses a silent part\neffects: []\nsteps:\n  - use: {flow: parts/silent.part.yaml}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clear_cache()
    monkeypatch.chdir(tmp_path)
    files = {"flows/order.flow.yaml": ORDER, "flows/browse.flow.yaml": BROWSE, "flows/silent.flow.yaml": SILENT,
             "flows/uses_silent.flow.yaml": USES_SILENT, "flows/parts/account.part.yaml": PART,
             "flows/parts/close.part.yaml": CLOSE, "flows/parts/silent.part.yaml": SILENT}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _target(folder: Path, text: str) -> Path:
    (folder / "shop.yaml").write_text("name: shop\nbase_url: demo\n" + text, encoding="utf-8")
    return Path("shop.yaml")  # as given on the command line: messages name it so


def test_a_flows_effects_are_its_own_and_its_sub_flows_even_in_finally(project: Path) -> None:
    found = effective(load_flow("flows/order.flow.yaml"))
    assert found.effects == {"places-order": "flows/order.flow.yaml", "charges-card": "flows/order.flow.yaml",
                             "creates-account": "flows/parts/account.part.yaml",
                             "changes-account": "flows/parts/close.part.yaml"}
    assert found.undeclared == ()
    assert effective(load_flow("flows/uses_silent.flow.yaml")).undeclared == ("flows/parts/silent.part.yaml",)
    assert load_flow("flows/silent.flow.yaml").effects is None and load_flow("flows/browse.flow.yaml").effects == ()


def test_a_production_target_refuses_each_flow_it_does_not_allow_with_the_fix(project: Path) -> None:
    target = load_target(_target(project, "production: true\nallow_effects: [creates-account]\n"))
    flows = [load_flow(f"flows/{name}.flow.yaml") for name in ("order", "browse", "silent", "uses_silent")]
    assert preflight.check_effects(target, flows) == [
        "flows/order.flow.yaml:2: refused on production target shop.yaml: effects not allowed: places-order, "
        "charges-card, changes-account (from flows/parts/close.part.yaml); allow them with allow_effects: "
        "[creates-account, places-order, charges-card, changes-account] at shop.yaml:4, or leave this flow out "
        "of the run",
        "flows/silent.flow.yaml:1: refused on production target shop.yaml: it declares no effects; add effects: "
        "[...] to flows/silent.flow.yaml listing what it does to the store (effects: [] if nothing), or leave "
        "this flow out of the run",
        "flows/uses_silent.flow.yaml:1: refused on production target shop.yaml: it uses "
        "flows/parts/silent.part.yaml, which declares no effects; add effects: [...] to "
        "flows/parts/silent.part.yaml listing what it does to the store (effects: [] if nothing), or leave this "
        "flow out of the run",
    ]


def test_allowed_effects_and_targets_that_are_not_production_refuse_nothing(project: Path) -> None:
    flows = [load_flow("flows/order.flow.yaml"), load_flow("flows/silent.flow.yaml")]
    assert preflight.check(load_target(_target(project, "")), flows) == []
    everything = "production: true\nallow_effects: [creates-account, places-order, charges-card, changes-account]\n"
    assert preflight.check_effects(load_target(_target(project, everything)), flows[:1]) == []
    bare = load_target(_target(project, "production: true\n"))  # no allow_effects: the fix points at production
    assert preflight.check_effects(bare, [load_flow("flows/browse.flow.yaml")]) == []
    assert "allow them with allow_effects: [creates-account, places-order, charges-card, changes-account] at " \
           "shop.yaml:3," in preflight.check_effects(bare, flows[:1])[0]


def test_the_shipped_flows_declare_their_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_cache()
    monkeypatch.chdir(REPO)
    found = {path.name: set(effective(load_flow(path)).effects) for path in sorted(Path("flows").glob("*.flow.yaml"))}
    assert found == {
        "add_to_cart.flow.yaml": set(), "contact_support.flow.yaml": {"sends-message"},
        "checkout_card.flow.yaml": {"places-order", "charges-card", "sends-message"},
        "checkout_wallet.flow.yaml": {"creates-account", "places-order", "charges-card", "sends-message"},
        "signup.flow.yaml": {"creates-account"}, "signup_equivalents.flow.yaml": {"creates-account"},
    }
