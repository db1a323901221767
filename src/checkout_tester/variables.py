"""`{{ name }}` templates: flow vars, params, saved values, env, secrets, target and Faker data."""
from __future__ import annotations

import os
import re
import uuid
from typing import Any, Callable, Mapping

from faker import Faker

from checkout_tester.errors import CheckoutTesterError
from checkout_tester.redaction import Redactor

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


class UnknownVariable(CheckoutTesterError):
    """A template names a value that does not exist at run time."""


class FakeData:
    """Faker values that stay the same within one run: sign up and log in with one email."""

    def __init__(self, seed: int | None = None) -> None:
        self._faker = Faker()
        if seed is not None:
            self._faker.seed_instance(seed)
        self._cache: dict[str, str] = {}
        self.run_id = uuid.uuid4().hex[:8]

    def get(self, name: str) -> str:
        if name not in self._cache:
            if name == "email":  # unique per run, so signup never collides with an earlier run
                value = f"{self._faker.user_name()}.{self.run_id}@example.com"
            elif hasattr(self._faker, name):
                value = str(getattr(self._faker, name)())
            else:
                raise UnknownVariable(f"fake.{name} is not a Faker provider (try fake.email, fake.name, fake.postcode)")
            self._cache[name] = value
        return self._cache[name]


class Scope:
    """The variables one flow run sees."""

    def __init__(self, values: Mapping[str, Any], secret: Callable[[str], str | None],
                 target_vars: Mapping[str, Any], redactor: Redactor, fake: FakeData) -> None:
        self.values: dict[str, Any] = dict(values)
        self._secret, self._target = secret, dict(target_vars)
        self.redactor, self.fake = redactor, fake

    def child(self, values: Mapping[str, Any]) -> "Scope":
        """A scope for a sub-flow: its own params, the same secrets and fake data."""
        return Scope(values, self._secret, self._target, self.redactor, self.fake)

    def lookup(self, name: str) -> Any:
        head, _, rest = name.partition(".")
        if head == "env" and rest:
            if rest not in os.environ:
                raise UnknownVariable(f"environment variable {rest} is not set")
            return os.environ[rest]
        if head == "secret" and rest:
            value = self._secret(rest)
            if value is None:
                raise UnknownVariable(f"secret {rest} is not set: export it or map it under `secrets:` in the target config")
            self.redactor.add(value)
            return value
        if head == "fake" and rest:
            return self.fake.get(rest)
        if head == "run" and rest == "id":
            return self.fake.run_id
        if head == "target" and rest:
            if rest not in self._target:
                raise UnknownVariable(f"target.{rest} is not defined in the target config")
            return self._target[rest]
        if name in self.values:
            return self.values[name]
        raise UnknownVariable(f"variable {name!r} is not defined (known: {', '.join(sorted(self.values)) or 'none'})")

    def render(self, value: Any) -> Any:
        """Substitute templates in strings, recursively in lists and mappings."""
        if isinstance(value, str):
            whole = TEMPLATE.fullmatch(value.strip())
            if whole:
                return self.render(self.lookup(whole.group(1)))
            return TEMPLATE.sub(lambda m: str(self.render(self.lookup(m.group(1)))), value)
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        return value
