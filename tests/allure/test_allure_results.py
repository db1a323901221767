"""The Allure JSON of a real run: short class messages, one class per test, engine step times, no fixture rows."""
from __future__ import annotations

import json
import re
from typing import Any

from checkout_tester.report.allure_results import whole_ms
from tests.allure.conftest import AllureRun

SIGNUP = "Sign up a new shopper"
FAILED = f"{SIGNUP} [Janet.Doe@Example.com]"
EQUIVALENT = "Sign up with every spelling of the same email [email=capital-domain]"
STEP5 = "step 5 `click role='button' name='Create account'` failed at"


def _steps(result: dict[str, Any]) -> list[dict[str, Any]]:
    pending, steps = list(result.get("steps", [])), []
    while pending:
        step = pending.pop(0)
        steps.append(step)
        pending[:0] = step.get("steps", [])
    return steps


def test_plain_pytest_writes_results_and_says_so(allure_run: AllureRun) -> None:
    assert len(allure_run.tests()) == 3, allure_run.output
    last = json.loads((allure_run.folder / "reports" / "last-run.json").read_text())
    assert last["allure_results"] == str(allure_run.results)


def test_status_message_is_class_and_first_line_with_the_detail_in_the_trace(allure_run: AllureRun) -> None:
    tests = allure_run.tests()
    details = tests[FAILED]["statusDetails"]
    assert details["message"] == f"visible error message: {SIGNUP}: {STEP5} flows/signup.flow.yaml:17"
    assert "\n" not in details["message"] and "checkout_tester" not in details["message"]
    assert "Class:    visible error message" in details["trace"] and "unknown email format" in details["trace"]
    # Same flow, same step, same class: the same message, so Allure's Categories put them in one group.
    assert tests[f"{SIGNUP} [JANET.DOE@EXAMPLE.COM]"]["statusDetails"]["message"] == details["message"]
    assert tests[EQUIVALENT]["statusDetails"]["message"].startswith(f"valid input rejected: {EQUIVALENT.split(' [')[0]}")


def test_one_failure_class_per_test_at_every_level(allure_run: AllureRun) -> None:
    for name, result in allure_run.tests().items():
        if result["status"] == "passed":
            continue
        test_class = result["statusDetails"]["message"].split(":")[0]
        failed = [s for s in _steps(result) if s["status"] != "passed"]
        assert failed, name
        assert {s["statusDetails"]["message"].split(":")[0] for s in failed} == {test_class}, name
        assert failed[-1]["statusDetails"]["message"] == result["statusDetails"]["message"]
    assert allure_run.tests()[EQUIVALENT]["statusDetails"]["message"].startswith("valid input rejected: ")


def test_fixtures_are_not_listed_in_set_up_or_tear_down(allure_run: AllureRun) -> None:
    failed = allure_run.tests()[FAILED]["uuid"]
    containers = [json.loads(f.read_text()) for f in allure_run.results.glob("*-container.json")]
    around = [c for c in containers if failed in c.get("children", [])]
    assert around, "allure-pytest writes a container per fixture"
    rows = [f["name"] for c in around for f in c.get("befores", []) + c.get("afters", [])]
    assert rows == [], rows


def test_each_step_lasts_what_timings_json_reports(allure_run: AllureRun) -> None:
    timings = json.loads((allure_run.folder / "reports" / "timings.json").read_text())
    runs = {f"{r['name']} [{r['variant']}]": r for r in timings["runs"]}
    for name, result in allure_run.tests().items():
        measured = {f"step {s['index']} {s['title']}": s["ms"] for s in runs[name]["step_times"]}
        shown = {s["name"]: s["stop"] - s["start"] for s in _steps(result)}
        assert shown == {step: whole_ms(ms) for step, ms in measured.items()}, name
        summary = allure_run.attachment(result, "flow summary")
        assert summary["duration_ms"] == whole_ms(runs[name]["total_ms"]), name


def test_flow_summary_counts_every_step_that_ran(allure_run: AllureRun) -> None:
    tests = allure_run.tests()  # a 7-step flow that failed at step 5 ran 5 (it said 4: only passed ones counted)
    assert allure_run.attachment(tests[FAILED], "flow summary")["steps"] == 5  # failed at its 5th step


def test_no_unrounded_figure_anywhere_in_the_results(allure_run: AllureRun) -> None:
    long = re.compile(r"\d\.\d{5,}")
    noisy = [f"{f.name}: {m.group(0)}" for f in allure_run.results.iterdir() if f.suffix in (".json", ".txt")
             for m in [long.search(f.read_text(errors="replace"))] if m]
    assert noisy == [], noisy


def test_tags_become_behaviors_and_the_flow_its_suite(allure_run: AllureRun) -> None:
    labels = [(label["name"], label["value"]) for label in allure_run.tests()[FAILED]["labels"]]
    assert ("epic", "flows") in labels and ("story", SIGNUP) in labels
    assert {v for k, v in labels if k == "feature"} == {"signup", "smoke"}
    assert ("parentSuite", "flows") in labels and ("suite", SIGNUP) in labels


def test_executor_and_categories_are_written(allure_run: AllureRun) -> None:
    executor = json.loads((allure_run.results / "executor.json").read_text())
    assert executor["type"] == "github" and executor["buildOrder"] == 17
    assert executor["buildUrl"] == "https://github.example/acme/shop/actions/runs/4242"
    assert executor["buildName"] == "flows #17 (checkout)"
    names = [c["name"] for c in json.loads((allure_run.results / "categories.json").read_text())]
    assert "Visible error message" in names and "Valid input rejected" in names
