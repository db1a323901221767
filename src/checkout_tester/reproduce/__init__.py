"""Reproduce a reported failure: replay, evidence bundle, BUG.md, the smallest failing input."""
