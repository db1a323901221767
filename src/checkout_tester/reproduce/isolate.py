"""PLACEHOLDER, replaced by the rep-isolate helper's module at integration: the smallest failing input.

Only the signature is fixed here (the shared interface), so `reproduce --isolate` can be wired and type-checked.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checkout_tester.flow.model import Flow, Variant
    from checkout_tester.session import Session


def isolate_flow(session: Session, flow: Flow, variant: Variant, values: dict[str, Any], **options: Any) -> Any:
    """Placeholder: the real search (Isolation with runs, text, changes, as_json()) comes from rep-isolate."""
    raise NotImplementedError("input isolation is not part of this build yet (placeholder reproduce/isolate.py)")
