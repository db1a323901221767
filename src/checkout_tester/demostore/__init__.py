"""The demo store: a small real web shop (plus a WalletPay gateway) used as the default test target."""
from __future__ import annotations

from checkout_tester.demostore.faults import FAULTS
from checkout_tester.demostore.server import DemoStore

__all__ = ["DemoStore", "FAULTS"]
