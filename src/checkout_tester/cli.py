"""checkout-tester command line: run | validate | demo | store | report. Thin over pytest and the engine."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checkout_tester import report as allure_report

RESULTS = "reports/allure-results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="checkout-tester", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    # `run` takes pytest's command line as it is: parsed by pytest itself, not here (see run()).
    sub.add_parser("run", help="run flows: pytest underneath, any pytest option in any order "
                   "(--target T, --store-fault F, --var N=V, --repeat N, -k, -m, -n 2, --headed, --lf ...); "
                   "--report also generates the HTML report", add_help=False)

    validate = sub.add_parser("validate", help="check flow files without a browser")
    validate.add_argument("flows", nargs="*", default=["flows"])

    sub.add_parser("demo", help="run every shipped flow against the demo store with the uppercase-email fault")

    store = sub.add_parser("store", help="start the demo store", add_help=False)
    store.add_argument("rest", nargs=argparse.REMAINDER)

    report = sub.add_parser("report", help="generate the Allure HTML report (offline)")
    report.add_argument("--results", default=RESULTS)
    report.add_argument("--output", default="reports/allure-report")
    return parser


RUN_HELP = """usage: checkout-tester run [--report] [PYTEST OPTIONS AND PATHS ...]

Runs flows with pytest; every argument but --report goes to pytest untouched and in order, so
pytest's, pytest-playwright's and checkout-tester's options work in any position and spelling:
  checkout-tester run flows/checkout_card.flow.yaml --target config/my-shop.yaml
  checkout-tester run -n 2 flows/        checkout-tester run -k signup --store-fault uppercase-email
  checkout-tester run --base-url=http://127.0.0.1:8000 --video on     checkout-tester run --lf
Without a flow path it runs flows/. Reports go under reports/; --report also writes the HTML report.
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
        return validate(args.flows)
    if args.command == "report":
        return allure_report.generate(args.results, args.output)
    from checkout_tester.demo import run_demo

    return run_demo()


def run(argv: list[str]) -> int:
    """`checkout-tester run`: pytest with argv as given, the summary table, optionally the HTML report."""
    if argv[:1] in (["-h"], ["--help"]):
        print(RUN_HELP)
        return 0
    report = "--report" in argv
    from checkout_tester.invocation import cli_command
    from checkout_tester.suite import run_suite

    code = run_suite([], extra=[a for a in argv if a != "--report"], command=cli_command()).exit_code
    if report:
        allure_report.generate(RESULTS, "reports/allure-report")
    return code


def validate(paths: list[str]) -> int:
    """Load and validate flows, printing every mistake with its file and line."""
    from checkout_tester.loader import validate_paths

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    errors, count = validate_paths(paths), _count(paths)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{count} flow file(s) checked, {len(errors)} error(s)")
    return 1 if errors else 0


def _count(paths: list[str]) -> int:
    total = 0
    for path in map(Path, paths):
        total += len(list(path.rglob("*.flow.yaml"))) + len(list(path.rglob("*.part.yaml"))) if path.is_dir() else 1
    return total


if __name__ == "__main__":
    sys.exit(main())
