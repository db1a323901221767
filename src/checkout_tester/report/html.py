"""Generate the Allure HTML report offline with Allure 2's own generator, keeping trend history per target."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from checkout_tester.report.allure_install import GeneratorMissing, ensure_generator, find_generator

LAST_RUN = Path("reports/last-run.json")  # written by the pytest plugin (pytest/allure_setup.py)


def allure_binary() -> str | None:
    """ALLURE_BIN, a local or cached install, or an Allure 2 `allure` on PATH (see allure_install.py)."""
    return find_generator()


def target_of(results: str | Path) -> str:
    """The target the results were run against (environment.properties), as a folder name."""
    try:
        text = Path(results, "environment.properties").read_text()
    except OSError:
        return "unknown-target"
    found = re.search(r"^target=(.*)$", text, re.MULTILINE)
    name = found.group(1).strip() if found else ""
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "unknown-target"


def stale_warning(results: str | Path, last_run: Path = LAST_RUN) -> str:
    """A warning when the results are older than the last flow run (which wrote none there), else ''."""
    try:
        run = json.loads(last_run.read_text())
        started = float(run["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    written = [p.stat().st_mtime for p in Path(results).glob("*-result.json")]
    if written and max(written) >= started:
        return ""
    where = run.get("allure_results")
    why = ("it ran with --no-allure (or checkout_allure = false)" if not where else f"it wrote them to {where}")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(max(written))) if written else "never"
    return (f"warning: the Allure results in {results} are older than the last run ({run.get('started_at', '?')}): "
            f"{why}; this report shows the run of {when}")


def generate(results: str, output: str, single_file: bool = True) -> int:
    """allure generate RESULTS -o OUTPUT, after carrying this target's history over for trends.

    Writes OUTPUT-site/ (a site with trend history) and, unless single_file is False, OUTPUT/index.html."""
    if not Path(results).is_dir() or not any(Path(results).glob("*-result.json")):
        print(f"no Allure results in {results}: run flows first (checkout-tester run, or pytest flows/)",
              file=sys.stderr)
        return 2
    try:
        binary = ensure_generator()
    except GeneratorMissing as exc:
        print(str(exc), file=sys.stderr)
        return 2
    warning = stale_warning(results)
    if warning:
        print(warning, file=sys.stderr)
    # Two reports from the same results: a servable site that keeps history/ for trends, and a
    # single-file index.html that opens straight from disk (Allure 2's single file has no history/).
    # History is kept per target: a trend of runs against staging and production mixed means nothing.
    site = Path(f"{output}-site")
    kept = Path(f"{output}-history") / target_of(results)
    shutil.rmtree(Path(results) / "history", ignore_errors=True)
    if kept.is_dir():
        shutil.copytree(kept, Path(results) / "history")
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}  # no call to an outside host from the report
    jobs: list[tuple[str, list[str]]] = [(str(site), [])] + ([(output, ["--single-file"])] if single_file else [])
    for target, extra in jobs:
        done = subprocess.run([binary, "generate", results, "-o", target, "--clean", *extra], env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout + done.stderr, file=sys.stderr)
            return done.returncode
    if (site / "history").is_dir():
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(site / "history", kept)
    one_file = f"{Path(output) / 'index.html'} (one file, opens from disk); " if single_file else ""
    print(f"Allure report: {one_file}"
          f"with trend history of target {target_of(results)}: {site}/ (serve it, e.g. python -m http.server -d {site})")
    return 0
