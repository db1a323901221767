"""checkout-tester command line: run | validate | demo | store | report | schema | monitor | history | status | reproduce. Thin over pytest and the engine."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checkout_tester.report import html as allure_report

RESULTS = "reports/allure-results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="checkout-tester", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    # `run` takes pytest's command line as it is: parsed by pytest itself, not here (see run()).
    sub.add_parser("run", help="run flows: pytest underneath, any pytest option in any order "
                   "(--target T, --store-fault F, --var N=V, --secret N=V, --repeat N, -k, -m, -n 2, --headed, --lf ...); "
                   "--report also generates the HTML report", add_help=False)

    validate = sub.add_parser("validate", help="check flow files (and, with --target, the target for them) without a browser")
    validate.add_argument("flows", nargs="*", default=["flows"])
    validate.add_argument("--target", help="also check this target config against the flows: secrets, mail sink, "
                                           "base URL (preflight, as run does first)")
    validate.add_argument("--base-url", help="the base URL the run will use instead of the target's")

    sub.add_parser("demo", help="run every shipped flow against the demo store with the uppercase-email fault")

    schema = sub.add_parser("schema", help="write the JSON Schemas of flow files and target configs, for editors")
    schema.add_argument("--out", default="schemas", help="folder to write flow.schema.json and target.schema.json "
                                                         "into (default: schemas)")

    store = sub.add_parser("store", help="start the demo store", add_help=False)
    store.add_argument("rest", nargs=argparse.REMAINDER)

    report = sub.add_parser("report", help="generate the Allure HTML report (offline)")
    report.add_argument("--results", action="append", metavar="DIR",
                        help=f"allure-results folder (default {RESULTS}); repeat it to merge shards' results into one report")
    report.add_argument("--timings", action="append", default=[], metavar="FILE",
                        help="also merge these shards' timings JSON into reports/timings.json (the next --shard run balances by it)")
    report.add_argument("--output", default="reports/allure-report")

    from checkout_tester.monitor import cli as monitor_cli

    monitor_cli.add_parsers(sub)

    from checkout_tester.reproduce import options as reproduce_options

    reproduce_options.add_parser(sub)

    from checkout_tester.monitor import status_command

    status = sub.add_parser("status", help="write the monitor's status page (one HTML file that opens from disk)")
    status_command.add_arguments(status)
    return parser


RUN_HELP = """usage: checkout-tester run [--report] [PYTEST OPTIONS AND PATHS ...]

Runs flows with pytest; every argument but --report goes to pytest untouched and in order, so
pytest's, pytest-playwright's and checkout-tester's options work in any position and spelling:
  checkout-tester run flows/checkout_card.flow.yaml --target config/my-shop.yaml
  checkout-tester run -n 2 flows/        checkout-tester run -k signup --store-fault uppercase-email
  checkout-tester run --base-url=http://127.0.0.1:8000 --video on     checkout-tester run --lf
Without a flow path it runs flows/. Reports go under reports/; --report also writes the HTML report.
No trace on a first attempt: a failed flow runs again at once with trace, video and HAR (--retries N,
default 1; 0 for none); a pass on retry is reported as flaky and exits 0 (--fail-on-flaky: exit 7).
(`pytest --help` lists every option.)"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `checkout-tester` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["store"]:
        from checkout_tester.demostore.__main__ import main as store_main

        return store_main(argv[1:])
    if argv[:1] == ["run"]:
        return run(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.flows, args.target, args.base_url)
    if args.command == "report":
        return report(args.results or [RESULTS], args.output, args.timings)
    if args.command == "schema":
        from checkout_tester.cli.schema import write

        return write(args.out)
    if args.command in ("monitor", "history"):
        from checkout_tester.monitor import cli as monitor_cli

        return monitor_cli.run_monitor(args) if args.command == "monitor" else monitor_cli.show_history(args)
    if args.command == "reproduce":
        from checkout_tester.reproduce.cli import run_reproduce

        return run_reproduce(args)
    if args.command == "status":
        from checkout_tester.monitor.status_command import run_status

        return run_status(args)
    from checkout_tester.cli.demo import run_demo

    return run_demo()


def run(argv: list[str]) -> int:
    """`checkout-tester run`: pytest with argv as given, the summary table, optionally the HTML report."""
    if argv[:1] in (["-h"], ["--help"]):
        print(RUN_HELP)
        return 0
    report = "--report" in argv
    from checkout_tester.pytest.suite import run_suite
    from checkout_tester.run.invocation import cli_command

    code = run_suite([], extra=[a for a in argv if a != "--report"], command=cli_command()).exit_code
    if report:
        allure_report.generate(RESULTS, "reports/allure-report")
    return code


def report(results: list[str], output: str, timings: list[str]) -> int:
    """`checkout-tester report`: one results folder, or several shards' merged first (report/merge.py)."""
    from checkout_tester.base.errors import ConfigError
    from checkout_tester.report import merge

    try:
        folder = str(merge.merge_results(results)) if len(results) > 1 else results[0]
        if timings:
            print(f"timings: {merge.merge_timings(timings, 'reports/timings.json')}")
    except ConfigError as exc:
        print("\n".join(f"ERROR: {line}" for line in exc.problems), file=sys.stderr)
        return 2
    return allure_report.generate(folder, output)


def validate(paths: list[str], target: str | None = None, base_url: str | None = None) -> int:
    """Load and validate flows (and with a target, run the preflight checks), printing every mistake."""
    from checkout_tester.flow.loader import validate_paths

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    errors, count = validate_paths(paths), _count(paths)
    for error in errors:
        print(error, file=sys.stderr)
    problems = _preflight(paths, target, base_url) if target else []
    for problem in problems:
        print(problem, file=sys.stderr)
    checked = f" and target {target}" if target else ""
    print(f"{count} flow file(s){checked} checked, {len(errors) + len(problems)} error(s)")
    return 1 if errors or problems else 0


def _preflight(paths: list[str], target_path: str, base_url: str | None) -> list[str]:
    """The target's own mistakes, else what preflight.py finds for the flows that load."""
    from checkout_tester.base.errors import CheckoutTesterError, ConfigError
    from checkout_tester.flow.loader import find_flow_files, load_flow
    from checkout_tester.target import preflight
    from checkout_tester.target.config_file import load_target

    try:
        target = load_target(target_path)
    except ConfigError as exc:
        return exc.problems
    flows = []
    for file in find_flow_files(paths):
        try:
            flows.append(load_flow(file))
        except CheckoutTesterError:
            continue  # reported above with its line
    return preflight.check(target, flows, base_url=base_url)


def _count(paths: list[str]) -> int:
    total = 0
    for path in map(Path, paths):
        total += len(list(path.rglob("*.flow.yaml"))) + len(list(path.rglob("*.part.yaml"))) if path.is_dir() else 1
    return total


if __name__ == "__main__":
    sys.exit(main())
