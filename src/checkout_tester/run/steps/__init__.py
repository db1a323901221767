"""Step handlers, one small function per YAML verb, registered by name."""
from __future__ import annotations

# Importing the modules registers their handlers.
from checkout_tester.run.steps import actions, assertions, checks, dialog, storage, structure  # noqa: F401
from checkout_tester.run.steps.registry import HANDLERS, handler

__all__ = ["HANDLERS", "handler"]
