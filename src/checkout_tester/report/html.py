"""Generate the Allure HTML report offline with Allure 2's own generator, keeping trend history."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LOCAL_ALLURE = Path(".tools/allure2/node_modules/.bin/allure")


def allure_binary() -> str | None:
    """ALLURE_BIN, the project's local install (make setup), or `allure` on PATH."""
    candidates = [os.environ.get("ALLURE_BIN"), str(LOCAL_ALLURE.resolve()) if LOCAL_ALLURE.exists() else None,
                  shutil.which("allure")]
    return next((c for c in candidates if c), None)


def generate(results: str, output: str) -> int:
    """allure generate RESULTS -o OUTPUT, after carrying the last report's history over for trends."""
    binary = allure_binary()
    if binary is None:
        print("Allure generator not found: run `make setup` (npm allure-commandline into .tools/allure2) "
              "or set ALLURE_BIN", file=sys.stderr)
        return 2
    if not Path(results).is_dir():
        print(f"no Allure results in {results}: run flows first (checkout-tester run)", file=sys.stderr)
        return 2
    # Two reports from the same results: a servable site that keeps history/ for trends, and a
    # single-file index.html that opens straight from disk (Allure 2's single file has no history/).
    site = Path(f"{output}-site")
    history = site / "history"
    if history.is_dir():
        shutil.copytree(history, Path(results) / "history", dirs_exist_ok=True)
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}  # no call to an outside host from the report
    for target, extra in ((str(site), []), (output, ["--single-file"])):
        done = subprocess.run([binary, "generate", results, "-o", target, "--clean", *extra], env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout + done.stderr, file=sys.stderr)
            return done.returncode
    print(f"Allure report: {Path(output) / 'index.html'} (one file, opens from disk); "
          f"with trend history: {site}/ (serve it, e.g. python -m http.server -d {site})")
    return 0
