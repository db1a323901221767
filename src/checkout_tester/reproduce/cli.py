"""`checkout-tester reproduce FLOW`: checks first (exit 2), then one recorded run, its bundle, a short summary."""
from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from checkout_tester.base.errors import CheckoutTesterError, ConfigError
from checkout_tester.base.redaction import MASK

if TYPE_CHECKING:  # the parser is built for every command: the rest is imported when a reproduction starts
    from checkout_tester.flow.model import Flow, Variant
    from checkout_tester.session import Session
    from checkout_tester.target.config import Target

USAGE_EXIT = 2


@dataclass
class Plan:
    """A checked reproduction: what to run, against what, with which options."""

    target: Target
    target_path: str
    flow: Flow
    variant: Variant
    values: dict[str, str]
    faults: list[str]
    base_url: str | None
    source: str
    problems: list[str] = field(default_factory=list)
    mode: str = "headless"  # or headed, and on which display
    given: list[str] = field(default_factory=list)  # names of `--secret`s given for this run


def run_reproduce(args: argparse.Namespace) -> int:
    """Check everything before a browser starts; then run, write the bundle, print where it is."""
    plan = check(args)
    if plan.problems:
        for problem in plan.problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        return USAGE_EXIT
    from playwright.sync_api import Error as PlaywrightError

    from checkout_tester.base.failure_classes import INTERRUPTED
    from checkout_tester.base.redaction import Redactor
    from checkout_tester.reproduce import bug_report
    from checkout_tester.reproduce.bundle import Reproduction, new_folder
    from checkout_tester.reproduce.evidence import record_run
    from checkout_tester.run import browser as browser_setup, interrupts

    browser_setup.ensure_ffmpeg()  # Debian's ffmpeg in Playwright's place: the video needs it
    redactor = Redactor(plan.target.secret_values())  # a message may quote a secret before the flow types it
    folder = new_folder(plan.flow, Path(args.output))
    command = replay_command(plan)
    print(f"Reproducing {test_id(plan)} ({plan.source}) against {plan.target.name} ...", flush=True)
    interrupts.reset()
    interrupts.install()  # Ctrl-C stops the flow before its next step; the evidence so far is still written
    try:
        with _session(plan, args) as session:  # a browser that can't start: one line, no traceback (below)
            evidence = record_run(session, plan.flow, plan.variant, plan.values, folder, redactor, reproduce=command)
            rep = Reproduction(flow=plan.flow, variant=plan.variant, values=plan.values,
                               target_name=plan.target.name, target_path=plan.target_path,
                               base_url=session.base_url, faults=plan.faults, command=redactor(command),
                               folder=folder, evidence=evidence, redactor=redactor, source=plan.source,
                               mode=plan.mode + (f", slow-mo {args.slowmo:g} ms" if args.slowmo else ""))
            if args.isolate and rep.failed and not interrupts.requested():
                _isolate(rep, session, plan)
    except (CheckoutTesterError, PlaywrightError) as exc:
        print(f"ERROR: could not start the browser or the store: {redactor(str(exc).strip().splitlines()[0])}",
              file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        return USAGE_EXIT
    finally:
        interrupts.uninstall()
    packed = bug_report.write(rep, zip_it=args.zip)
    _summary(rep, packed)
    if evidence.record.failure_class == INTERRUPTED:
        return USAGE_EXIT  # neither reproduced nor not: the flow did not finish (as the monitor's exit 2)
    return 1 if rep.failed else 0


def check(args: argparse.Namespace) -> Plan:
    """The request, target, flow, variant and options, with every mistake found before any browser starts."""
    from checkout_tester.flow.loader import load_flow
    from checkout_tester.flow.model import Flow, Source, Variant
    from checkout_tester.reproduce import request
    from checkout_tester.target import browser_state, preflight
    from checkout_tester.target.config import Target
    from checkout_tester.target.config_file import fault_problem, load_target

    empty = Flow(name="", path="", source=Source("", 0), steps=())
    plan = Plan(Target(), "", empty, Variant(id="", values={}), {}, [], None, "")
    try:
        asked = request.parse(args.flow, args.history)
    except ConfigError as exc:
        plan.problems += exc.problems
        return plan
    carried = asked.options  # what the original run had; options given here win
    plan.target_path = args.target or str(carried.get("target") or "")
    plan.base_url = args.base_url or carried.get("base_url") or None
    plan.faults = list(args.store_fault or carried.get("store_fault") or [])
    pairs = list(carried.get("values") or []) + list(args.values)
    plan.source = asked.source
    try:
        plan.target = load_target(plan.target_path or None)
    except ConfigError as exc:
        plan.problems += exc.problems
    try:
        plan.flow = load_flow(asked.path)
    except CheckoutTesterError as exc:
        plan.problems.append(str(exc))
        return plan
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            plan.problems.append(f"--set {pair}: an input needs a value; write --set NAME=VALUE, "
                                 "e.g. --set email=janet@example.com")
        else:
            plan.values[name.strip()] = value
    _secrets(plan, list(getattr(args, "secrets", [])))
    plan.problems += _variant(plan, args.variant, asked.variant)
    for name in sorted(set(plan.values) - _names_used(plan.flow)):  # a `Reproduce:` line may carry others' vars
        print(f"note: --set {name}: {plan.flow.path} and its sub-flows never use {name}; it changes nothing",
              file=sys.stderr)
    embedded = plan.target.is_demo and not plan.base_url
    for fault in plan.faults:
        problem = fault_problem(fault)
        if problem:
            plan.problems.append(f"--store-fault {fault}: {problem}")
        elif not embedded:
            plan.problems.append(f"--store-fault {fault}: faults are switches of the embedded demo store, and this "
                                 f"run goes to {plan.base_url or plan.target.base_url}; drop --store-fault")
    if args.slowmo < 0:
        plan.problems.append(f"--slowmo {args.slowmo:g}: a wait between actions can't be negative; e.g. --slowmo 500")
    if plan.problems:
        return plan
    plan.problems += preflight.check(plan.target, [plan.flow], base_url=plan.base_url, embedded=embedded)
    try:
        browser_state.check_state(plan.target, plan.flow)  # a saved login the flow starts from
    except CheckoutTesterError as exc:
        plan.problems.append(str(exc))
    if args.headed and not plan.problems:
        from checkout_tester.run.browser import ensure_display

        try:
            started = ensure_display()
        except RuntimeError as exc:
            plan.problems.append(str(exc))
        else:
            plan.mode = f"headed on Xvfb {started} (started for this run)" if started else "headed"
    return plan


def _variant(plan: Plan, option: str | None, named: str | None) -> list[str]:
    """Pick the variant row: --variant, else the one the test id names, else the flow's only row."""
    from checkout_tester.reproduce.request import variant_of

    rows = plan.flow.variant_rows
    known = [row.id for row in rows]
    wanted = option if option is not None else named
    if wanted is None:
        if len(rows) == 1:
            plan.variant = rows[0]
            return []
        return [f"{plan.flow.source}: the flow has {len(rows)} variants; pick one with --variant ID "
                f"({', '.join(known)})"]
    wanted = variant_of(wanted, known)
    found = next((row for row in rows if row.id == wanted), None)
    if found is None:
        listed = ", ".join(known) if any(known) else "none: give no variant"
        where = "--variant" if option is not None else "FLOW"
        return [f"{where} {wanted!r}: {plan.flow.path} has no such variant; its variants: {listed}"]
    plan.variant = found
    return []


def _names_used(flow: Flow) -> set[str]:
    """Every word in the flow's file and its sub-flows' files: an input that is none of them is not used."""
    import re

    words: set[str] = set()
    todo, seen = [flow], set()
    while todo:
        current = todo.pop()
        if current.path in seen:
            continue
        seen.add(current.path)
        try:
            words |= set(re.findall(r"\w+", Path(current.path).read_text(encoding="utf-8")))
        except OSError:
            continue
        stack = list(current.steps) + list(current.finally_steps)
        while stack:
            step = stack.pop()
            stack += [*step.children, *([step.trigger] if step.trigger else [])]
            if step.subflow is not None:
                todo.append(step.subflow)
    return words


@contextmanager
def _session(plan: Plan, args: argparse.Namespace) -> Iterator[Session]:
    """The started Session for the plan: on the embedded demo store (with its faults) or the target's URL."""
    from checkout_tester.mail import mailbox
    from checkout_tester.session import Session, demo_session

    if args.headed:
        plan.target.browser.headless = False
    launch: dict[str, Any] = {"slow_mo": args.slowmo} if args.slowmo else {}
    with ExitStack() as stack:
        if plan.target.is_demo and not plan.base_url:
            session, _store = stack.enter_context(demo_session(plan.target, plan.faults, launch=launch))
        else:
            mail = stack.enter_context(mailbox.open_mail_source(plan.target))
            session = stack.enter_context(Session(plan.target, plan.base_url or plan.target.base_url, mail=mail,
                                                  launch=launch))
        yield session


def test_id(plan: Plan) -> str:
    """The variant's test id, as `checkout-tester run` and `Reproduce:` lines show it."""
    from checkout_tester.monitor.runner import test_id as monitor_test_id

    return monitor_test_id(plan.flow, plan.variant)


def replay_command(plan: Plan) -> str:
    """This reproduction as one command line that works verbatim from this folder."""
    from checkout_tester.run.invocation import cli_command

    program = shlex.split(cli_command())[:-1]  # `checkout-tester run` as this process was started, less `run`
    parts = [*program, "reproduce", test_id(plan)]
    parts += [f"--target={plan.target_path}"] if plan.target_path else []
    parts += [f"--base-url={plan.base_url}"] if plan.base_url else []
    parts += [f"--store-fault={fault}" for fault in plan.faults]
    parts += [f"--secret={name}={MASK}" for name in plan.given]
    parts += [f"--var={name}={MASK if name in plan.target.secrets else value}" for name, value in plan.values.items()]
    return shlex.join(parts)


def _secrets(plan: Plan, pairs: list[str]) -> None:
    """`--secret NAME=VALUE` and secret `--var`s: known to every redactor; a masked value pasted back is not one."""
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            plan.problems.append(f"--secret {name.strip() or '?'}: give it as --secret NAME=VALUE")
        elif value == MASK:  # copied from a printed line: the value must come from the environment or be given
            print(f"note: --secret {name}: the printed line masks its value; give it again or export it",
                  file=sys.stderr)
        else:
            plan.target.give_secret(name.strip(), value)
            plan.given.append(name.strip())
    for name, value in plan.values.items():
        if name in plan.target.secrets:
            plan.target.mask(value)


def _isolate(rep: Any, session: Session, plan: Plan) -> None:
    """--isolate: the smallest change of the inputs that makes the flow pass, into BUG.md and bundle.json."""
    import inspect
    import tempfile

    from checkout_tester.reproduce.isolate import isolate_flow
    from checkout_tester.run.interrupts import FlowInterrupted

    print("Isolating the input that matters (each try in a fresh context) ...", flush=True)
    offered = {"progress": lambda line: print(f"  {line}", flush=True), "redactor": rep.redactor}
    accepted = inspect.signature(isolate_flow).parameters
    scratch = tempfile.mkdtemp(prefix="checkout-isolate-")
    session.artifacts = Path(scratch)  # the tries' own detector logs are not this bundle's evidence
    try:
        isolation = isolate_flow(session, plan.flow, plan.variant, dict(plan.values),
                                 **{k: v for k, v in offered.items() if k in accepted})
    except NotImplementedError as exc:
        rep.evidence.notes.append(f"No isolation: {exc}")
        return
    except FlowInterrupted:
        rep.evidence.notes.append("No isolation: interrupted before the search ended.")
        return
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rep.isolation, rep.isolation_text = isolation.as_json(), isolation.text
    print(f"Isolation took {isolation.runs} run(s).")


def _summary(rep: Any, packed: Path | None) -> None:
    """The folder and what happened, in a few lines."""
    record = rep.evidence.record
    if rep.failed:
        print(f"Reproduced: {record.failure_class} at step {record.failed_step}")
        first = (record.message.splitlines() or [""])[0]
        print(f"  {first}")
    else:
        print(f"Could not reproduce: the flow {record.outcome} ({record.duration_ms:.0f} ms).")
    if rep.isolation_text:
        print(f"  {rep.isolation_text.splitlines()[0]}")
    shots = len(rep.evidence.screenshots)
    kept = ", ".join(sorted(rep.evidence.files.values()))
    print(f"Evidence: {kept}, {shots} screenshot(s), BUG.md, bundle.json")
    for note in rep.evidence.notes:
        print(f"  note: {note}")
    print(f"Bundle: {rep.folder}")
    if packed is not None:
        print(f"Zip:    {packed}")
