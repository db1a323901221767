"""The monitor's defaults, in a module light enough for the command line's parser to import."""
from __future__ import annotations

HISTORY_URL = "sqlite:///reports/history.db"
ARTIFACTS = "reports/monitor/artifacts"
RECYCLE = 50  # runs on one browser before a fresh one is launched (runner.MonitorSession.run_record says why)
EVERY, RECHECK = "5m", "30s"
RUN_TIMEOUT = "10m"  # a run still going then is stuck (a driver or browser that stopped answering), not slow
KEEP_DAYS, KEEP_MB = 14.0, 500.0
