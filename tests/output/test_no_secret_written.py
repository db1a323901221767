"""A secret typed into a page never reaches anything the run writes: reports, timings, traces, screenshots' names."""
from __future__ import annotations

import urllib.parse
import zipfile
from pathlib import Path

import pytest

from tests.output.helpers import junit, project, run_cli

pytestmark = pytest.mark.e2e
SECRET = "correct horse 42 battery"  # spaces: a browser sends it as correct+horse+42+battery


def _forms(secret: str) -> set[bytes]:
    forms = {secret, secret.replace(" ", ""), urllib.parse.quote(secret), urllib.parse.quote_plus(secret)}
    return {f.encode() for f in forms}


def _written(folder: Path) -> list[tuple[str, bytes]]:
    """Every file under folder, the members of every zip (traces) read as well."""
    found: list[tuple[str, bytes]] = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found += [(f"{path}!{name}", archive.read(name)) for name in archive.namelist()]
    return found


def test_a_typed_secret_is_in_no_report_log_or_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = project(tmp_path, ("k_secret_search.flow.yaml",))
    monkeypatch.setenv("DEMO_SHOP_PASSWORD", SECRET)
    done = run_cli(cwd, "suite/", "--target=config/demo.yaml", "--tracing=on", "--screenshot=on")
    assert junit(cwd)["k_secret_search"].outcome == "failed", done.stdout + done.stderr
    files = _written(cwd / "reports") + _written(cwd / "test-results")
    names = {Path(name.split("!")[0]).name for name, _ in files}
    assert {"timings.json", "junit.xml", "trace.zip"} <= names, sorted(names)
    leaks = [name for name, data in files for form in _forms(SECRET) if form in data]
    assert leaks == [], leaks
    for form in _forms(SECRET):
        assert form.decode() not in done.stdout + done.stderr
