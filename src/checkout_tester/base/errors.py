"""One exception tree; every error that comes from a flow knows where in the YAML it came from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from checkout_tester.base import failure_classes


@dataclass(frozen=True)
class Source:
    """A place in a flow file (1-based line)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class _Step(Protocol):
    """What an error needs of a flow step: its verb and place (flow.model.Step is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def source(self) -> Source: ...


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


class StepFailed(AssertionError):
    """A flow step did not do what the shopper needed; AssertionError so reports say 'failed'."""

    def __init__(self, message: str, step: _Step, cause: BaseException | None = None, failure_class: str = "") -> None:
        # Every failure has one class (failure_classes.py), kept as data and stated in the message for Allure.
        self.failure_class = failure_classes.for_failure(step.kind, cause, message, failure_class)
        super().__init__(failure_classes.with_class_line(message, self.failure_class))
        self.step, self.cause = step, cause
