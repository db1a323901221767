"""Fault switches that make the demo store misbehave on purpose."""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

# name -> one-line description; shown in --help and in error messages.
FAULTS: dict[str, str] = {
    "uppercase-email": "signup rejects emails containing a capital letter ('unknown email format'), in JS and on the server",
    "slow:PATH:MS": "requests whose path equals PATH answer MS milliseconds late (e.g. slow:/cart:800); a PATH "
                    "ending in / slows every path under it (slow:/:300: every request, as a remote store)",
    "wallet-down": "the WalletPay gateway answers 503 on /authorize and on its API",
    "support-500": "POST /support answers HTTP 500 'Something went wrong' (no ticket, no mail)",
    "checkout-js-error": "the payment page script throws a TypeError before wiring the card and wallet handlers",
    "cart-drops-items": "checkout drops the last-added cart line (2+ lines) or one unit of the only line (quantity > 1)",
    "jitter:MS": "every response (shop and gateway) is delayed by a random 0..MS milliseconds",
    "no-order-email": "orders are placed but no confirmation email is sent",
    "unlabelled-field": "the checkout form's Postal code field loses its <label> (an accessibility violation)",
    "cart-confirm-remove": "the cart's Remove buttons ask confirm('Remove NAME from your cart?') and remove only if accepted",
    "renamed-button": "the product page's 'Add to cart' button reads 'Add to basket' (a store that changed its page)",
}

SIMPLE_FAULTS = frozenset({"uppercase-email", "wallet-down", "support-500", "checkout-js-error", "cart-drops-items",
                           "no-order-email", "unlabelled-field", "cart-confirm-remove",
                           "renamed-button"})
MAX_DELAY_MS = 120_000


@dataclass(frozen=True)
class Fault:
    """One parsed fault switch."""

    kind: str
    path: str = ""
    ms: int = 0

    def __str__(self) -> str:
        if self.kind == "slow":
            return f"slow:{self.path}:{self.ms}"
        if self.kind == "jitter":
            return f"jitter:{self.ms}"
        return self.kind


def valid_faults_text() -> str:
    """Return the list of valid fault names for error messages."""
    return ", ".join(FAULTS)


def _invalid(spec: object, reason: str) -> ValueError:
    """A ValueError naming the bad fault, why, and every valid fault."""
    return ValueError(f"Invalid fault {spec!r}: {reason}. Valid faults: {valid_faults_text()}")


def _parse_ms(text: str, spec: str) -> int:
    """Parse a millisecond count or raise ValueError naming the spec."""
    try:
        ms = int(text)
    except ValueError:
        raise _invalid(spec, "MS must be a whole number of milliseconds") from None
    if not 0 <= ms <= MAX_DELAY_MS:
        raise _invalid(spec, f"MS must be between 0 and {MAX_DELAY_MS}")
    return ms


def parse_fault(spec: str) -> Fault:
    """Parse one fault string like 'wallet-down' or 'slow:/cart:800'."""
    if not isinstance(spec, str):
        raise _invalid(spec, "a fault must be a string")
    text = spec.strip()
    if text in SIMPLE_FAULTS:
        return Fault(text)
    if text.startswith("slow:"):
        # rsplit so the path itself may contain ':'
        path, sep, ms = text[len("slow:"):].rpartition(":")
        if not sep or not path.startswith("/"):
            raise _invalid(spec, "expected slow:PATH:MS with PATH starting with '/'")
        return Fault("slow", path=path, ms=_parse_ms(ms, spec))
    if text.startswith("jitter:"):
        return Fault("jitter", ms=_parse_ms(text[len("jitter:"):], spec))
    raise _invalid(spec, "unknown fault")


def parse_faults(specs: list[str] | tuple[str, ...] | None) -> list[Fault]:
    """Parse a list of fault strings; raises ValueError on the first bad one."""
    if specs is None:
        return []
    if isinstance(specs, str):
        raise ValueError(f"faults must be a list of fault names, not a string. Valid faults: {valid_faults_text()}")
    return [parse_fault(spec) for spec in specs]


def _under(path: str, slow: str) -> bool:
    """Whether a slow fault's PATH covers this request path: equal, or a folder (ending in /) holding it."""
    return path == slow or (slow.endswith("/") and path.startswith(slow))


class FaultSet:
    """Thread-safe set of active faults shared by the shop and the wallet gateway."""

    def __init__(self, specs: list[str] | tuple[str, ...] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = parse_faults(specs)
        self._random = random.Random()

    def set(self, specs: list[str] | tuple[str, ...] | None) -> None:
        """Replace the active faults (validated before anything changes)."""
        parsed = parse_faults(specs)
        with self._lock:
            self._faults = parsed

    @property
    def names(self) -> list[str]:
        """Active faults in canonical string form."""
        with self._lock:
            return [str(f) for f in self._faults]

    def active(self, kind: str) -> bool:
        """Whether a simple fault (e.g. 'wallet-down') is on."""
        with self._lock:
            return any(f.kind == kind for f in self._faults)

    def delay_ms(self, path: str) -> int:
        """Milliseconds to hold a request for PATH: matching slow faults plus random jitter."""
        with self._lock:
            faults = list(self._faults)
        total = sum(f.ms for f in faults if f.kind == "slow" and _under(path, f.path))
        for fault in faults:
            if fault.kind == "jitter" and fault.ms > 0:
                total += self._random.randint(0, fault.ms)
        return total

    def apply_delay(self, path: str) -> int:
        """Hold the current request thread for the configured delay; return it in ms."""
        ms = self.delay_ms(path)
        if ms > 0:
            time.sleep(ms / 1000)  # sleep-ok: fault injection
        return ms
