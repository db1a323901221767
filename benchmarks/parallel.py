"""Parallel runs: N flow files under pytest-xdist `-n 2` vs `-n 0`, whole pytest processes timed from outside.

The N files are copies of one shipped flow (default add_to_cart) in a temporary folder, with
flows/parts/ beside them. Each xdist worker starts its own demo store and browser, as it would
in a real run. Sides alternate, --runs times each; medians are compared.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, PYTHON, machine, median, parser, spread, timed_run

PYTEST = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--target", "config/demo.yaml"]


def make_copies(folder: Path, flow: Path, count: int) -> None:
    """`count` copies of the flow file, plus the shared parts it may use."""
    shutil.copytree(FLOWS / "parts", folder / "parts")
    for i in range(count):
        (folder / f"{i:02d}_{flow.name}").write_text(flow.read_text(encoding="utf-8"), encoding="utf-8")


def main() -> None:
    """Alternate -n 0 and -n 2 runs; print the speed-up of the medians."""
    ap = parser(__doc__, runs=3)
    ap.add_argument("--flows", type=int, default=20, help="flow files in the suite (default 20)")
    ap.add_argument("--flow", default=str(FLOWS / "add_to_cart.flow.yaml"), help="flow file to copy")
    ap.add_argument("--workers", default="2", help="xdist workers (default 2)")
    args = ap.parse_args()
    serial: list[float] = []
    parallel: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ct-parallel-") as tmp:
        make_copies(Path(tmp), Path(args.flow), args.flows)
        for i in range(args.runs):
            order = ("0", args.workers) if i % 2 == 0 else (args.workers, "0")
            for workers in order:
                elapsed = timed_run(PYTEST + ["-n", workers, tmp])
                (serial if workers == "0" else parallel).append(elapsed)
                print(f"  -n {workers}: {elapsed:.1f} s", flush=True)
    print(f"machine: {machine()}; {args.flows} x {Path(args.flow).name}")
    print(f"-n 0 runs: {' '.join(f'{t:.1f}' for t in serial)} ({spread(serial)})")
    print(f"-n {args.workers} runs: {' '.join(f'{t:.1f}' for t in parallel)} ({spread(parallel)})")
    print(f"parallel: {median(serial) / median(parallel):.2f}x speed-up (-n {args.workers} {median(parallel):.1f} s "
          f"vs -n 0 {median(serial):.1f} s for {args.flows} flows, median of {args.runs})")


if __name__ == "__main__":
    main()
