"""`checkout-tester reproduce` as a developer runs it: real Chromium against the demo store, the evidence bundle read
back (trace groups, HAR, screenshots, BUG.md, bundle.json, zip), from a JUnit `Reproduce:` line and a monitor run id."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from checkout_tester.base.redaction import MASK, Redactor
from checkout_tester.cli.main import main
from checkout_tester.flow.loader import load_flow
from checkout_tester.flow.variables import FakeData, Scope
from checkout_tester.monitor.history import History
from checkout_tester.monitor.record import RecordBuilder
from checkout_tester.monitor.runner import reproduce_command
from checkout_tester.reproduce.plain_steps import plain_steps
from checkout_tester.session import demo_session
from checkout_tester.target.config_file import load_target
from tests.output.helpers import CLI, WAIT_S, env_without_display, junit, project

pytestmark = pytest.mark.e2e
VARIANT = "flows/signup.flow.yaml::signup[Janet.Doe@Example.com]"
SECRET = "correct-horse-42"  # the demo target's SHOP_PASSWORD, typed twice by the signup flow
SIGNUP_GROUPS = ["1 goto /signup", "2 fill label='Email'", "3 fill label='Password'",
                 "4 fill label='Confirm password'", "5 click role='button' name='Create account'"]


def _reproduce(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], Path]:
    done = subprocess.run([str(CLI), "reproduce", *args], cwd=cwd, capture_output=True, text=True, timeout=WAIT_S,
                          env=env)
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    found = re.search(r"^Bundle: (.+)$", done.stdout, re.M)
    assert found, out
    return done, cwd / found.group(1)


def _trace_groups(trace: Path) -> tuple[list[str], dict[str, int]]:
    """The trace's group titles in order, and how many browser actions each group holds."""
    with zipfile.ZipFile(trace) as archive:
        events = [json.loads(line) for line in archive.read("trace.trace").decode().splitlines() if line.strip()]
    before = [e for e in events if e.get("type") == "before"]
    groups = {e["callId"]: e["title"] for e in before if e.get("method") == "tracingGroup"}
    held = {title: sum(e.get("parentId") == call for e in before) for call, title in groups.items()}
    return list(groups.values()), held


def _no_secret_in(folder: Path) -> None:
    """The typed password is in no file of the bundle, archives opened."""
    for path in folder.rglob("*"):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    assert SECRET.encode() not in archive.read(name), f"{path}:{name}"
        elif path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_reproduce_line_from_junit_replays_the_failure_into_a_full_bundle(tmp_path: Path) -> None:
    cwd = project(tmp_path)
    first = subprocess.run([str(CLI), "run", VARIANT, "--target", "config/demo.yaml", "--store-fault=uppercase-email"],
                           cwd=cwd, capture_output=True, text=True, timeout=WAIT_S)
    assert first.returncode == 1, first.stdout + first.stderr
    (failed,) = junit(cwd).values()
    line = next(line.split("Reproduce:", 1)[1].strip() for line in failed.message.splitlines() if "Reproduce:" in line)
    words = shlex.split(line)
    assert words[1] == "run" and words[2] == VARIANT, line
    done, folder = _reproduce(cwd, *words[2:], "--zip")  # the JUnit line with `reproduce` for `run`
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Reproduced: visible error message at step 5" in done.stdout, out
    # The trace shows the flow's own steps as groups, each holding the browser actions it did.
    titles, held = _trace_groups(folder / "trace.zip")
    assert titles == SIGNUP_GROUPS, titles
    assert all(count >= 1 for count in held.values()), held
    har = json.loads((folder / "network.har").read_text())
    assert any(entry["request"]["url"].endswith("/signup") for entry in har["log"]["entries"])
    shots = sorted(p.name for p in (folder / "screenshots").glob("*.png"))
    assert [name.split("-step-")[1] for name in shots] == ["1-goto.png", "2-fill.png", "3-fill.png", "4-fill.png",
                                                            "5-click.png"], shots
    assert (folder / "video.webm").stat().st_size > 0
    assert {"console.log", "detections.json", "timings.json", "BUG.md", "bundle.json"} <= {p.name for p in folder.iterdir()}
    bug = (folder / "BUG.md").read_text()
    assert bug.startswith("# Sign up a new shopper [Janet.Doe@Example.com]: visible error message: step 5"), bug[:200]
    steps = ["1. Open /signup.", "into Email.", f"3. Type {MASK} into Password.", "5. Click the button Create account.",
             "6. Check that the address is /account.", "7. Check that the page shows Welcome."]
    assert all(step in bug for step in steps), bug
    assert re.search(r"2\. Type Janet\.Doe\.\w+@Example\.com into Email\.", bug), bug
    for shown in ("chromium 1", "uppercase-email", "config/demo.yaml", "http://127.0.0.1:", "unknown email format",
                  "(screenshots/05-step-5-click.png)", f"reproduce '{VARIANT}'", "| 5 | `click role='button'"):
        assert shown in bug, shown
    bundle = json.loads((folder / "bundle.json").read_text())
    assert bundle["reproduced"] is True and bundle["failure_class"] == "visible error message"
    assert bundle["variant"] == "Janet.Doe@Example.com" and bundle["environment"]["store_faults"] == "uppercase-email"
    assert [s["text"] for s in bundle["steps"]][0] == "Open /signup." and len(bundle["screenshots"]) == 5
    packed = folder.with_name(folder.name + ".zip")
    with zipfile.ZipFile(packed) as archive:
        assert f"{folder.name}/BUG.md" in archive.namelist() and f"{folder.name}/trace.zip" in archive.namelist()
    _no_secret_in(folder)
    _no_secret_in(packed.parent)


