"""The store under test: target config and its file, browser start state, preflight checks."""
