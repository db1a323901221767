"""A private PostgreSQL cluster for one test: initdb and pg_ctl into a temp folder, as an unprivileged user."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from tests.live.store_process import free_port

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None) \
    if Path("/usr/lib/postgresql").is_dir() else None
MISSING = "PostgreSQL's server binaries are missing (Debian package postgresql; `make system` installs it)"


class PostgresCluster:
    """initdb, start on a free port of 127.0.0.1 (socket in the folder), trust auth; stopped and deleted on exit."""

    def __init__(self, user: str = "nobody") -> None:
        assert BIN is not None, MISSING
        self.user = user
        self.folder = Path(tempfile.mkdtemp(prefix="ct-pg-"))
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_user(self, *args: str) -> subprocess.CompletedProcess[str]:
        # PostgreSQL refuses to run as root: run its tools as an unprivileged user.
        command = list(args) if os.getuid() != 0 else ["runuser", "-u", self.user, "--", *args]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def __enter__(self) -> PostgresCluster:
        assert BIN is not None
        if os.getuid() == 0:
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._as_user(str(BIN / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust",
                      "--no-sync", "-E", "UTF8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_user(str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                      "-l", str(self.folder / "server.log"), "-w", "-t", "120", "start")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self._as_user(str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
