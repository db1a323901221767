"""The pytest plugin seen from outside: collection, names, markers, locations, failure text."""
from __future__ import annotations

import socket

import pytest

pytest_plugins = ["pytester"]

FLOW = """\
name: Search the catalog
tags: [smoke, search]
variants:
  term: [mug, teapot]
steps:
  - goto: /
  - fill: {label: Search, value: "{{ term }}"}
  - click: {role: button, name: Search}
  - expect_text: Nothing like this
"""

PASSING = """\
name: Home page
tags: [smoke]
steps:
  - goto: /
  - expect_text: Demo Store
"""


def test_each_variant_is_one_item_named_after_its_row(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", search=FLOW)
    result = pytester.runpytest_subprocess("--collect-only", "-q")
    result.stdout.fnmatch_lines(["search.flow.yaml::search[[]mug[]]", "search.flow.yaml::search[[]teapot[]]"])


def test_tags_become_markers(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", search=FLOW, home=PASSING.replace("[smoke]", "[checkout]"))
    result = pytester.runpytest_subprocess("--collect-only", "-q", "-m", "search")
    result.stdout.fnmatch_lines(["*2/3 tests collected (1 deselected)*"])


def test_part_files_are_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makefile(".part.yaml", login=PASSING)
    pytester.makefile(".flow.yaml", home=PASSING)
    result = pytester.runpytest_subprocess("--collect-only", "-q")
    result.stdout.fnmatch_lines(["home.flow.yaml::home", "1 test collected*"])


def test_a_yaml_mistake_is_a_clean_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", broken="name: x\nsteps:\n  - clik: Pay now\n")
    result = pytester.runpytest_subprocess("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*unknown step 'clik'*broken.flow.yaml:3*", "*did you mean 'click'*"])
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.e2e
def test_failure_names_line_step_expectation_page_and_reproduce(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", search=FLOW)
    result = pytester.runpytest_subprocess("-k", "teapot", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines([
        "*step 4 `expect_text 'Nothing like this'` failed at search.flow.yaml:9*",
        "*Expected: text 'Nothing like this' on the page*",
        "*Page:*URL http://127.0.0.1:*/search?q=teapot*",
        "*Reproduce: *python* -m pytest 'search.flow.yaml::search[[]teapot[]]'*",  # as it was started
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.e2e
def test_passing_flow_with_playwright_options(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", home=PASSING)
    result = pytester.runpytest_subprocess("--tracing", "retain-on-failure", "--screenshot", "only-on-failure",
                                           "--slowmo", "10")
    result.assert_outcomes(passed=1)


@pytest.mark.e2e
def test_xdist_runs_flows_in_two_workers(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", home=PASSING, search=FLOW.replace("Nothing like this", "Search"))
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=3)


def test_unreachable_store_is_reported_before_any_browser_starts(pytester: pytest.Pytester) -> None:
    pytester.makefile(".flow.yaml", home=PASSING)
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = pytester.runpytest_subprocess("--base-url", f"http://127.0.0.1:{port}")
    assert result.ret == 2
    result.assert_outcomes()
    result.stderr.fnmatch_lines([f"ERROR: store unreachable: http://127.0.0.1:{port} did not answer "
                                 "(*Connection refused*); start the store or fix --base-url"])
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.e2e
def test_headed_starts_a_virtual_display_when_there_is_no_screen(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    pytester.makefile(".flow.yaml", home=PASSING)
    result = pytester.runpytest_subprocess("--headed")
    result.assert_outcomes(passed=1)
