"""The dialogs, error_markup and broken_assets detector settings, and the `dialog` step's format (no browser)."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.detector_policy import DIALOG_DEFAULTS, DetectorSettings, check_override, schema
from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.flow.schema import flow_json_schema
from checkout_tester.target.config import Target


def test_defaults() -> None:
    settings = DetectorSettings()
    assert settings.error_markup.policy == "fail" and settings.broken_assets.policy == "warn"
    assert {t: settings.dialogs.policy_for(t) for t in DIALOG_DEFAULTS} == {
        "alert": "fail", "confirm": "fail", "prompt": "fail", "beforeunload": "warn"}


def test_dialog_policies_per_type_and_for_all() -> None:
    target = Target(detectors={"dialogs": {"beforeunload": "ignore", "allow": ["Coupon expired"]},
                               "broken_assets": "fail"})
    dialogs = target.detectors.dialogs
    assert dialogs.policy_for("beforeunload") == "ignore" and dialogs.policy_for("alert") == "fail"
    assert target.detectors.broken_assets.policy == "fail"
    flow = target.detectors.merged({"dialogs": {"confirm": "warn", "allow": ["Remove"]}})
    assert flow.dialogs.policy_for("confirm") == "warn" and flow.dialogs.policy_for("beforeunload") == "ignore"
    assert flow.dialogs.allow == ("Coupon expired", "Remove")
    everything = target.detectors.merged({"dialogs": "warn"})  # a flow's `policy` covers every type
    assert {everything.dialogs.policy_for(t) for t in DIALOG_DEFAULTS} == {"warn"}
    assert everything.dialogs.allow == ("Coupon expired",)
    assert DetectorSettings.parse({"dialogs": "ignore"}).dialogs.policy_for("alert") == "ignore"


@pytest.mark.parametrize(("raw", "message"), [
    ({"dialog": "warn"}, "unknown detector 'dialog'; the detectors are: console_errors, failed_requests, "
                         "http_errors, error_messages, error_markup, dialogs, broken_assets"),
    ({"dialogs": {"alerts": "warn"}}, "detectors.dialogs.alerts"),
    ({"dialogs": {"alert": "loud"}}, "detectors.dialogs.alert"),
    ({"broken_assets": {"allow": ["("]}}, "is not a regular expression"),
    ({"error_markup": {"confirm": "warn"}}, "detectors.error_markup.confirm"),  # only dialogs have types
])
def test_bad_settings(raw: object, message: str) -> None:
    assert message in check_override(raw)[0][1]


def test_flow_schema_takes_the_new_detectors() -> None:
    good = {"dialogs": {"alert": "warn", "allow": ["x"]}, "broken_assets": "ignore", "error_markup": {"policy": "warn"}}
    jsonschema.validate(good, schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"error_markup": {"alert": "warn"}}, schema())


def _flow(tmp_path: Path, steps: str) -> Path:
    clear_cache()
    path = tmp_path / "d.flow.yaml"
    path.write_text(f"name: d\nsteps:\n  - goto: /detect/coupon\n{steps}", encoding="utf-8")
    return path


def test_dialog_step_loads_with_its_open_step(tmp_path: Path) -> None:
    path = _flow(tmp_path, "  - dialog: {type: prompt, text: Gift card, answer: '1234', open: {click: Check}}\n")
    step = load_flow(path, root=tmp_path).steps[1]
    assert step.kind == "dialog" and step.args.answer == "1234" and step.args.accept is True
    assert step.title == "dialog prompt 'Gift card'" and step.trigger is not None
    assert step.trigger.kind == "click" and step.trigger.index == "2.0"
    jsonschema.validate(yaml.safe_load(path.read_text()), flow_json_schema())


@pytest.mark.parametrize(("step", "message"), [
    ("  - dialog: {accept: false, answer: x, open: {click: Check}}\n",
     "a prompt's answer is typed only when it is accepted"),
    ("  - dialog: {text: Remove?}\n", "open"),
    ("  - dialog: {type: popup, open: {click: Check}}\n", "type"),
    ("  - dialog: {open: {clik: Check}}\n", "unknown step 'clik'"),
])
def test_dialog_step_mistakes_name_their_line(tmp_path: Path, step: str, message: str) -> None:
    with pytest.raises(FlowError) as caught:
        load_flow(_flow(tmp_path, step), root=tmp_path)
    assert message in str(caught.value) and "d.flow.yaml:4" in str(caught.value), str(caught.value)
