"""checkout-tester: shopper flows in YAML, run in Chromium, checked and reported. Public: `Session`."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`checkout_tester.Session`, imported on first use so that `import checkout_tester` stays light."""
    if name == "Session":
        from checkout_tester.session import Session
        return Session
    raise AttributeError(f"module 'checkout_tester' has no attribute {name!r}")
