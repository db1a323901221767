"""Protocol calls: what the card checkout asks of the browser through checkout-tester vs hand-written.

One demo store, one browser, one process (as overhead.py). Every call the Playwright client sends to its driver
is counted by (object type, method, the first characters of an evaluated expression) with the time until its
answer; one warm-up run per side, then one counted run each. Where overhead.py says how much slower, this says
which round trips make the difference.
"""
from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_target, parser
from overhead import FLOW, plain_run
from playwright._impl import connection  # the one place every call passes (private: pinned playwright <2)

SHOWN = 25  # the costliest kinds of call printed per side


def counting(calls: dict[tuple[str, str, str], list[float]]) -> Any:
    """A wrapper of Connection.send_message_to_server that adds each call's count and time to `calls`."""
    send = connection.Connection.send_message_to_server

    def counted(self: Any, obj: Any, method: str, params: Any, options: Any) -> Any:
        started = time.perf_counter()
        future = send(self, obj, method, params, options)
        expression = params.get("expression", "") if isinstance(params, dict) else ""
        key = (obj._type, method, " ".join(expression.split())[:40])
        calls[key][0] += 1
        future.add_done_callback(lambda _: calls[key].__setitem__(1, calls[key][1] + time.perf_counter() - started))
        return future

    return counted


def main() -> None:
    """Count one run of each side after a warm-up; print the calls, costliest first."""
    ap = parser(__doc__, runs=1)
    ap.add_argument("--fault", action="append", default=[], metavar="FAULT", help="a demo store fault, e.g. slow:/:300")
    args = ap.parse_args()

    from faker import Faker

    from checkout_tester.flow.loader import load_flow
    from checkout_tester.session import demo_session

    calls: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    connection.Connection.send_message_to_server = counting(calls)  # type: ignore[method-assign]
    target, flow, faker = demo_target(), load_flow(FLOW), Faker()
    card = target.secret("CARD_NUMBER") or ""
    with demo_session(target, faults=args.fault) as (session, store):
        sides = (("checkout-tester", lambda: session.run(flow)),
                 ("hand-written", lambda: plain_run(session, store, card, faker)))
        for side, run in sides:
            run()  # warm-up
            for _ in range(args.runs):
                calls.clear()
                started = time.perf_counter()
                run()
                elapsed = time.perf_counter() - started
                total = sum(int(c) for c, _ in calls.values())
                print(f"{side}: {elapsed:.2f} s, {total} calls, {sum(t for _, t in calls.values()):.2f} s waiting on them")
                for (kind, method, expression), (count, spent) in sorted(calls.items(), key=lambda kv: -kv[1][1])[:SHOWN]:
                    print(f"  {int(count):4d} {spent * 1000:7.0f} ms  {kind}.{method} {expression}")


if __name__ == "__main__":
    main()
