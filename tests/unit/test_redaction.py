"""Redaction without a browser: every encoding of a secret, traces and HAR files scrubbed without breaking them,
secrets given on the command line."""
from __future__ import annotations

import base64
import html
import json
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

import markupsafe
import pytest

from checkout_tester.base.redaction import MASK, Redactor, scrub_har, scrub_zip
from checkout_tester.pytest import secrets
from checkout_tester.target.config_file import load_target

ROOT = Path(__file__).resolve().parents[2]
SECRET = 's3cret & "horse"+é <42>'


@pytest.mark.parametrize("written", [
    SECRET,
    urllib.parse.quote_plus(SECRET),                       # a form post
    urllib.parse.quote(SECRET, safe=""),                   # a query string
    urllib.parse.quote(SECRET, safe="").lower(),           # lower-case escapes
    json.dumps(SECRET)[1:-1],                              # a JSON body, \u00e9
    json.dumps(SECRET, ensure_ascii=False)[1:-1],          # a trace event
    html.escape(SECRET),                                   # &quot;
    str(markupsafe.escape(SECRET)),                        # Jinja: &#34;
    str(markupsafe.escape(SECRET)).replace("+", "&#43;"),  # Go's html/template
    SECRET.replace(" ", ""),
])
def test_a_secret_is_masked_in_every_encoding_pages_and_requests_use(written: str) -> None:
    assert Redactor([SECRET])(f"before {written} after") == f"before {MASK} after"
    assert Redactor([SECRET]).bytes(f"<{written}>".encode()) == f"<{MASK}>".encode()


@pytest.mark.parametrize("shown", ["4242 4242 4242 4242", "4242-4242-4242-4242", "4242424242424242",
                                   "4242+4242+4242+4242", "4242%204242%204242%204242"])
def test_a_card_number_is_masked_grouped_or_not(shown: str) -> None:
    for configured in ("4242424242424242", "4242 4242 4242 4242"):
        assert Redactor([configured])(f"card {shown}.") == f"card {MASK}."


def test_blank_and_very_short_values_mask_nothing() -> None:
    redactor = Redactor(["", "   ", "ab"])
    assert not redactor and redactor("ab cd") == "ab cd"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_trace_stays_readable_json_with_secrets_blanked_out_of_events_snapshots_and_bodies(tmp_path: Path) -> None:
    digits = "1234567"  # a secret that is also a run of digits inside a timestamp
    events = [{"type": "before", "method": "fill", "params": {"value": SECRET}, "wallTime": 1712345678901},
              {"type": "frame-snapshot", "snapshot": {"html": ["INPUT", {"placeholder": f"code {digits}"}]}},
              {"type": "log", "message": "nothing secret", "time": 7.5}]
    lines = b"\n".join(json.dumps(event).encode() for event in events)  # ASCII-escaped, as JSON may be
    body = f"email=a%40b.c&password={urllib.parse.quote_plus(SECRET)}".encode()
    trace = _zip(tmp_path / "trace.zip", {"trace.trace": lines, "trace.network": b"",
                                          "resources/body.dat": body, "screencast/frame.jpeg": b"\xff\xd8\xff"})
    scrub_zip(trace, Redactor([SECRET, digits]))
    with zipfile.ZipFile(trace) as archive:
        scrubbed = [json.loads(line) for line in archive.read("trace.trace").splitlines()]
        assert archive.read("resources/body.dat") == f"email=a%40b.c&password={MASK}".encode()
        assert archive.read("screencast/frame.jpeg") == b"\xff\xd8\xff"
    assert scrubbed[0]["params"]["value"] == MASK and scrubbed[0]["wallTime"] == 1712345678901
    assert scrubbed[1]["snapshot"]["html"][1]["placeholder"] == f"code {MASK}"
    assert scrubbed[2] == events[2]


def _har(secret: str) -> dict[str, Any]:
    api_body = json.dumps({"card": secret}).encode()
    return {"log": {"version": "1.2", "entries": [{
        "request": {"url": f"http://shop/pay?card={urllib.parse.quote(secret)}", "headers": [],
                    "postData": {"mimeType": "application/x-www-form-urlencoded",
                                 "text": f"card={urllib.parse.quote_plus(secret)}",
                                 "params": [{"name": "card", "value": secret}]}},
        "response": {"status": 200, "content": {"mimeType": "application/json", "size": len(api_body),
                                                "encoding": "base64", "text": base64.b64encode(api_body).decode()}},
    }]}}


def test_scrub_har_blanks_urls_form_bodies_and_base64_responses(tmp_path: Path) -> None:
    path = tmp_path / "network.har"
    path.write_text(json.dumps(_har(SECRET)))
    scrub_har(path, Redactor([SECRET]))
    entry = json.loads(path.read_text())["log"]["entries"][0]
    assert entry["request"]["url"] == f"http://shop/pay?card={MASK}"
    assert entry["request"]["postData"]["text"] == f"card={MASK}"
    assert entry["request"]["postData"]["params"][0]["value"] == MASK
    assert json.loads(base64.b64decode(entry["response"]["content"]["text"])) == {"card": MASK}


def test_scrub_har_reads_a_zipped_har_with_bodies_as_files(tmp_path: Path) -> None:
    har = _zip(tmp_path / "network.zip", {"har.har": json.dumps(_har(SECRET)).encode(),
                                          "1f2e.json": json.dumps({"echo": SECRET}).encode()})
    scrub_har(har, Redactor([SECRET]))
    with zipfile.ZipFile(har) as archive:
        assert json.loads(archive.read("1f2e.json")) == {"echo": MASK}
        text = archive.read("har.har").decode()
    assert json.loads(text)["log"]["version"] == "1.2"
    assert "s3cret" not in text and "s3cret" not in base64.b64decode(json.loads(text)["log"]["entries"][0][
        "response"]["content"]["text"]).decode()


class Options:
    """A pytest config's getoption, for the options given."""

    def __init__(self, **options: list[str]) -> None:
        self.options = {f"--{name}": value for name, value in options.items()}

    def getoption(self, name: str) -> list[str]:
        return self.options.get(name, [])


def test_secrets_given_on_the_command_line_win_are_known_and_never_shown() -> None:
    target = load_target(ROOT / "config/demo.yaml")
    target.secrets["name"] = target.secrets["SHOP_PASSWORD"].model_copy(update={"env": "CT_UNSET_NAME"})
    config = Options(secret=["SHOP_PASSWORD=given pass 1", "PROMO=HALF-OFF"], var=["name=Janet Q", "email=a@b.c"])
    secrets.apply(config, target)
    assert target.secret("SHOP_PASSWORD") == "given pass 1" and target.secret("PROMO") == "HALF-OFF"
    known = target.secret_values()
    assert {"given pass 1", "HALF-OFF", "Janet Q", "4242 4242 4242 4242", "4000 0000 0000 0002"} <= set(known)
    assert "a@b.c" not in known  # an ordinary --var
    assert secrets.reproduce_options(config, target) == [
        f"--secret=SHOP_PASSWORD={MASK}", f"--secret=PROMO={MASK}", f"--var=name={MASK}", "--var=email=a@b.c"]


def test_a_malformed_secret_option_is_refused_without_echoing_the_value() -> None:
    problems = secrets.option_problems(Options(secret=["hunter2-value", "1BAD=hunter3-value", "GOOD=x"]))
    assert len(problems) == 2 and all("write --secret NAME=VALUE" in problem for problem in problems), problems
    assert not any("hunter" in problem for problem in problems), problems
