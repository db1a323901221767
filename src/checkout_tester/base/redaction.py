"""Secrets never leave the run: values are remembered and blanked out of text, logs and traces."""
from __future__ import annotations

import os
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

MASK = "••••••"


class Redactor:
    """Remembers secret values and blanks them out of any text before it is written anywhere."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str) -> None:
        """Treat this value, and the forms a browser may send it in, as a secret."""
        for form in (value, value.replace(" ", ""), value.strip()):
            for encoded in (form, urllib.parse.quote(form), urllib.parse.quote_plus(form)):
                if len(encoded) >= 3:
                    self._values.add(encoded)

    def __call__(self, text: Any) -> Any:
        if not isinstance(text, str) or not self._values:
            return text
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text

    def deep(self, value: Any) -> Any:
        """The same data with secrets blanked out of every text inside (dicts and lists walked)."""
        if isinstance(value, dict):
            return {key: self.deep(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(item) for item in value]
        return self(value)

    def bytes(self, data: bytes) -> bytes:
        """Blank secrets out of raw bytes (trace entries, network bodies)."""
        for value in sorted(self._values, key=len, reverse=True):
            data = data.replace(value.encode(), MASK.encode())
        return data

    def __bool__(self) -> bool:
        return bool(self._values)


def scrub_zip(path: str | Path, redactor: Redactor) -> None:
    """Rewrite a Playwright trace (a zip) with every secret value blanked out."""
    path = Path(path)
    if not redactor or not path.exists():
        return
    scrubbed = path.with_suffix(".scrub")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(scrubbed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, redactor.bytes(source.read(info)))
    os.replace(scrubbed, path)
