"""Evidence of failed runs is kept for a while: folders older than --keep-days, then the oldest over --keep-mb, go."""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

log = logging.getLogger("checkout_tester.monitor")


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def prune(root: Path, keep_days: float | None, keep_mb: float | None, spare: Path | None = None) -> list[Path]:
    """Delete run folders under `root`, oldest first, past the age or size limits (never `spare`); returns them."""
    if not root.is_dir():
        return []
    folders = sorted((p for p in root.iterdir() if p.is_dir() and p != spare), key=lambda p: p.stat().st_mtime)
    deleted: list[Path] = []
    if keep_days is not None:
        cutoff = time.time() - keep_days * 86400
        while folders and folders[0].stat().st_mtime < cutoff:
            deleted.append(folders.pop(0))
    if keep_mb is not None:
        sizes = {folder: _size(folder) for folder in folders}
        kept = _size(spare) if spare is not None and spare.is_dir() else 0  # counts, but is never deleted
        total, limit = sum(sizes.values()) + kept, keep_mb * 1024 * 1024
        while folders and total > limit:
            oldest = folders.pop(0)
            total -= sizes[oldest]
            deleted.append(oldest)
    for folder in deleted:
        shutil.rmtree(folder, ignore_errors=True)
    if deleted:
        log.info("deleted the evidence of %d old run(s) under %s", len(deleted), root)
    return deleted
