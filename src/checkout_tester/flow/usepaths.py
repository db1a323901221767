"""Where a `use:` step may reach: a YAML file inside the flows folder, named by a plain relative path."""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_PATH = 255  # characters in a `use:` path
MAX_PART = 120  # characters in one folder or file name of it
MAX_USE_DEPTH = 16  # parts that use parts ...: deeper is a mistake, and would recurse without end
SUFFIXES = (".yaml", ".yml")
OUTSIDE_HINT = "write a path relative to this file that stays inside the flows folder ({folder}), " \
               "e.g. use: parts/login.part.yaml"


@dataclass(frozen=True)
class PathProblem:
    """Why a `use:` path is refused, and the fix; `{folder}` in the hint is the flows folder."""

    message: str
    hint: str


def confine(folder: Path, raw: str, base: Path) -> tuple[Path | None, PathProblem]:
    """The file `raw` names (relative to `folder`), or None and why: never outside `base`, never read here."""
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    if not raw.strip():
        return None, PathProblem("'use' needs the path of a flow file", OUTSIDE_HINT)
    if len(raw) > MAX_PATH or any(len(part) > MAX_PART for part in raw.split("/")):
        return None, PathProblem(f"the path of 'use' is too long ({len(raw)} characters: '{shown}')",
                                 f"keep it under {MAX_PATH} characters and names under {MAX_PART}")
    if "\\" in raw or any(unicodedata.category(ch)[0] == "C" for ch in raw):
        return None, PathProblem(f"the path of 'use' holds a control character or backslash: {raw[:60]!r}",
                                 "write folders with '/', e.g. use: parts/login.part.yaml")
    if PurePosixPath(raw).is_absolute() or raw.startswith("~"):
        return None, PathProblem(f"'use' takes a path relative to this file, not '{shown}'", OUTSIDE_HINT)
    if not raw.endswith(SUFFIXES):
        return None, PathProblem(f"'use' names a flow file ending in .yaml, not '{shown}'",
                                 "e.g. use: parts/login.part.yaml")
    lexical = Path(os.path.normpath(folder / raw))
    if not lexical.is_relative_to(base):
        return None, PathProblem(f"'use: {shown}' points outside the flows folder", OUTSIDE_HINT)
    try:
        target = lexical.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, or a name the system refuses
        return None, PathProblem(f"'use: {shown}' can't be followed (a symlink loop?)", OUTSIDE_HINT)
    if not target.is_relative_to(base):
        return None, PathProblem(f"'use: {shown}' is a symlink to a file outside the flows folder", OUTSIDE_HINT)
    return target, PathProblem("", "")
