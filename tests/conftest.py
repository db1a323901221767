"""Repo-local test settings: flow fixtures under tests/ are data for the tests, not tests themselves."""
import os

collect_ignore_glob = ["unit/bad_flows/*", "unit/good_flows/*", "*/fixtures/*"]

# The suite's own `checkout-tester run`s must not annotate or summarise the CI job running the suite
# (tests/console sets these variables for its own runs).
for _name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
    os.environ.pop(_name, None)
