"""Secrets never leave the run: values are remembered and blanked out of text, logs, traces and HAR files."""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable

from checkout_tester.base.secret_forms import secret_forms

MASK = "••••••"
_MASK_BYTES = MASK.encode()
_JSON_LINES = (".trace", ".network")  # Playwright trace members: one JSON event per line


class Redactor:
    """Remembers secret values and blanks them out of any text before it is written anywhere."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None
        self.add_all(values)

    def add(self, value: str) -> None:
        """Treat this value, and every form a browser, a server or a file may hold it in, as a secret."""
        if not isinstance(value, str) or not value.strip():
            return
        new = secret_forms(value) - self._values
        if new:
            self._values |= new
            self._text = self._bytes = None  # compiled again on next use

    def add_all(self, values: Iterable[str]) -> None:
        """add() each value."""
        for value in values:
            self.add(value)

    def _patterns(self) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
        if self._text is None or self._bytes is None:
            ordered = sorted(self._values, key=len, reverse=True)  # the longest form wins where forms overlap
            self._text = re.compile("|".join(map(re.escape, ordered)))
            self._bytes = re.compile(b"|".join(re.escape(v.encode()) for v in ordered))
        return self._text, self._bytes

    def __call__(self, text: Any) -> Any:
        if not isinstance(text, str) or not self._values:
            return text
        return self._patterns()[0].sub(MASK, text)

    def deep(self, value: Any) -> Any:
        """The same data with secrets blanked out of every text inside (dicts and lists walked)."""
        if isinstance(value, dict):
            return {key: self.deep(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(item) for item in value]
        return self(value)

    def found_in(self, data: bytes) -> bool:
        """Whether any secret, in any form, is in these bytes."""
        return bool(self._values) and self._patterns()[1].search(data) is not None

    def bytes(self, data: bytes) -> bytes:
        """Blank secrets out of raw bytes (network bodies, files)."""
        if not self._values:
            return data
        return self._patterns()[1].sub(_MASK_BYTES, data)

    def __bool__(self) -> bool:
        return bool(self._values)


def scrub_zip(path: str | Path, redactor: Redactor) -> None:
    """Rewrite a Playwright trace (or any zip) with every secret blanked out: events, page snapshots, network
    bodies (`resources/`). JSON events are rewritten value by value, so the trace viewer still reads them."""
    path = Path(path)
    if not redactor or not path.exists():
        return
    scrubbed = path.with_name(path.name + ".scrub")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(scrubbed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if redactor.found_in(data):
                data = _scrub_member(info.filename, data, redactor)
            target.writestr(info, data)
    os.replace(scrubbed, path)


def _scrub_member(name: str, data: bytes, redactor: Redactor) -> bytes:
    if name.endswith(_JSON_LINES):
        return b"\n".join(_scrub_json_line(line, redactor) for line in data.split(b"\n"))
    if name.endswith(".har"):
        return _scrub_har_bytes(data, redactor)
    return redactor.bytes(data)


def _scrub_json_line(line: bytes, redactor: Redactor) -> bytes:
    if not redactor.found_in(line):
        return line
    try:
        event = json.loads(line)
    except ValueError:
        return redactor.bytes(line)
    # Only string values change: a secret that happens to be digits never breaks a timestamp or a key.
    return _dump(_deep_har(event, redactor), separators=(",", ":"))


def scrub_har(path: str | Path, redactor: Redactor) -> None:
    """Rewrite a HAR file (`record_har_path`: .har, or .zip with bodies as files) with every secret blanked out,
    base64 bodies included."""
    path = Path(path)
    if not redactor or not path.exists():
        return
    if zipfile.is_zipfile(path):
        scrub_zip(path, redactor)
        return
    scrubbed = _scrub_har_bytes(path.read_bytes(), redactor)
    temporary = path.with_name(path.name + ".scrub")
    temporary.write_bytes(scrubbed)
    os.replace(temporary, path)


def _scrub_har_bytes(data: bytes, redactor: Redactor) -> bytes:
    try:
        har = json.loads(data)
    except ValueError:
        return redactor.bytes(data)
    return _dump(_deep_har(har, redactor), indent=2)


def _dump(data: Any, **options: Any) -> bytes:
    try:
        return json.dumps(data, ensure_ascii=False, **options).encode()
    except UnicodeEncodeError:  # a lone surrogate from JavaScript: keep it escaped, as it came
        return json.dumps(data, **options).encode()


def _deep_har(value: Any, redactor: Redactor) -> Any:
    """Like Redactor.deep, also through base64 bodies ({"text": ..., "encoding": "base64"})."""
    if isinstance(value, dict):
        if value.get("encoding") == "base64" and isinstance(value.get("text"), str):
            return {**{k: _deep_har(v, redactor) for k, v in value.items() if k != "text"},
                    "text": _scrub_base64(value["text"], redactor)}
        return {key: _deep_har(item, redactor) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_har(item, redactor) for item in value]
    return redactor(value)


def _scrub_base64(text: str, redactor: Redactor) -> str:
    try:
        body = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return redactor(text)
    return base64.b64encode(redactor.bytes(body)).decode() if redactor.found_in(body) else text
