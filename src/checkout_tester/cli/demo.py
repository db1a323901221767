"""`checkout-tester demo`: every shipped flow against the demo store with Janet's bug switched on."""
from __future__ import annotations

from rich.markup import escape

from checkout_tester.pytest.suite import RESULTS, run_suite
from checkout_tester.report import html as report
from checkout_tester.report.console import make_console
from checkout_tester.run.invocation import cli_command

FAULT = "uppercase-email"
REASON = "unknown email format"


def run_demo(flows: str = "flows") -> int:
    """Run the suite with the fault, write the report; 0 when exactly the capitalised signups fail, for that reason."""
    console = make_console()
    console.print(f"[bold]Demo:[/] the demo store refuses emails with capital letters (fault '{FAULT}').")
    result = run_suite([flows], faults=[FAULT], command=cli_command())  # Reproduce: `checkout-tester run ...`
    report.generate(RESULTS, "reports/allure-report")
    failed = [r for r in result.results if r.outcome != "passed"]
    right = [r for r in failed if REASON in r.message]
    wrong = [r for r in failed if REASON not in r.message]
    passed = len(result.results) - len(failed)
    console.rule("[bold]Demo summary")
    console.print(f"{passed} flow runs passed; {len(right)} signup runs failed because the store said "
                  f"'{REASON}' to a capitalised email:")
    for r in right:
        console.print(f"  [red]✗[/] {escape(r.nodeid)}  ({r.failure_class})")
    if wrong or not right:
        console.print(f"[red]Unexpected:[/] {len(wrong)} failure(s) for another reason" if wrong
                      else "[red]Unexpected:[/] the fault was not caught")
        for r in wrong:
            console.print(escape(f"  {r.nodeid}: {r.message.splitlines()[0] if r.message else r.outcome}"))
        return 1
    console.print("[green]As expected:[/] the capitalised-email signups fail for the right reason, everything else passes.")
    console.print("HTML report: reports/allure-report/index.html  (regenerate with `checkout-tester report`)")
    return 0
