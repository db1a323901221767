"""Ranking the page's elements against a locator that found nothing, and picking each of several matches (pure)."""
from __future__ import annotations

import yaml

from checkout_tester.run.candidates import Match, Seen, pick_each, rank, similarity, yaml_locator

PRODUCT_PAGE = [
    Seen("a", role="link", name="Home", text="Home"),
    Seen("a", role="link", name="Cart (0)", text="Cart (0)"),
    Seen("a", role="link", name="Log in", text="Log in"),
    Seen("h1", role="heading", name="Blue Mug", text="Blue Mug"),
    Seen("input", role="spinbutton", name="Quantity", label="Quantity"),
    Seen("button", role="button", name="Add to basket", text="Add to basket"),
    Seen("a", role="link", name="Add to cart", text="Add to cart"),
]


def _locators(wanted: dict, seen: list[Seen] = PRODUCT_PAGE, **kw: str) -> list[str]:
    return [c.locator for c in rank(wanted, seen, **kw)]


def test_same_role_with_one_word_changed_comes_first_then_the_same_name_in_another_role() -> None:
    assert _locators({"role": "button", "name": "Add to cart"}) == [
        "{role: button, name: Add to basket}", "{role: link, name: Add to cart}"]
    first = rank({"role": "button", "name": "Add to cart"}, PRODUCT_PAGE)[0]
    assert first.why == "one word changed" and first.seen.words() == 'button "Add to basket"'


def test_a_button_that_lost_its_role_is_found_by_its_text() -> None:
    page = [Seen("div", text="Add to cart"), Seen("a", role="link", name="Cart (0)", text="Cart (0)")]
    assert _locators({"role": "button", "name": "Add to cart"}, page) == ["{text: Add to cart}"]


def test_case_typos_and_a_word_more_are_alike_and_unrelated_names_are_not() -> None:
    assert similarity("Log In", "Log in") == (0.97, "differs by case")
    assert similarity("Add to cart", "Add to cart")[0] == 1.0
    assert similarity("Add to crat", "Add to cart")[0] > 0.8
    assert similarity("Continue", "Continue to payment")[0] < similarity("Pay now", "Pay now securely")[0]
    assert similarity("Apply gift voucher", "Add to cart")[0] < 0.5
    assert similarity("Search", "Cart")[0] < 0.66  # one-word names need more than "a word changed"
    assert [similarity("Expiry date (MM/YY)", seen)[1] for seen in ("Expiry (MM/YY)", "Expiry MM-YY", "Expiry date MM YY now")] == [
        "a word left out", "a word left out", "a word added"]
    score, why = similarity("Expiry MM/YY", "Expiry (MM/YY)")
    assert score > 0.85 and why == "punctuation differs"


def test_a_genuinely_missing_element_has_no_candidates() -> None:
    assert rank({"role": "button", "name": "Apply gift voucher"}, PRODUCT_PAGE) == []
    assert rank({"css": "#add"}, PRODUCT_PAGE) == []  # no words to compare


def test_a_label_that_became_a_placeholder_or_changed_case() -> None:
    page = [Seen("input", role="textbox", name="E-mail address", placeholder="Email"),
            Seen("input", role="textbox", name="Full name", label="Full name"),
            Seen("label", text="Full name", label="")]
    assert _locators({"label": "Email"}, page)[0] == "{placeholder: Email}"
    assert _locators({"label": "full name", "exact": True}, page) == ["{label: Full name}"]  # not the <label> itself


def test_a_test_id_moved_to_another_attribute_or_renamed() -> None:
    page = [Seen("button", role="button", name="Add", testids={"data-test": "add-to-cart"}),
            Seen("span", text="3", testids={"data-testid": "cart-badge"})]
    moved = rank({"testid": "add-to-cart"}, page)[0]
    assert moved.locator == "{css: '[data-test=\"add-to-cart\"]'}"
    assert "set testid_attribute: data-test" in moved.why
    assert _locators({"testid": "cart-count-badge"}, page) == ["{testid: cart-badge}"]
    assert _locators({"testid": "add-to-cart"}, page, testid_attribute="data-test") == ["{testid: add-to-cart}"]


def test_candidates_are_one_per_element_best_first_and_bounded() -> None:
    page = [Seen("button", role="button", name=f"Add to cart {i}", text=f"Add to cart {i}") for i in range(30)]
    found = rank({"role": "button", "name": "Add to cart"}, page)
    assert len(found) == 8 and len({c.locator for c in found}) == 8
    assert [c.order for c in found] == sorted(c.order for c in found)  # equal scores keep page order


def test_each_of_several_matches_is_picked_by_its_name_text_box_or_position() -> None:
    rows = [Match("Update", "Update", {"role": "row"}, ("Blue Mug", "$12.00", "Update", "$12.00")),
            Match("Update", "Update", {"role": "row"}, ("Green Teapot", "$34.50", "Update", "$34.50"))]
    assert [yaml_locator(p) for p, _ in pick_each({"role": "button", "name": "Update"}, rows)] == [
        "{role: button, name: Update, within: {role: row, has_text: Blue Mug}}",
        "{role: button, name: Update, within: {role: row, has_text: Green Teapot}}"]
    named = [Match("Remove Blue Mug", "Remove"), Match("Remove Green Teapot", "Remove")]
    assert [p["name"] for p, _ in pick_each({"role": "button", "name": "Remove"}, named)] == [
        "Remove Blue Mug", "Remove Green Teapot"]
    texts = [Match("", "Blue Mug"), Match("", "Blue Mug Deluxe")]  # the first's text is inside the second's
    picks = [p for p, _ in pick_each({"css": "td a"}, texts)]
    assert picks == [{"css": "td a", "nth": 0}, {"css": "td a", "has_text": "Blue Mug Deluxe"}]


def test_locators_are_written_as_yaml_a_flow_can_take() -> None:
    spec = {"text": "Total: $58.50", "within": {"css": "#a b", "has_text": "x: y"}}
    assert yaml.safe_load(yaml_locator(spec)) == spec


def test_an_element_in_an_iframe_comes_after_the_same_on_the_page() -> None:
    page = [Seen("input", role="textbox", name="Card number", label="Card number", frame="Card payment"),
            Seen("input", role="textbox", name="Card number", label="Card number")]
    found = rank({"label": "Card number"}, page)
    assert [(c.locator, c.seen.frame) for c in found] == [("{label: Card number}", ""),
                                                          ("{label: Card number}", "Card payment")]
    assert found[1].why == "same, in an iframe"
