"""`-n 2` with a fixed SMTP port whose port is taken: said before any worker or browser starts."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("checkout-tester")


def test_a_taken_mail_port_under_xdist_is_a_usage_error_before_any_browser(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        target = {"name": "live", "base_url": "http://127.0.0.1:9", "mail": {"sink": "smtp", "port": port}}
        (tmp_path / "t.yaml").write_text(yaml.safe_dump(target), encoding="utf-8")
        done = subprocess.run([str(CLI), "run", "-n", "2", "--target", "t.yaml", "flows/signup.flow.yaml"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode not in (0, 1), out
    assert f"the SMTP sink cannot listen on 127.0.0.1:{port}" in out, out
    assert "Traceback" not in out and "INTERNALERROR" not in out, out
