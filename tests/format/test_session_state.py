"""Outside pytest (Session): the target's testid_attribute and storage_state apply, in real Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import StepFailed
from checkout_tester.demostore import DemoStore
from checkout_tester.flow.loader import load_flow
from checkout_tester.session import Session
from checkout_tester.target.config import Target, Timeouts

pytestmark = pytest.mark.e2e

LOGIN = """\
name: Log in and keep the state
steps:
  - goto: /format/login
  - fill: {{testid: username, value: standard_user}}
  - fill: {{testid: password, value: secret_sauce}}
  - click: {{testid: login-button, timeout: 3s}}
  - expect_text: {{text: Products, within: {{testid: title}}, exact: true}}
  - save_storage_state: {state}
"""
LOGGED_IN = """\
name: Already logged in
steps:
  - goto: /format/inventory
  - expect_text: {text: Signed in as standard_user, within: {testid: signed-in}, exact: true}
"""


def _flow(folder: Path, name: str, text: str) -> object:
    path = folder / f"{name}.flow.yaml"
    path.write_text(text, encoding="utf-8")
    return load_flow(path, root=folder)


def test_session_uses_the_targets_testid_attribute_and_storage_state(tmp_path: Path) -> None:
    fast = Timeouts(step="5s", navigation="10s", expect="4s")
    state = tmp_path / "state" / "standard_user.json"
    artifacts = tmp_path / "artifacts"
    with DemoStore(port=0) as store:  # one store (its session secret) for every Session below, one at a time
        with Session(Target(name="swag", testid_attribute="data-test", timeouts=fast), store.url,
                     artifacts=artifacts) as session:
            assert session.run(_flow(tmp_path, "login", LOGIN.format(state=state))).status == "passed"
        assert state.is_file()
        reusing = Target(name="swag-state", testid_attribute="data-test", timeouts=fast, storage_state=str(state))
        with Session(reusing, store.url, artifacts=artifacts) as session:
            assert session.run(_flow(tmp_path, "logged_in", LOGGED_IN)).status == "passed"
        with Session(Target(name="plain", timeouts=fast), store.url, artifacts=artifacts) as session:
            with pytest.raises(StepFailed) as caught:  # data-testid (the default) is not on these pages
                session.run(_flow(tmp_path, "login_default", LOGIN.format(state=tmp_path / "unused.json")))
            assert "Class:    element not found" in str(caught.value), caught.value
            with pytest.raises(StepFailed):  # without the saved state the shopper is sent to the login page
                session.run(_flow(tmp_path, "not_logged_in", LOGGED_IN))
