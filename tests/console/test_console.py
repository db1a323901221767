"""`checkout-tester run` as a user runs it: live lines, -q, -v with xdist, the repeat table, JUnit, GitHub output.

Three runs against the embedded demo store, started at once and shared by the assertions: one flow passes,
one variant passes and one fails (its message would hold the demo password), one passes over a warn budget.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("checkout-tester")
FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "correct-horse-42"  # config/demo.yaml's SHOP_PASSWORD
FAULT = "--store-fault=slow:/cart:1500"
LIVE = re.compile(r"^\[ *(\d+)/(\d+)\] (\S) (passed|degraded|failed|broken)\s+(\S+)\s+(\d+\.\d)s(?:\s+(.+))?$")
IDS = {"suite/a_home.flow.yaml::a_home": ("passed", None),
       "suite/b_search.flow.yaml::b_search[found]": ("passed", None),
       "suite/b_search.flow.yaml::b_search[secret]": ("failed", "expected content missing"),
       "suite/c_cart.flow.yaml::c_cart": ("degraded", "timing budget (warn)")}


@dataclass
class Run:
    folder: Path
    out: str
    code: int

    def live(self) -> list[re.Match[str]]:
        return [m for m in map(LIVE.match, self.out.splitlines()) if m]


def _start(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    shutil.copytree(ROOT / "config", folder / "config")
    shutil.copytree(FIXTURES, folder / "suite")
    return subprocess.Popen([str(CLI), "run", "suite", *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The three runs, in parallel (each waits mostly on its browser): default on GitHub, -q --repeat 2, -v -n 2."""
    base = tmp_path_factory.mktemp("console")
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(base / "step-summary.md"),
              "GITHUB_WORKSPACE": str(base)}  # the repository root: the project is its folder shop/
    started = {"default": (base / "shop", _start(base / "shop", FAULT, env=github)),
               "quiet": (base / "quiet", _start(base / "quiet", "-q", "--repeat", "2", "-k", "a_home or b_search")),
               "verbose": (base / "verbose", _start(base / "verbose", "-v", "-n", "2", FAULT))}
    done = {}
    for name, (folder, process) in started.items():
        out, _ = process.communicate(timeout=600)
        done[name] = Run(folder, out, process.returncode)
    return done


def test_one_live_line_per_variant_as_it_finishes_then_the_table(runs: dict[str, Run]) -> None:
    run = runs["default"]
    assert run.code == 1, run.out
    lines = run.live()
    assert [int(m.group(1)) for m in lines] == [1, 2, 3, 4] and {m.group(2) for m in lines} == {"4"}, run.out
    assert {m.group(5): (m.group(4), m.group(7)) for m in lines} == IDS
    # in the order they finished: JUnit writes a testcase as its test ends
    cases = ET.parse(run.folder / "reports/junit.xml").getroot().iter("testcase")
    assert [m.group(5) for m in lines] == [f"{c.get('classname', '').replace('.', '/', 1)}::{c.get('name')}"
                                           for c in cases]
    assert not re.search(r"^[.F]+\s*(\[100%\])?$", run.out, re.MULTILINE), "pytest's dots are gone"
    assert run.out.index("[4/4]") < run.out.index("checkout-tester summary") < run.out.index("3 passed, 1 failed")
    assert SECRET not in run.out


def test_quiet_shows_only_failures_and_counts_and_the_repeat_table_is_rich(runs: dict[str, Run]) -> None:
    run = runs["quiet"]
    lines = run.live()
    assert [(m.group(4), m.group(5)) for m in lines] == [
        ("failed", "suite/b_search.flow.yaml::b_search[secret-1of2]"),
        ("failed", "suite/b_search.flow.yaml::b_search[secret-2of2]")], run.out
    assert "checkout-tester summary" not in run.out and "4 passed, 2 failed" in run.out
    assert "Reproduce:" in run.out  # the failures themselves are shown
    section = run.out[run.out.index("checkout-tester timings (ms)"):]
    assert re.search(r"^ms\s+┃ n ┃\s+min ┃ median ┃\s+p95 ┃\s+max$", section, re.MULTILINE), section
    assert re.search(r"^step 1 goto /\s+│ 2 │", section, re.MULTILINE), section
    assert "suite/a_home.flow.yaml  (2 runs, 2 passed, 0 degraded)" in section


