"""Browser set-up around pytest-playwright: Debian's ffmpeg for video, Xvfb for --headed."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from checkout_tester.target.config import BrowserSettings, resolve_executable


def _browsers_path() -> Path:
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env and env != "0":
        return Path(env)
    return Path.home() / ".cache" / "ms-playwright"


def ensure_ffmpeg() -> None:
    """Video needs Playwright's ffmpeg, which cannot be downloaded here: link Debian's in its place."""
    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    entries = json.loads(browsers.read_text())["browsers"]
    revision = next((b["revision"] for b in entries if b["name"] == "ffmpeg"), None)
    system = shutil.which("ffmpeg")
    if revision is None or system is None:
        return
    target = _browsers_path() / f"ffmpeg-{revision}" / "ffmpeg-linux"
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(system)


def ensure_display() -> str | None:
    """For --headed on a machine with no screen: start Xvfb and point DISPLAY at it.

    Returns the display started, or None when one is already set. Raises with the reason when
    Xvfb is missing, instead of Chromium's bare 'Missing X server or $DISPLAY'.
    """
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    binary = shutil.which("Xvfb")
    if binary is None:
        raise RuntimeError("--headed needs a display: none is set and Xvfb is not installed "
                           "(apt-get install xvfb, or run `make setup`)")
    # -displayfd: Xvfb picks a free display number and writes it to the pipe once it is ready.
    process = subprocess.Popen([binary, "-displayfd", "1", "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    number = process.stdout.readline().decode().strip()
    if not number:
        process.kill()
        raise RuntimeError("Xvfb did not start; --headed needs a display")
    atexit.register(process.terminate)
    os.environ["DISPLAY"] = f":{number}"
    return os.environ["DISPLAY"]


def launch_options(settings: BrowserSettings, playwright_executable: str | None) -> dict[str, Any]:
    """Launch options from a target's browser settings (headless, flags, the executable)."""
    # The browser ignores Ctrl-C and SIGTERM itself: they reach the whole process group, and the run
    # stops at the next step and closes the browser in order (interrupts.py) instead of losing it mid-step.
    options: dict[str, Any] = {"headless": settings.headless, "args": list(settings.args),
                               "handle_sigint": False, "handle_sigterm": False, "handle_sighup": False}
    executable = None if settings.remote else resolve_executable(settings.executable, playwright_executable)
    if executable:  # a remote browser (connect:, cdp:) is the server's: nothing to find here
        options["executable_path"] = executable
    return options


def context_options(settings: BrowserSettings) -> dict[str, Any]:
    """Context options from a target's browser settings (viewport, locale)."""
    options: dict[str, Any] = {}
    if settings.viewport:
        options["viewport"] = settings.viewport
    if settings.locale:
        options["locale"] = settings.locale
    return options
