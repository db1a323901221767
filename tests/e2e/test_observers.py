"""An observer written outside the engine and registered with it sees every hook, in order, in a real run."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.errors import StepFailed
from checkout_tester.flow.loader import load_flow
from checkout_tester.run.observers import Observer, RunView
from checkout_tester.session import Session, demo_session
from checkout_tester.target.config_file import load_target

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SEARCH = """name: Find a mug
steps:
  - goto: /
  - fill: {label: Search, value: mug}
  - click: {role: button, name: Search}
  - expect_text: Blue Mug
"""


class Recorder(Observer):
    """Writes down each hook the engine calls, and what the run looked like then."""

    calls: list[str] = []

    def __init__(self, run: RunView) -> None:
        self.run = run

    def watch(self, page: Any) -> None:
        self.calls.append("watch")

    def flow_started(self, flow: Any) -> None:
        self.calls.append(f"flow_started {flow.name}")

    def step_opened(self, uid: str) -> None:
        self.calls.append("step_opened")

    def step_passed(self, ctx: Any, step: Any, uid: str) -> None:
        self.calls.append(f"step_passed {self.run.place()} {step.kind} url={ctx.page.url.split('/', 3)[-1]}")

    def step_stopped(self, ctx: Any, step: Any, uid: str) -> None:
        self.calls.append(f"step_stopped {step.kind}")

    def blame(self, ctx: Any, step: Any, uid: str, error: BaseException) -> BaseException:
        self.calls.append(f"blame {step.kind}")
        return error

    def steps_done(self, ctx: Any, last: Any) -> None:
        self.calls.append("steps_done")

    def flow_closed(self) -> None:
        self.calls.append(f"flow_closed findings={len(self.run.findings)}")


class NoMugs(Observer):
    """Judges a step as the detectors do: fails the step that led to search results."""

    def __init__(self, run: RunView) -> None:
        self.run = run

    def step_passed(self, ctx: Any, step: Any, uid: str) -> None:
        if "/search?q=" in ctx.page.url:
            raise StepFailed("searching is not allowed here", step)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Any]]:
    target = load_target(ROOT / "config/demo.yaml")
    with demo_session(target, artifacts=tmp_path_factory.mktemp("artifacts")) as pair:
        yield pair


def _flow(tmp_path: Path) -> Any:
    path = tmp_path / "search.flow.yaml"
    path.write_text(SEARCH, encoding="utf-8")
    return load_flow(path, root=tmp_path)


def test_a_registered_observer_sees_every_hook_in_order(store: tuple[Session, Any], tmp_path: Path) -> None:
    session, _ = store
    Recorder.calls = []
    session.observers[:] = [Recorder]  # as Session(..., observers=[Recorder]) registers it
    assert session.run(_flow(tmp_path)).status == "passed"
    assert Recorder.calls == [
        "watch", "flow_started Find a mug",
        "step_opened", "step_passed 1 goto url=",
        "step_opened", "step_passed 2 fill url=",
        "step_opened", "step_passed 3 click url=search?q=mug",
        "step_opened", "step_passed 4 expect_text url=search?q=mug",
        "steps_done", "flow_closed findings=0",
    ]


def test_an_observer_fails_a_step_and_is_told_of_failures(store: tuple[Session, Any], tmp_path: Path) -> None:
    session, _ = store
    Recorder.calls = []
    session.observers[:] = [NoMugs, Recorder]
    with pytest.raises(StepFailed) as failed:
        session.run(_flow(tmp_path))
    assert "searching is not allowed here" in str(failed.value)
    assert failed.value.step.kind == "click"
    # NoMugs failed the click before Recorder's step_passed ran; the flow ended there and was closed.
    assert [c for c in Recorder.calls if not c.startswith("step_opened")][-2:] == [
        "step_passed 2 fill url=", "flow_closed findings=0"]
