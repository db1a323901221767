"""The demo store faults the retry tests and benchmarks use: flaky:PATH:N, and slow:PATH/ for a whole subtree."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from checkout_tester.demostore import DemoStore
from checkout_tester.demostore.faults import FaultSet, parse_fault


def test_flaky_fails_the_first_n_requests_of_its_path_only() -> None:
    faults = FaultSet(["flaky:/products/blue-mug:2"])
    assert str(parse_fault("flaky:/products/blue-mug:2")) == "flaky:/products/blue-mug:2"
    assert [faults.fail_now("/products/blue-mug") for _ in range(3)] == [True, True, False]
    assert not faults.fail_now("/products/blue-mug/x") and not faults.fail_now("/cart")
    faults.set(["flaky:/cart:1"])  # set again: counted afresh
    assert [faults.fail_now("/cart") for _ in range(2)] == [True, False]


@pytest.mark.parametrize("bad", ["flaky:/cart", "flaky:cart:1", "flaky:/cart:x", "flaky:/cart:-1"])
def test_a_bad_flaky_fault_is_refused_with_the_valid_ones(bad: str) -> None:
    with pytest.raises(ValueError, match="Valid faults: .*flaky:PATH:N"):
        parse_fault(bad)


def test_slow_with_a_trailing_slash_delays_every_path_below_it() -> None:
    faults = FaultSet(["slow:/:300", "slow:/cart:50"])
    assert faults.delay_ms("/") == 300 and faults.delay_ms("/static/app.css") == 300
    assert faults.delay_ms("/cart") == 350  # both match
    assert FaultSet(["slow:/products/:10"]).delay_ms("/products") == 0  # the folder's own page is not below it


def test_the_store_answers_503_once_then_the_page() -> None:
    with DemoStore(port=0, faults=["flaky:/products/blue-mug:1"]) as store:
        with pytest.raises(urllib.error.HTTPError) as first:
            urllib.request.urlopen(f"{store.url}/products/blue-mug", timeout=30)
        assert first.value.code == 503
        with urllib.request.urlopen(f"{store.url}/products/blue-mug", timeout=30) as second:
            assert second.status == 200 and b"Blue Mug" in second.read()
