"""Fixtures for the demo store tests: a fresh store per test and an HTTP client."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the helpers live beside this file; keep them importable under any pytest import mode
sys.path.insert(0, str(Path(__file__).parent))
from demostore_helpers import Client  # noqa: E402

from checkout_tester.demostore import DemoStore


@pytest.fixture
def store() -> Iterator[DemoStore]:
    """A running demo store with no faults."""
    with DemoStore() as running:
        yield running


@pytest.fixture
def client(store: DemoStore) -> Client:
    """A cookie-keeping HTTP client for STORE."""
    return Client(store.url)
