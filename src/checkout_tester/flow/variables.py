"""The values templates see: flow vars, params, saved values, env, secrets, target and Faker data."""
from __future__ import annotations

import difflib
import functools
import os
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Callable

from faker import Faker
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.exceptions import SecurityError

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.base.redaction import Redactor
from checkout_tester.flow import templates


class UnknownVariable(CheckoutTesterError):
    """A template names a value that does not exist at run time."""


class TemplateRefused(UnknownVariable):
    """A template the sandbox refused, or whose filter failed, at run time (the engine reports both alike)."""


def _provider_names(faker: Faker) -> frozenset[str]:
    return frozenset(m for p in faker.get_providers() for m in dir(p)
                     if not m.startswith("_") and callable(getattr(p, m, None)))


@functools.cache
def fake_names() -> frozenset[str]:
    """Names `{{ fake.X }}` may use, for checks at load time (Faker's default locale, built once)."""
    return _provider_names(Faker())


class FakeData:
    """Faker values that stay the same within one run: sign up and log in with one email."""

    def __init__(self, seed: int | None = None) -> None:
        self._faker = Faker()
        if seed is not None:
            self._faker.seed_instance(seed)
        self._cache: dict[str, str] = {}
        self._providers: frozenset[str] | None = None
        self.run_id = uuid.uuid4().hex[:8]

    def providers(self) -> frozenset[str]:
        """Faker's data methods (email, name, postcode ...), not its machinery (seed_instance, random)."""
        if self._providers is None:
            self._providers = _provider_names(self._faker)
        return self._providers

    def get(self, name: str) -> str:
        if name not in self._cache:
            if name == "email":  # unique per run, so signup never collides with an earlier run
                value = f"{self._faker.user_name()}.{self.run_id}@example.com"
            elif name in self.providers():
                value = str(getattr(self._faker, name)())
            else:
                near = difflib.get_close_matches(name, sorted(self.providers()), n=1, cutoff=0.6)
                guess = f"did you mean fake.{near[0]}? " if near else ""
                raise UnknownVariable(f"fake.{name} is not a Faker provider ({guess}try fake.email, fake.name, fake.postcode)")
            self._cache[name] = value
        return self._cache[name]


class Scope:
    """The variables one flow run sees; templates in values are rendered by Jinja2's sandbox (templates.py)."""

    def __init__(self, values: Mapping[str, Any], secret: Callable[[str], str | None],
                 target_vars: Mapping[str, Any], redactor: Redactor, fake: FakeData) -> None:
        self.values: dict[str, Any] = dict(values)
        self._secret, self._target = secret, dict(target_vars)
        self.redactor, self.fake = redactor, fake
        self._names = _Names(self)
        self._secrets_read: list[str] = []  # secret values read by the template being rendered

    def child(self, values: Mapping[str, Any]) -> "Scope":
        """A scope for a sub-flow: its own params, the same secrets and fake data."""
        return Scope(values, self._secret, self._target, self.redactor, self.fake)

    def lookup(self, name: str) -> Any:
        """The value of a dotted name (`email`, `secret.X`, `env.X` ...); UnknownVariable says why there is none."""
        head, _, rest = name.partition(".")
        if head in templates.NAMESPACES and rest:
            value = self.namespaced(head, rest)
        elif name in self.values:
            value = self.values[name]
        else:
            raise UnknownVariable(self._unknown(name))
        if isinstance(value, Undefined):
            raise UnknownVariable(value._undefined_hint or f"{name} is not defined")
        return str.__str__(value) if isinstance(value, templates.Secret) else value

    def namespaced(self, head: str, rest: str) -> Any:
        """`{{ head.rest }}`: its value, or a StrictUndefined saying why there is none (so `default` works)."""
        if head == "env":
            value = os.environ.get(rest)
            return _missing(f"environment variable {rest} is not set") if value is None else value
        if head == "secret":
            value = self._secret(rest)
            if value is None:
                return _missing(f"secret {rest} is not set: export it or map it under `secrets:` in the target config")
            self.redactor.add(value)
            self._secrets_read.append(value)
            return templates.Secret(value)
        if head == "fake":
            try:
                return self.fake.get(rest)
            except UnknownVariable as exc:
                return _missing(str(exc))
        if head == "run":
            return self.fake.run_id if rest == "id" else _missing(f"run.{rest} does not exist: use {{{{ run.id }}}}")
        if rest not in self._target:
            return _missing(f"target.{rest} is not defined in the target config")
        return self._target[rest]

    def _unknown(self, name: str) -> str:
        return f"variable {name!r} is not defined (known: {', '.join(sorted(self.values)) or 'none'})"

    def render(self, value: Any) -> Any:
        """Render templates in strings, recursively in lists and mappings; `{{ x }}` alone keeps x's type."""
        if isinstance(value, str):
            return self._render_text(value) if templates.is_template(value) else value
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        return value

    def _render_text(self, text: str) -> Any:
        self._secrets_read.clear()
        derived: list[str] = []
        token = templates.DERIVED.set(derived)
        try:
            result = templates.compiled(text).render(self._names)
        except UndefinedError as exc:
            raise UnknownVariable(str(exc.message)) from None
        except TemplateSyntaxError as exc:  # also an unknown filter, found when compiling
            problem = templates.analyse(text)[1] or templates.syntax_problem(text, exc)
            raise TemplateRefused(f"{problem.message}; {problem.hint}") from None
        except (SecurityError, TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateRefused(f"template {text!r} failed: {exc}") from None
        finally:
            templates.DERIVED.reset(token)
            for value in derived:  # `{{ secret.X | upper }}`: what a filter made of a secret is secret too
                self.redactor.add(value)
        if self._secrets_read and isinstance(result, str) and any(s not in result for s in self._secrets_read):
            self.redactor.add(result)  # a filtered secret (`| upper`) is as secret as the secret itself
        return result


class _Names(Mapping[str, Any]):
    """A scope as Jinja2 sees it: every name answers, unknown ones with an Undefined that explains."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._spaces = {ns: templates.Namespace(ns, functools.partial(scope.namespaced, ns))
                        for ns in templates.NAMESPACES}

    def __getitem__(self, name: str) -> Any:
        if name in self._spaces:
            return self._spaces[name]
        values = self._scope.values
        if name in values:
            return values[name]
        return _missing(self._scope._unknown(name), name)

    def __contains__(self, name: object) -> bool:
        return True  # so Jinja2 asks __getitem__, which explains a missing name

    def __iter__(self) -> Iterator[str]:
        return iter([*self._spaces, *self._scope.values])

    def __len__(self) -> int:
        return len(self._spaces) + len(self._scope.values)


def _missing(hint: str, name: str | None = None) -> Undefined:
    return StrictUndefined(hint=hint, name=name)
