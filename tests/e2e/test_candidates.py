"""A step whose locator finds nothing (or several) names the closest candidates on the page, each with the YAML
locator that finds it: in Chromium against the demo store, the proposed locators then run in a real flow."""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.errors import StepFailed
from checkout_tester.flow.loader import load_flow
from checkout_tester.session import Session, demo_session
from checkout_tester.target.config import Timeouts
from checkout_tester.target.config_file import load_target

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "flows" / "add_to_cart.flow.yaml"
CART_OF_TWO = """name: A cart of two
steps:
  - use: {flow: %(parts)s/add_to_cart.part.yaml}
  - use: {flow: %(parts)s/add_to_cart.part.yaml, with: {product: green-teapot, product_name: Green Teapot}}
  - goto: /cart
%(steps)s
effects: []
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Any]]:
    target = load_target(ROOT / "config/demo.yaml")
    # A missing element costs the step timeout: short ones keep these tests quick (the page is local).
    target = target.model_copy(update={"timeouts": Timeouts(step="3s", navigation="20s", expect="3s")})
    with demo_session(target, artifacts=tmp_path_factory.mktemp("artifacts")) as pair:
        yield pair


def _run(session: Session, path: Path) -> str:
    """Run a flow that must fail; its failure message."""
    with pytest.raises(StepFailed) as failed:
        session.run(load_flow(path, root=path.parent))
    return str(failed.value)


def _flow(tmp_path: Path, name: str, steps: str) -> Path:
    """A flow in tmp_path beside a copy of the shipped parts (a `use:` path stays inside the flows folder)."""
    if not (tmp_path / "parts").exists():
        shutil.copytree(ROOT / "flows" / "parts", tmp_path / "parts")
    path = tmp_path / f"{name}.flow.yaml"
    path.write_text(CART_OF_TWO % {"parts": "parts", "steps": steps}, encoding="utf-8")
    return path


def _blocks(message: str) -> list[list[str]]:
    """Each Candidates: block of the message (the hard failure's, then the soft ones'), its heading first."""
    blocks: list[list[str]] = []
    for line in message.splitlines():
        if line.strip().startswith("Candidates:"):
            blocks.append([line.strip()])
        elif blocks and len(blocks[-1]) and line.startswith(" " * 12) and "->" in line:
            blocks[-1].append(line.strip())
        elif blocks and line.strip():
            blocks.append([])  # the block ended
    return [block for block in blocks if block]


def _proposed(line: str) -> str:
    return re.search(r"-> (\{.*?\})( inside|  \(|$)", line).group(1)  # type: ignore[union-attr]


def test_a_renamed_button_is_named_first_with_the_locator_that_finds_it(store: tuple[Session, Any],
                                                                         tmp_path: Path) -> None:
    session, shop = store
    shop.set_faults(["renamed-button"])
    try:
        started = time.perf_counter()
        message = _run(session, SHIPPED)
        assert time.perf_counter() - started < 25, "the look-around is bounded (about 3 s at most)"
        assert "step 7 `click role='button' name='Add to cart'`" in message and "Class:    element not found" in message
        block = _blocks(message)[0]
        assert block[0] == "Candidates: the page changed? closest to {role: button, name: Add to cart}:", message
        assert _proposed(block[1]) == "{role: button, name: Add to basket}", message
        assert 'button "Add to basket"' in block[1] and "(one word changed)" in block[1]
        # The proposed locator works: the shipped flow with it passes on the changed page.
        if not (tmp_path / "parts").exists():
            shutil.copytree(ROOT / "flows" / "parts", tmp_path / "parts")
        fixed = tmp_path / "add_to_cart.flow.yaml"
        fixed.write_text(SHIPPED.read_text(encoding="utf-8").replace(
            "{role: button, name: Add to cart}", _proposed(block[1])), encoding="utf-8")
        assert session.run(load_flow(fixed, root=tmp_path)).status == "passed"
    finally:
        shop.set_faults([])


def test_an_ambiguous_locator_lists_each_match_with_a_locator_that_picks_it(store: tuple[Session, Any],
                                                                            tmp_path: Path) -> None:
    session, _ = store
    steps = "  - click: {role: button, name: Update, soft: true}\n  - click: {role: button, name: Remove}"
    message = _run(session, _flow(tmp_path, "ambiguous", steps))
    removes, updates = _blocks(message)  # the hard failure's first, then the soft one's
    assert "2 elements match role='button' name='Update'" in message
    assert updates[0] == "Candidates: 2 elements match {role: button, name: Update}; each one alone:", message
    picks = [_proposed(line) for line in updates[1:]]
    assert picks == ["{role: button, name: Update, within: {role: row, has_text: Blue Mug}}",
                     "{role: button, name: Update, within: {role: row, has_text: Green Teapot}}"], message
    # Names that differ are used as they are.
    assert [_proposed(line) for line in removes[1:]] == ["{role: button, name: Remove Blue Mug}",
                                                         "{role: button, name: Remove Green Teapot}"], message
    # Each proposed locator finds its one element: clicking them updates the teapot and removes the mug.
    steps = "\n".join(["  - fill: {label: Quantity for Green Teapot, value: '3'}",
                       f"  - click: {picks[1]}",
                       "  - expect_text: Updated Green Teapot quantity to 3.",
                       f"  - click: {_proposed(removes[1])}",
                       "  - expect_text: Removed Blue Mug from your cart."])
    assert session.run(load_flow(_flow(tmp_path, "picked", steps), root=tmp_path)).status == "passed"


def test_a_genuinely_missing_element_says_so_in_one_line(store: tuple[Session, Any], tmp_path: Path) -> None:
    session, _ = store
    message = _run(session, _flow(tmp_path, "missing", "  - click: {role: button, name: Apply gift voucher, timeout: 1s}"))
    assert _blocks(message) == [["Candidates: nothing on the page is like {role: button, name: Apply gift voucher}: "
                     "the element is gone, not renamed"]], message


def test_inside_a_frame_the_frame_is_read_and_secrets_never_show(store: tuple[Session, Any], tmp_path: Path) -> None:
    session, _ = store
    steps = """  - goto: /checkout
  - use: {flow: %s/shipping_address.part.yaml}
  - fill: {label: Card number, value: "0", soft: true, timeout: 1s}
  - frame:
      title: Card payment
      steps:
        - fill: {label: Card number, value: "{{ secret.CARD_NUMBER }}"}
        - fill: {label: Expiry date (MM/YY), value: "12/30", soft: true, timeout: 1s}
        - fill: {placeholder: "4242 4242 4242 4241", value: "1", timeout: 1s}""" % "parts"
    message = _run(session, _flow(tmp_path, "frame", steps))
    placeholder, outside, expiry = _blocks(message)
    assert _proposed(expiry[1]) == "{label: Expiry (MM/YY)}", message  # read inside the card iframe
    # A step that forgot its frame: is told where the field is.
    assert outside[1].endswith("-> {label: Card number} inside frame: {title: Card payment}  (same, in an iframe)")
    # The card field's placeholder shows the card number itself: named, but masked.
    assert "-> {placeholder: ••••••}" in placeholder[1], message
    assert "4242 4242 4242 4242" not in message and "4242424242424242" not in message
