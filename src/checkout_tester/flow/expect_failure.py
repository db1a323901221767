"""The `expect_failure` key of a variant row, as the loader checks it: its keys and an example."""
from __future__ import annotations

EXAMPLE = ('e.g. variants: [{id: standard, user: standard_user}, {id: locked, user: locked_out_user, '
           'expect_failure: "this user has been locked out"}] or expect_failure: '
           '{message: locked out, class: visible error message}')
KEYS = ("message", "class")