def test_verbose_under_xdist_shows_each_step_with_its_time(runs: dict[str, Run]) -> None:
    run = runs["verbose"]
    assert "created: 2/2 workers" in run.out, run.out
    lines = run.live()
    assert {m.group(5): (m.group(4), m.group(7)) for m in lines} == IDS  # the class crossed from the worker
    assert not re.search(r"^\[gw\d+\] linux", run.out, re.MULTILINE)  # xdist's header is not part of the message
    failed = run.out[run.out.index("b_search[secret]  "):].splitlines()
    assert re.match(r"^ +✓ 1 goto /  \d+ ms  suite/b_search.flow.yaml:7$", failed[1]), failed[:4]
    assert re.match(r"^ +✘ 3 expect_text '•••••• is not here'  \d+ ms  suite/b_search.flow.yaml:9$", failed[3])
    case = _case(run.folder, "b_search[secret]")
    assert _props(case)["failed_step"] == "suite/b_search.flow.yaml:9"


def _case(folder: Path, name: str) -> ET.Element:
    return next(c for c in ET.parse(folder / "reports/junit.xml").getroot().iter("testcase") if c.get("name") == name)


def _props(case: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in case.iter("property")}


def test_junit_has_file_line_class_and_degraded_and_no_json(runs: dict[str, Run]) -> None:
    path = runs["default"].folder / "reports/junit.xml"
    text = path.read_text()
    assert len(text) < 8000 and SECRET not in text and "checkout_timings" not in text
    cases = {c.get("name"): c for c in ET.parse(path).getroot().iter("testcase")}
    assert {n: (c.get("file"), c.get("line")) for n, c in cases.items()} == {
        "a_home": ("suite/a_home.flow.yaml", "1"), "b_search[found]": ("suite/b_search.flow.yaml", "1"),
        "b_search[secret]": ("suite/b_search.flow.yaml", "1"), "c_cart": ("suite/c_cart.flow.yaml", "1")}
    failed = _props(cases["b_search[secret]"])
    assert failed["failure_class"] == "expected content missing" and failed["failed_step"] == "suite/b_search.flow.yaml:9"
    degraded = _props(cases["c_cart"])
    assert degraded["degraded"] == "true" and "Limit: 500 ms" in degraded["budget_warnings"]
    assert _props(cases["a_home"]) == {}
    assert not any(v.lstrip().startswith(("{", "[")) for c in cases.values() for v in _props(c).values())


def test_github_annotations_point_at_the_failing_step(runs: dict[str, Run]) -> None:
    out = runs["default"].out
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    warnings = [line for line in out.splitlines() if line.startswith("::warning ")]
    assert len(errors) == 1 and len(warnings) == 1, out
    head, _, message = errors[0][len("::error "):].partition("::")
    assert head == ("file=shop/suite/b_search.flow.yaml,line=9,"
                    "title=suite/b_search.flow.yaml%3A%3Ab_search[secret]%3A expected content missing")
    assert message.startswith("Search the shop: step 3 ") and "%0A  Class:    expected content missing%0A" in message
    assert "\n" not in message and "••••••" in message and SECRET not in message
    assert warnings[0].startswith("::warning file=shop/suite/c_cart.flow.yaml,line=4,title=")


def test_github_job_summary_lists_results_and_slowest_pages(runs: dict[str, Run]) -> None:
    text = (runs["default"].folder.parent / "step-summary.md").read_text()
    assert text.startswith("## checkout-tester: 3 passed, 1 failed (1 degraded)\n") and SECRET not in text
    tables = [[[cell.strip() for cell in row.strip("|").split(" | ")] for row in block.splitlines()[2:]]
              for block in re.findall(r"(?m)^\|.*(?:\n\|.*)*", text)]
    results, pages = tables
    assert {row[0].strip("`"): row[1].split(" ", 1)[1] for row in results} == {k: v[0] for k, v in IDS.items()}
    assert [row[4] for row in results if "secret" in row[0]] == ["`suite/b_search.flow.yaml:9`"]
    loads = [float(row[3]) for row in pages]
    assert loads == sorted(loads, reverse=True)
    cart = next(row for row in pages if row[0] == "`/cart`")
    assert cart[1] == "`suite/c_cart.flow.yaml`" and float(cart[3]) >= 1500
    assert "<details><summary>suite/b_search.flow.yaml::b_search[secret]: expected content missing</summary>" in text
