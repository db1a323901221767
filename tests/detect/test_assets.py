"""Broken images and stylesheets in Chromium against the demo store's gallery: each one is a `broken_assets`
finding naming its URL and page, a warning by default; a flow can make them fail or allow them."""
from __future__ import annotations

import pytest

from tests.detect.conftest import Case, Run
from tests.detect.test_detectors import _attachments

pytestmark = pytest.mark.e2e
BROKEN = ("/static/no-such-teapot.png (image) on ", "/static/gallery-missing.css (stylesheet) on ",
          "/detect/not-an-image.png alt 'Linen Apron' has no size (it did not decode) on ")


def _assets(case: Case) -> list[tuple[str, str]]:
    return sorted((f["text"], f["verdict"]) for f in case.detections if f["detector"] == "broken_assets")


def _only_assets(case: Case) -> None:
    assert {f["detector"] for f in case.detections} == {"broken_assets"}, case.detections  # no failed request too


def test_broken_assets_warn_by_default_naming_url_and_page(runs: dict[str, Run]) -> None:
    run = runs["assets"]
    case = run.cases["gallery"]
    assert case.outcome == "passed", case.message
    _only_assets(case)
    found = _assets(case)
    assert len(found) == 3 and {verdict for _, verdict in found} == {"warn"}
    for part in BROKEN:
        (text,) = [t for t, _ in found if part in t]
        assert text.endswith("/detect/gallery"), text  # the page it was for
    assert [t.startswith("404 GET http://127.0.0.1:") for t, _ in found] == [True, True, False]  # 2 from the network
    assert "DetectorWarning: [asset] 404 GET" in run.output and "[broken_assets: warn]" in run.output
    assert any(a.startswith("detector: warning") for a in _attachments(case))


def test_a_flow_can_make_broken_assets_fail(runs: dict[str, Run]) -> None:
    case = runs["assets"].cases["gallery_fail"]
    assert case.outcome == "failed"
    assert "step 1 `goto /detect/gallery` failed at tests/detect/fixtures/assets/gallery_fail.flow.yaml:5" in case.message
    assert "Class:    request failed" in case.message and "[asset] 404 GET" in case.message
    assert {verdict for _, verdict in _assets(case)} == {"fail"}


def test_known_broken_assets_can_be_allowed(runs: dict[str, Run]) -> None:
    case = runs["assets"].cases["gallery_allowed"]
    assert case.outcome == "passed", case.message
    _only_assets(case)
    assert {verdict for _, verdict in _assets(case)} == {"allowed"}


def test_a_healthy_gallery_reports_nothing(runs: dict[str, Run]) -> None:
    case = runs["assets"].cases["gallery_healthy"]
    assert case.outcome == "passed", case.message
    assert not case.detections
