"""Browser set-up outside pytest-playwright's fixtures: Debian's ffmpeg for video."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


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
