"""Run the demo store in the foreground: python -m checkout_tester.demostore."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from checkout_tester.demostore.faults import FAULTS
from checkout_tester.demostore.server import DemoStore


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Argument parser for the store command."""
    faults_help = "\n".join(f"  {name:<20} {text}" for name, text in FAULTS.items())
    parser = argparse.ArgumentParser(
        prog=prog or "python -m checkout_tester.demostore",
        description="Run the checkout-tester demo store and its WalletPay gateway until Ctrl-C.",
        epilog="faults:\n" + faults_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="shop port, 0 for any free port (default: 8000)")
    parser.add_argument("--wallet-port", type=int, default=0, help="WalletPay port (default: any free port)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="turn on a fault switch; repeat for several (see below)")
    parser.add_argument("--smtp-host", help="send mail through this SMTP server instead of the log")
    parser.add_argument("--smtp-port", type=int, help="SMTP port (default: 25)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Parse ARGV, run the store in the foreground, return an exit code."""
    args = build_parser(prog).parse_args(argv)
    try:
        store = DemoStore(port=args.port, wallet_port=args.wallet_port, faults=args.fault,
                          smtp_host=args.smtp_host, smtp_port=args.smtp_port, host=args.host)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    store_logger = logging.getLogger("checkout_tester.demostore")
    if not store_logger.handlers and not logging.getLogger().handlers:
        # show mails written to the log when nobody configured logging
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        store.start()
    except OSError as exc:
        print(f"error: cannot start the demo store: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        """Stop cleanly on SIGTERM as on Ctrl-C."""
        stop.set()

    # signal handlers can only be installed from the main thread
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if in_main else None
    try:
        print(f"Demo store: {store.url}  wallet: {store.wallet_url}  faults: {', '.join(store.faults) or 'none'}",
              flush=True)
        print(f"Admin token: {store.admin_token}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        store.stop()
        if in_main:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    print("Demo store stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