def test_a_monitor_run_id_replays_that_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cwd = project(tmp_path)
    faulty = yaml.safe_load((cwd / "config" / "demo.yaml").read_text())
    faulty["demo_store"]["faults"] = ["uppercase-email"]  # the monitored store has Janet's bug
    (cwd / "config" / "faulty.yaml").write_text(yaml.safe_dump(faulty), encoding="utf-8")
    monkeypatch.chdir(cwd)
    target = load_target("config/faulty.yaml")
    flow = load_flow("flows/signup.flow.yaml")
    variant = next(row for row in flow.variant_rows if row.id == "Janet.Doe@Example.com")
    builder = RecordBuilder("test-lab", target.name, Redactor())
    with demo_session(target, listeners=[builder], artifacts=tmp_path / "artifacts") as (session, _store):
        with pytest.raises(AssertionError):
            session.run(flow, variant)
    record = builder.record
    assert record is not None and record.outcome == "failed"
    record.reproduce = reproduce_command(flow, variant, "config/faulty.yaml")  # as the monitor stores it
    history = History("sqlite:///reports/history.db")
    history.add(record)
    history.close()
    code = main(["reproduce", record.run_id[:12]])  # in this process: the other tests run the command line
    out = capsys.readouterr().out
    assert code == 1, out
    folder = cwd / re.search(r"^Bundle: (.+)$", out, re.M).group(1)  # type: ignore[union-attr]
    bundle = json.loads((folder / "bundle.json").read_text())
    assert bundle["requested"].startswith(f"monitor run {record.run_id} (failed at ")
    assert bundle["flow"] == "flows/signup.flow.yaml" and bundle["variant"] == "Janet.Doe@Example.com"
    assert bundle["environment"]["target_config"] == "config/faulty.yaml"
    assert bundle["failure_class"] == record.failure_class
    assert f"reproduce '{VARIANT}' --target=config/faulty.yaml" in bundle["replay"]


