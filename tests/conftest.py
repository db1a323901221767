"""Repo-local test settings: flow fixtures under tests/ are data for the tests, not tests themselves."""
collect_ignore_glob = ["unit/bad_flows/*", "unit/good_flows/*", "*/fixtures/*"]
