"""Validation speed: load and validate 200 flow files without a browser, each run in a fresh process.

The 200 files are generated copies of the shipped flows (with flows/parts/ beside them, so every
`use` resolves) in a temporary folder. Two clocks per run: `validate_paths` itself (the target:
under 1 s) and the whole `checkout-tester validate DIR` command, interpreter start and imports included.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, PYTHON, ROOT, machine, median, parser, spread, timed_run

TARGET_S = 1.0
# Run in the child: time only loading + validating; print the count so the parent can check it.
CHILD = """
import sys, time
from checkout_tester.flow.loader import validate_paths, find_flow_files, FLOW_GLOB
started = time.perf_counter()
errors = validate_paths([sys.argv[1]])
elapsed = time.perf_counter() - started
print(len(find_flow_files([sys.argv[1]], (FLOW_GLOB,))), len(errors), elapsed)
"""


def make_copies(folder: Path, count: int) -> None:
    """`count` flow files cycling through the shipped ones, plus the shared parts they use."""
    shipped = sorted(FLOWS.glob("*.flow.yaml"))
    shutil.copytree(FLOWS / "parts", folder / "parts")
    for i in range(count):
        source = shipped[i % len(shipped)]
        (folder / f"{i:03d}_{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


def main() -> None:
    """Validate the generated folder --runs times; print the medians and the ratio to 1 s."""
    ap = parser(__doc__, runs=5)
    ap.add_argument("--files", type=int, default=200, help="flow files to generate (default 200)")
    args = ap.parse_args()
    inner: list[float] = []
    command: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ct-validate-") as tmp:
        folder = Path(tmp)
        make_copies(folder, args.files)
        for _ in range(args.runs):
            done = subprocess.run([PYTHON, "-c", CHILD, str(folder)], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            files, errors, elapsed = done.stdout.split()
            if int(files) != args.files or int(errors):
                raise SystemExit(f"expected {args.files} valid flow files, got {files} with {errors} error(s)")
            inner.append(float(elapsed))
            command.append(timed_run([str(Path(PYTHON).parent / "checkout-tester"), "validate", str(folder)]))
    print(f"machine: {machine()}")
    print(f"validate_paths runs: {' '.join(f'{t:.3f}' for t in inner)} ({spread(inner)})")
    print(f"whole `checkout-tester validate` runs: {' '.join(f'{t:.2f}' for t in command)} ({spread(command)})")
    print(f"validation: {median(inner):.3f} s for {args.files} flow files, {median(inner) / TARGET_S:.2f}x the "
          f"{TARGET_S:.0f} s target (whole command with Python start and imports {median(command):.2f} s; "
          f"median of {args.runs}, fresh process each)")


if __name__ == "__main__":
    main()
