"""Step handlers, one small function per YAML verb, registered by name."""
from __future__ import annotations

from checkout_tester.steps.registry import HANDLERS, handler

# Importing the modules registers their handlers.
from checkout_tester.steps import actions, assertions, structure  # noqa: E402,F401
from checkout_tester.steps import accessibility, mail  # noqa: E402,F401

__all__ = ["HANDLERS", "handler"]