def test_a_passing_reproduction_says_it_could_not_reproduce_headed_without_a_display(tmp_path: Path) -> None:
    cwd = project(tmp_path)
    done, folder = _reproduce(cwd, "flows/signup.flow.yaml", "--variant", "janet.doe@example.com",
                              "--set", "shop_name=Demo Store", "--headed", env=env_without_display())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Could not reproduce: the flow passed" in done.stdout
    bug = (folder / "BUG.md").read_text()
    assert "could not reproduce" in bug.splitlines()[0] and "**Could not reproduce**" in bug
    assert "- `shop_name`: `Demo Store`" in bug
    bundle = json.loads((folder / "bundle.json").read_text())
    assert bundle["reproduced"] is False
    assert re.search(r"^chromium [\d.]+ \(headed on Xvfb :\d+ \(started for this run\)\)$",
                     bundle["environment"]["browser"]), bundle["environment"]
    titles, _ = _trace_groups(folder / "trace.zip")
    assert titles[-2:] == ["6 expect_url /account", "7 expect_text 'Welcome'"], titles


def test_mistakes_stop_before_any_browser_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project(tmp_path))
    code = main(["reproduce", "flows/signup.flow.yaml::signup[janet@nowhere]", "--store-fault", "bogus",
                 "--var", "novalue", "--set", "emial=janet@example.com", "--slowmo", "-5"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.splitlines()
    assert any(line.startswith("ERROR: FLOW 'janet@nowhere': flows/signup.flow.yaml has no such variant; its "
                               "variants: janet.doe@example.com") for line in lines), err
    assert any(line.startswith("ERROR: --store-fault bogus: unknown fault; the faults are:") for line in lines), err
    assert "ERROR: --set novalue: an input needs a value" in err and "ERROR: --slowmo -5:" in err
    assert "note: --set emial: flows/signup.flow.yaml and its sub-flows never use emial; it changes nothing" in err
    assert main(["reproduce", "flows/signup.flow.yaml"]) == 2
    assert "the flow has 3 variants; pick one with --variant ID" in capsys.readouterr().err
    assert main(["reproduce", "0123456789abcdef"]) == 2
    assert "no history at reports/history.db" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()  # no bundle folder, no history database made


def test_steps_in_plain_language_expand_sub_flows_and_mask_secrets() -> None:
    from tests.e2e.runner import ROOT

    flow = load_flow(ROOT / "flows" / "checkout_card.flow.yaml")
    target = load_target(ROOT / "config" / "demo.yaml")
    redactor = Redactor()
    scope = Scope({"email": "janet@example.com"}, target.secret, target.vars, redactor, FakeData())
    steps = {step.place: step.text for step in plain_steps(flow, scope)}
    assert steps["1"] == "Do the steps of parts/add_to_cart.part.yaml with product blue-mug, product_name Blue Mug, quantity 2:"
    assert steps["1.1"] == "Open /products/blue-mug." and steps["2.4"] == "Check that the page shows Added Green Teapot to your cart."
    assert steps["8.2"] == "Type janet@example.com into Email."
    assert steps["9"] == "Inside the frame the element titled Card payment:"
    assert steps["9.1"] == f"Type {MASK} into Card number."
    assert steps["11"] == "Note the text of the element with test id order-number as order_number."
    assert steps["14"] == ("Check that an email to janet@example.com arrives with the subject Your Demo Store order "
                           "mentioning {{ order_number }}.")  # saved by step 11: not known before a run


def test_isolate_names_the_smallest_change_in_bug_md_and_bundle_json(tmp_path: Path) -> None:
    cwd = project(tmp_path)
    done, bundle = _reproduce(cwd, "flows/signup.flow.yaml", "--variant", "Janet.Doe@Example.com",
                              "--target", "config/demo.yaml", "--store-fault", "uppercase-email", "--isolate")
    assert done.returncode == 1, done.stdout + done.stderr  # reproduced
    assert re.search(r"^Isolation took \d+ run\(s\)\.$", done.stdout, re.M), done.stdout
    isolation = json.loads((bundle / "bundle.json").read_text(encoding="utf-8"))["isolation"]
    assert isolation["verdict"] == "isolated" and isolation["runs"] <= 6, isolation
    assert [c["kind"] for c in isolation["changes"]] == ["lower-case"], isolation["changes"]
    bug = (bundle / "BUG.md").read_text(encoding="utf-8")
    assert "the capital letters in `Janet.Doe@Example.com` are lowered" in bug, bug
    _no_secret_in(bundle)
