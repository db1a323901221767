"""One exception tree; every error that comes from a flow knows where in the YAML it came from."""
from __future__ import annotations

from checkout_tester.flow.model import Source


class CheckoutTesterError(Exception):
    """Base of every error the tool raises on purpose."""


class FlowError(CheckoutTesterError):
    """A mistake in a flow file, found while loading it (no browser needed)."""

    def __init__(self, message: str, source: Source | None = None, step: str | None = None,
                 hint: str | None = None) -> None:
        self.message, self.source, self.step, self.hint = message, source, step, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" at {self.source}" if self.source else ""
        step = f" (step {self.step})" if self.step else ""
        hint = f"\n  hint: {self.hint}" if self.hint else ""
        return f"{self.message}{where}{step}{hint}"


class ConfigError(CheckoutTesterError):
    """Mistakes in a target config file (or the options of a run): one line each, naming file:line and a fix."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))


class StoreUnreachable(CheckoutTesterError):
    """The target store did not answer: the store is down, not the shopper's path."""
