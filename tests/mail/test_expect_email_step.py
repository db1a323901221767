"""The expect_email verb in flow files: arguments checked at load time, saved values usable later."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.loader import clear_cache, load_flow, saved_names, validate_paths
from checkout_tester.flow.step_arguments import EmailArgs


def _flow(tmp_path: Path, steps: str, name: str = "mail.flow.yaml") -> Path:
    clear_cache()
    path = tmp_path / name
    path.write_text(f"name: Mail\nparams: {{email: a@example.com}}\nsteps:\n{steps}", encoding="utf-8")
    return path


def test_saved_code_is_a_variable_for_later_steps(tmp_path: Path) -> None:
    flow = load_flow(_flow(tmp_path, '''  - expect_email:
      to: "{{ email }}"
      subject: Your code
      body_contains: code
      save: {var: code, pattern: "\\\\d{6}"}
      timeout: 15s
  - fill: {label: Code, value: "{{ code }}"}
'''))
    step = flow.steps[0]
    assert isinstance(step.args, EmailArgs) and step.args.save is not None
    assert (step.args.save.var, step.args.save.pattern, step.args.timeout_ms(0)) == ("code", r"\d{6}", 15000)
    assert saved_names(flow) == {"code"}


def test_a_variable_no_step_saves_is_caught_at_load_time(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="undefined variable 'code'"):
        load_flow(_flow(tmp_path, '  - expect_email: {to: "{{ email }}"}\n  - fill: {label: Code, value: "{{ code }}"}\n'))


@pytest.mark.parametrize(("steps", "message"), [
    ("  - expect_email: {to: a@example.com, subjet: Hi}\n", "subject"),
    ("  - expect_email: {subject: Hi}\n", "to"),
    ("  - expect_email: {to: a@example.com, save: {var: 1x, pattern: x}}\n", "not a usable variable name"),
    ("  - expect_email: {to: a@example.com, save: {var: code}}\n", "pattern"),
])
def test_mistakes_are_named_with_their_line(tmp_path: Path, steps: str, message: str) -> None:
    errors = validate_paths([_flow(tmp_path, steps)])
    assert errors and message in str(errors[0]) and "mail.flow.yaml:4" in str(errors[0]), errors
