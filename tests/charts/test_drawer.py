"""The drawing process: the same picture as drawn in this process, errors reported, and it ends with its input."""
from __future__ import annotations

import pytest

from checkout_tester.report import charts
from checkout_tester.report.drawer import Drawer
from tests.charts.test_chart_svg import _record


def test_the_drawing_process_draws_what_this_process_would() -> None:
    drawer = Drawer()
    try:
        record = _record()
        waterfall, unknown = drawer.submit("waterfall_svg", record), drawer.submit("os.system", "true")
        assert waterfall.result(timeout=60) == charts.waterfall_svg(record)  # the same bytes: ids are fixed
        with pytest.raises(RuntimeError, match="no such picture"):  # only the charts are drawn, nothing else runs
            unknown.result(timeout=60)
        assert drawer._proc.poll() is None  # a failed picture does not end the process
    finally:
        drawer.close()
    assert drawer._proc.returncode == 0  # stdin closed: it finished and ended
    late = drawer.submit("waterfall_svg", _record())
    with pytest.raises(RuntimeError, match="drawing process ended"):
        late.result(timeout=10)
