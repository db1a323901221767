"""Browser state a run starts from: the target's test-id attribute and a saved Playwright storage state."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.flow.model import Flow
from checkout_tester.target.config import Target


class StorageStateMissing(CheckoutTesterError):
    """The storage state a flow (or the target) starts from has not been saved yet."""


def apply_testid(playwright: Any, target: Target) -> None:
    """`testid:` locators read the target's attribute (Playwright's testIdAttribute, default data-testid)."""
    playwright.selectors.set_test_id_attribute(target.testid_attribute)


def state_path(target: Target, flow: Flow | None) -> str | None:
    """The storage state file a flow starts from: its own, none (`storage_state: false`), else the target's."""
    own = flow.storage_state if flow is not None else None
    if own is False:
        return None
    return own if isinstance(own, str) else target.storage_state


def marker_args(flow: Flow) -> dict[str, Any] | None:
    """pytest-playwright `browser_context_args` marker kwargs for a flow's own storage_state, if it has one."""
    if flow.storage_state is None:
        return None
    return {"storage_state": flow.storage_state if isinstance(flow.storage_state, str) else None}


def check_state(target: Target, flow: Flow | None) -> str | None:
    """The storage state file to start from, after checking it exists (a clear error if not)."""
    path = state_path(target, flow)
    if path is None or Path(path).is_file():
        return path
    if flow is not None and isinstance(flow.storage_state, str):
        where = f"storage_state of {flow.path}:{_line(flow)}"
    else:
        where = f"storage_state of target {target.source}"
    raise StorageStateMissing(
        f"storage state file '{path}' not found ({where}); run the flow that saves it first "
        f"(a step like `- save_storage_state: {path}`), or fix the path (relative to the working folder "
        f"{Path.cwd()})")


def _line(flow: Flow) -> int:
    return flow.source.line


def context_args(target: Target, flow: Flow | None) -> dict[str, Any]:
    """New-context options for this flow's storage state: {} or {'storage_state': path}."""
    path = check_state(target, flow)
    return {"storage_state": path} if path else {}
