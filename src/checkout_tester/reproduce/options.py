"""The options of `checkout-tester reproduce`; the spellings `Reproduce:` lines use (`--var=`, `--target=`) work."""
from __future__ import annotations

import argparse
from typing import Any

from checkout_tester.monitor.settings import HISTORY_URL

REPRO_DIR = "reports/repro"
DESCRIPTION = """Run one flow variant again and keep every piece of evidence: the Playwright trace (grouped by the
flow's steps), a video, a HAR, the console log, a screenshot after every step, the detector log and the timings,
with a BUG.md and bundle.json, in reports/repro/<flow>-<UTC time>/. FLOW is a flow file, the test id a
`Reproduce:` line or JUnit shows (flows/signup.flow.yaml::signup[Janet.Doe@Example.com]), or a monitor run id.
Exit 0 when the flow passed (could not reproduce), 1 when it failed, 2 for a mistake in the command."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The reproduce command's arguments."""
    parser.add_argument("flow", metavar="FLOW", help="flow file, test id (file::name[variant]) or monitor run id")
    parser.add_argument("--variant", help="the variant row's id (default: the one the test id names, or the "
                                          "flow's only row)")
    parser.add_argument("--secret", dest="secrets", action="append", default=[], metavar="NAME=VALUE",
                        help="set secret.NAME for this run (masked everywhere, as with `run --secret`)")
    parser.add_argument("--set", "--var", dest="values", action="append", default=[], metavar="NAME=VALUE",
                        help="set a flow input for this run (repeatable), e.g. --set email=Janet@Example.com")
    parser.add_argument("--target", help="the target config (default: config/demo.yaml or the built-in demo store)")
    parser.add_argument("--base-url", dest="base_url", help="the store's URL instead of the target's")
    parser.add_argument("--store-fault", dest="store_fault", action="append", default=[], metavar="NAME",
                        help="switch on a demo store fault (repeatable), e.g. uppercase-email")
    parser.add_argument("--headed", action="store_true", help="show the browser (starts Xvfb when there is no "
                                                              "display)")
    parser.add_argument("--slowmo", type=float, default=0, metavar="MS", help="wait this long between browser "
                                                                             "actions")
    parser.add_argument("--zip", action="store_true", help="also pack the folder as <folder>.zip")
    parser.add_argument("--isolate", action="store_true", help="when it fails, search for the smallest change of "
                                                               "the inputs that makes it pass")
    parser.add_argument("--history", default=HISTORY_URL, help=f"the monitor's history, for a run id (default "
                                                               f"{HISTORY_URL})")
    parser.add_argument("--output", default=REPRO_DIR, help=f"where the bundle folders go (default {REPRO_DIR})")


def parser() -> argparse.ArgumentParser:
    """A parser of the reproduce options alone (also reads the options of a record's `Reproduce:` line)."""
    made = argparse.ArgumentParser(prog="checkout-tester reproduce", description=DESCRIPTION, add_help=False)
    add_arguments(made)
    return made


def add_parser(sub: Any) -> None:
    """The `reproduce` subcommand."""
    command = sub.add_parser("reproduce", help="run one flow variant again and keep the evidence with a BUG.md",
                             description=DESCRIPTION)
    add_arguments(command)
