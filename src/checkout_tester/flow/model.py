"""Frozen, typed flow model; every piece carries the place in the YAML it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from pydantic import BaseModel

from checkout_tester.base.errors import Source as Source  # a place in the YAML; lives with the errors that name it
from checkout_tester.flow.step_arguments import MonitorSettings


@dataclass(frozen=True)
class Step:
    """One validated step: its YAML verb, typed arguments and nested steps."""

    kind: str
    args: BaseModel
    source: Source
    index: str  # "3" or "7.2" for a step nested in a frame/popup/sub-flow
    children: tuple[Step, ...] = ()
    trigger: Step | None = None  # for `popup`: the step that opens the window
    subflow: Flow | None = None  # for `use`

    @property
    def title(self) -> str:
        """Human one-liner, e.g. `click role=button name="Pay now"`."""
        describe = getattr(self.args, "describe", None)
        detail = describe() if callable(describe) else ""
        return f"{self.kind} {detail}".strip()


@dataclass(frozen=True)
class Variant:
    """One input row of a flow; `id` shows in the test name."""

    id: str
    values: Mapping[str, Any]
    # Generated equivalent inputs (equivalents.py): which input, how it was changed, refusal expected.
    input: str = ""
    transformation: str = ""
    expect_refused: bool = False
    rewrite: str = ""  # the transformation's id (capital-local): unique.py redoes it on a unique baseline
    baseline: str = ""  # the input before the transformation
    # `expect_failure` in a row (run/expected_failures.py; keys in flow/expect_failure.py): the text the failure shows, and/or its class.
    expect_failure: str = ""
    expect_class: str = ""


@dataclass(frozen=True)
class Flow:
    """A loaded shopper flow."""

    name: str
    path: str
    source: Source
    steps: tuple[Step, ...]
    description: str = ""
    tags: tuple[str, ...] = ()
    vars: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    budgets: Mapping[str, Any] = field(default_factory=dict)
    detectors: Mapping[str, Any] = field(default_factory=dict)  # this flow's detector policies (flow/detector_policy.py)
    unique: Mapping[str, str] = field(default_factory=dict)  # input -> kind (email, name), new every run (unique.py)
    storage_state: str | bool | None = None  # a saved Playwright storage state to start from; False: none
    effects: tuple[str, ...] | None = None  # what it does to the store (flow/effects.py); None: not declared
    finally_steps: tuple[Step, ...] = ()  # `finally:` run after the steps, passed or failed (run/finally_steps.py)
    monitor: MonitorSettings | None = None  # its own interval and recheck under `checkout-tester monitor`

    @property
    def variant_rows(self) -> tuple[Variant, ...]:
        """The variants, or one unnamed row when the flow has none."""
        return self.variants or (Variant(id="", values={}),)
