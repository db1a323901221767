"""`-n N` with `mail: {sink: smtp, port: P}`: one SMTP sink on P for every xdist worker.

The store sends all its mail to one port, which one process can listen on. The controller listens and writes each
mail to a spool folder; every worker reads that folder (mail.spool.SpoolReader), so a flow finds its mail whichever
worker runs it. Mailpit, or a sink on a free port (port 0, the embedded demo store's), needs no sharing."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from checkout_tester.mail.smtp_sink import SmtpSink

SPOOL = "checkout_mail_spool"  # workerinput keys
SINK = "checkout_mail_sink"


def register(config: pytest.Config, target: Any) -> None:
    """On the xdist controller, when the target's SMTP sink has a fixed port."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    settings = getattr(target, "mail", None)
    if settings is not None and settings.sink == "smtp" and settings.port:
        shared = SharedSink(settings.host, settings.port)
        try:
            shared.start()
        except OSError as exc:  # before any worker or browser starts
            shared.pytest_unconfigure()
            raise pytest.UsageError(f"mail: the SMTP sink cannot listen on {settings.host}:{settings.port} ({exc}); "
                                    "stop what holds the port, or give the target another mail port") from None
        config.pluginmanager.register(shared, "checkout-tester-shared-mail")


def worker_spool(config: pytest.Config) -> tuple[str, str, int] | None:
    """On a worker: (folder, host, port) of the controller's sink, when it runs one."""
    found = getattr(config, "workerinput", {})
    return (found[SPOOL], *found[SINK]) if SPOOL in found else None


class SharedSink:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.folder: Path | None = None
        self.sink: SmtpSink | None = None

    def start(self) -> None:
        from checkout_tester.mail.smtp_sink import SmtpSink  # aiosmtpd: only for a run that shares a sink

        self.folder = Path(tempfile.mkdtemp(prefix="checkout-mail-"))
        self.sink = SmtpSink(self.host, self.port, spool=self.folder).start()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[SPOOL] = str(self.folder)
        node.workerinput[SINK] = (self.host, self.port)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        if self.sink is not None:
            self.sink.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
