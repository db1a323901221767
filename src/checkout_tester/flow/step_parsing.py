"""Step parsing shared by every flow file: verbs, shorthands, nesting, templates in arguments."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from checkout_tester.base.errors import FlowError
from checkout_tester.flow import schema, templates
from checkout_tester.flow.model import Flow, Step
from checkout_tester.flow.schema import EXAMPLES, NAME, RESERVED_NAMESPACES, arg_keys, inline, shown, suggest
from checkout_tester.flow.step_arguments import NESTING, SHORTHAND, STEP_ARGS, TRIGGERS, UseArgs, saved_var
from checkout_tester.flow.variables import fake_names
from checkout_tester.flow.yamlsource import NodePath, YamlDoc


class StepReader:
    """Turns the raw steps of one parsed file into Step models, recording every error it finds."""

    doc: YamlDoc
    errors: list[FlowError]
    lenient: bool  # after a broken sub-flow its saved names are unknown: don't report them as undefined

    def _use(self, args: UseArgs, apath: NodePath, label: str, scope: set[str]) -> Flow | None:
        raise NotImplementedError  # loading files is the loader's business

    def error(self, message: str, path: NodePath, step: str | None = None, hint: str | None = None) -> None:
        """Record a mistake at the line of the node at `path`."""
        self.errors.append(FlowError(message, self.doc.source(path), step, hint))

    def _check_name(self, name: Any, path: NodePath, step: str | None) -> bool:
        if not isinstance(name, str) or not NAME.match(name):
            self.error(f"{shown(name)} is not a usable variable name", path, step,
                       hint="use letters, digits and _, e.g. order_number")
            return False
        if name in RESERVED_NAMESPACES:
            self.error(f"'{name}' is reserved for {{{{ {name}.NAME }}}}", path, step, hint="pick another name")
            return False
        return True

    def _step_list(self, data: Any, path: NodePath, prefix: str, scope: set[str],
                   owner: str | None = None) -> tuple[Step, ...]:
        """The steps under `data['steps']`; `owner` is the frame/popup step label holding them."""
        items = data.get("steps") if isinstance(data, dict) else None
        where = owner.split()[-1] if owner else "flow"
        if not isinstance(items, list) or not items:
            found = "no steps" if items in (None, []) else f"steps that are not a list: {shown(items)}"
            self.error(f"{where} has {found}", path + ("steps",), owner,
                       hint="give a list of steps, e.g. steps: [{goto: /cart}, {click: Checkout}]")
            return ()
        steps = [self._step(raw, path + ("steps", i), f"{prefix}{i + 1}", scope) for i, raw in enumerate(items)]
        return tuple(s for s in steps if s is not None)

    def _step(self, raw: Any, path: NodePath, index: str, scope: set[str]) -> Step | None:
        """One step, or None after recording why it is wrong."""
        verbs = ", ".join(STEP_ARGS)
        if not isinstance(raw, dict) or not raw:
            if isinstance(raw, list):
                self.error("a step must be a mapping like '- goto: /cart', not a list", path, index,
                           hint="remove the extra '- ' in front of the verb")
            else:
                word, _, rest = str(raw).partition(" ")
                fix = f"- {word}: {rest}" if word in STEP_ARGS else f"one of {verbs}"
                self.error(f"a step must be a mapping with one verb, not {shown(raw)}", path, index,
                           hint=f"write it like {fix}" if word in STEP_ARGS else f"start it with {fix}")
            return None
        keys = list(raw)
        known = [k for k in keys if k in STEP_ARGS]
        if len(keys) > 1:
            self._many_keys(raw, keys, known, path, index)
            return None
        verb = keys[0]
        if verb not in STEP_ARGS:
            match = schema.closest(verb, STEP_ARGS)
            self.error(f"unknown step '{verb}'", (*path, verb), index,
                       hint=f"did you mean '{match}'? write: - {match}: {inline(raw[verb])}" if match
                       else f"steps are: {verbs}")
            return None
        label, apath, value = f"{index} {verb}", (*path, verb), raw[verb]
        if isinstance(value, dict):
            data = value
        elif verb in SHORTHAND and isinstance(value, str):
            data = {SHORTHAND[verb]: value}
        else:
            if verb in SHORTHAND and value is not None and not isinstance(value, list):
                self.error(f"{verb} must be text, not {shown(value)}", apath, label,
                           hint=f'put it in quotes: {verb}: "{inline(value)}"')
            else:
                what = "nothing" if value is None else shown(value)
                self.error(f"{verb} needs a mapping of arguments, not {what}", apath, label,
                           hint=f"write it as {EXAMPLES[verb]}")
            return None
        args = self._args(verb, data, apath, label)
        nested = {"steps", "open"} if verb in NESTING | TRIGGERS else {"flow"} if verb == "use" else set()
        self._templates({k: v for k, v in data.items() if k not in nested}, apath, scope, label)
        trigger: Step | None = None
        children: tuple[Step, ...] = ()
        subflow: Flow | None = None
        if verb in TRIGGERS:
            trigger = self._step(data.get("open"), (*apath, "open"), f"{index}.0", scope) \
                if isinstance(data.get("open"), dict) else None
        if verb in NESTING:
            children = self._step_list(data, apath, f"{index}.", scope, label)
        saved, var_path = saved_var(verb, data)  # save: {var}, expect_email: {save: {var}}
        if isinstance(saved, str):
            if self._check_name(saved, (*apath, *var_path), label):
                scope.add(saved)  # later steps may use it, even if this step has another mistake
        if verb == "use" and isinstance(args, UseArgs):
            subflow = self._use(args, apath, label, scope)
            if subflow is None:
                return None
        if args is None:
            return None
        return Step(kind=verb, args=args, source=self.doc.source(path), index=index,
                    children=children, trigger=trigger, subflow=subflow)

    def _many_keys(self, raw: dict[Any, Any], keys: list[Any], known: list[Any], path: NodePath,
                   index: str) -> None:
        if len(known) == 1 and all(k in arg_keys(STEP_ARGS[known[0]]) for k in keys if k != known[0]):
            # `- fill:` with its arguments lined up under it instead of indented: a common slip.
            verb = known[0]
            extra = ", ".join(f"'{k}'" for k in keys if k != verb)
            fixed = {k: v for k, v in raw.items() if k != verb}
            self.error(f"{extra} must be indented under '{verb}:'", path, f"{index} {verb}",
                       hint=f"indent by two more spaces, or write - {verb}: {inline(fixed)}")
        elif len(known) > 1:
            self.error(f"a step has one verb, this one has {len(known)}: {', '.join(known)}", path, index,
                       hint=f"start each step with its own '- ', e.g. - {known[0]}: ... then - {known[1]}: ...")
        else:
            self.error(f"a step has one verb, this one has keys {', '.join(map(str, keys))}", path, index,
                       hint=f"steps are: {', '.join(STEP_ARGS)}")

    def _args(self, verb: str, data: dict[str, Any], apath: NodePath, label: str) -> Any:
        try:
            return STEP_ARGS[verb].model_validate(data)
        except ValidationError as exc:
            for problem in schema.explain(verb, data, exc):
                self.error(problem.message, apath + problem.path, label, problem.hint)
            return None

    def _templates(self, value: Any, path: NodePath, scope: set[str], label: str | None) -> None:
        """Check every template in strings under `value`: Jinja2 syntax, filters, names defined at this point."""
        if isinstance(value, dict):
            for key, item in value.items():
                self._templates(item, (*path, key), scope, label)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._templates(item, (*path, i), scope, label)
        elif isinstance(value, str) and templates.has_markup(value):
            names, problem = schema.template_names(value)
            if problem:
                self.error(problem.message, path, label, problem.hint)
            for name in names:
                self._template_name(name, path, scope, label)

    def _template_name(self, name: str, path: NodePath, scope: set[str], label: str | None) -> None:
        head, _, rest = name.partition(".")
        if head in RESERVED_NAMESPACES:
            if not rest:
                self.error(f"'{{{{ {name} }}}}' needs a name after '{head}.'", path, label,
                           hint=f"e.g. {{{{ {head}.NAME }}}}")
            elif head == "run" and rest != "id":
                self.error(f"'{{{{ {name} }}}}' does not exist", path, label, hint="the run has {{ run.id }}")
            elif head == "fake" and not rest.startswith("_") and rest not in fake_names():  # '_': reported already
                self.error(f"'{{{{ {name[:80]} }}}}' is not a Faker provider", path, label, hint=suggest(
                    rest[:80], fake_names(), "fake.X takes a Faker provider, e.g. fake.email, fake.name, fake.postcode"))
        elif head not in scope and not self.lenient:
            near = [*scope, *(f"{ns}.{rest}" for ns in RESERVED_NAMESPACES if rest)]
            known = ", ".join(sorted(scope)) or "none"
            self.error(f"undefined variable '{head}'", path, label, hint=suggest(
                name, near, f"defined here: {known}, plus env.X, secret.X, fake.X, target.X, run.X; "
                            "add it under vars: or params:, or save it in an earlier step"))


def saved_names(flow: Flow) -> set[str]:
    """Names a flow's `save` steps define, including in frames, popups and sub-flows."""
    names: set[str] = set()
    pending = list(flow.steps)
    while pending:
        step = pending.pop()
        saved, _ = saved_var(step.kind, step.args)
        if isinstance(saved, str):
            names.add(saved)
        pending.extend(step.children)
        pending.extend([step.trigger] if step.trigger else [])
        pending.extend(step.subflow.steps if step.subflow else ())
    return names
