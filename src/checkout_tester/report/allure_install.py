"""Find Allure 2's report generator wherever the tool is installed; install it on first use into the user's cache.

Looked for in order: $ALLURE_BIN; `.tools/allure2` of the folder you run in and of the source checkout the
tool runs from (what `make setup` installs); the user's cache (`$XDG_CACHE_HOME/checkout-tester/allure2`,
default `~/.cache/...`); an Allure 2 `allure` on PATH. When none is there, `npm install allure-commandline@2`
into the cache, once (it needs npm and Java, as Allure 2 does).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "allure-commandline@2"
BIN = Path("node_modules/.bin/allure")
SOURCE_CHECKOUT = Path(__file__).resolve().parents[3]  # src/checkout_tester/report/ -> the repository


class GeneratorMissing(Exception):
    """No generator found and none could be installed; the message names the one command that fixes it."""


def cache_dir(env: dict[str, str] | None = None) -> Path:
    """Where the generator is installed on first use: $XDG_CACHE_HOME/checkout-tester/allure2."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".cache")
    return Path(base) / "checkout-tester" / "allure2"


def install_command(folder: Path) -> list[str]:
    """The npm command that installs the generator into folder."""
    return ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", PACKAGE]


def _is_allure2(binary: str) -> bool:
    """`allure` on PATH may be Allure 3 (npm `allure`), whose command line and report differ."""
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip().startswith("2.")


def find_generator(env: dict[str, str] | None = None) -> str | None:
    """The generator already installed somewhere, or None."""
    env = dict(os.environ) if env is None else env
    if env.get("ALLURE_BIN"):
        return env["ALLURE_BIN"]
    for folder in (Path.cwd() / ".tools/allure2", SOURCE_CHECKOUT / ".tools/allure2", cache_dir(env)):
        if (folder / BIN).exists():
            return str(folder / BIN)
    on_path = shutil.which("allure", path=env.get("PATH"))
    return on_path if on_path and _is_allure2(on_path) else None


def ensure_generator(env: dict[str, str] | None = None) -> str:
    """The generator, installing it into the user's cache first when it is nowhere; GeneratorMissing if it cannot."""
    env = dict(os.environ) if env is None else env
    found = find_generator(env)
    if found:
        return found
    folder = cache_dir(env)
    command = install_command(folder)
    if not shutil.which("java", path=env.get("PATH")):
        raise GeneratorMissing("Allure 2's report generator needs Java: install it (Debian: apt-get install -y "
                               "default-jre-headless), then run `checkout-tester report` again")
    if not shutil.which("npm", path=env.get("PATH")):
        raise GeneratorMissing("Allure generator not found and npm is not installed to fetch it: install npm "
                               f"(Debian: apt-get install -y npm), or run `{' '.join(command)}` elsewhere, "
                               "or set ALLURE_BIN to an Allure 2 `allure`")
    print(f"Allure generator not found: installing {PACKAGE} into {folder} (once) ...", file=sys.stderr)
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0 or not (folder / BIN).exists():
        raise GeneratorMissing(f"could not install the Allure generator (`{' '.join(command)}` said: "
                               f"{(done.stderr or done.stdout).strip()[-400:]}); run it by hand, or set ALLURE_BIN")
    return str(folder / BIN)
