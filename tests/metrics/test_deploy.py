"""deploy/: alert rules and Prometheus config (promtool), the Grafana dashboard's queries against a real
Prometheus scraping real metrics, the systemd unit (systemd-analyze) and the Kubernetes CronJob."""
from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from checkout_tester.monitor.metrics import FlowMetrics, serve
from checkout_tester.monitor.record import RunRecord
from tests.metrics.conftest import again
from tests.metrics.servers import get, need, prometheus, query
from tests.metrics.test_metrics import samples

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OURS = re.compile(r"\bcheckout_[a-z_]+\b")
# What Grafana puts in a query before it reaches Prometheus.
GRAFANA_VARIABLES = {"$flow": ".*", "$location": ".*", "$__range": "1h", "$__rate_interval": "1m"}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run Debian's promtool in deploy/prometheus."""
    return subprocess.run([need("promtool"), *args], cwd=DEPLOY / "prometheus", capture_output=True, text=True,
                          timeout=60)


def test_alert_rules_and_prometheus_config_pass_promtool() -> None:
    for args in (("check", "rules", "alerts.yml"), ("check", "config", "prometheus.yml"),
                 ("test", "rules", "alerts_test.yml")):  # the rules fire as their unit tests expect
        done = promtool(*args)
        assert done.returncode == 0 and "SUCCESS" in done.stdout, done.stdout + done.stderr


def dashboard_queries() -> list[str]:
    """Every PromQL query of the dashboard: panel targets and template variables."""
    dashboard = json.loads((DEPLOY / "grafana" / "checkout-tester.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 10 and all(exprs)
    variables = [v["definition"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return exprs + variables


def rule_queries() -> list[str]:
    """Every expr of the alerting rules."""
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def _promql(expr: str) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    label_values = re.fullmatch(r"label_values\((\w+), *\w+\)", expr)
    return label_values.group(1) if label_values else expr  # Grafana asks for the series of that metric


def test_dashboard_and_rules_query_what_the_code_exports(real_records: dict[str, RunRecord], tmp_path: Path) -> None:
    metrics = FlowMetrics()
    for minutes, record in enumerate(real_records.values()):  # passed, failed, degraded, broken
        metrics(again(record, minutes))
    with serve(metrics, 0) as server, prometheus(tmp_path, f"127.0.0.1:{server.port}") as prom:
        exported = {name for name, _, _ in samples(get(server.url + "/metrics").decode())}
        used = {name for expr in dashboard_queries() + rule_queries() for name in OURS.findall(expr)}
        assert used and used <= exported, f"not exported: {sorted(used - exported)}"
        assert {"checkout_flow_runs_total", "checkout_flow_up", "checkout_page_lcp_seconds",
                "checkout_flow_duration_seconds_bucket", "checkout_step_duration_seconds_bucket"} <= used

        for expr in rule_queries():  # valid PromQL for this Prometheus (empty is fine: nothing fires)
            query(prom.url, expr)
        pending = {expr: _promql(expr) for expr in dashboard_queries()}
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:  # every panel shows data once Prometheus scraped twice
            pending = {e: q for e, q in pending.items() if not query(prom.url, q)}
            time.sleep(0.5)  # polling the condition, with a deadline
        assert not pending, f"no data for: {list(pending)}"


def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = DEPLOY / "systemd" / "checkout-tester-monitor.service"
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parsed.read(unit)
    for section, key in (("Unit", "Description"), ("Service", "ExecStart"), ("Service", "User"),
                         ("Service", "Restart"), ("Install", "WantedBy")):
        assert parsed.get(section, key), f"{section}.{key}"
    command = shlex.split(parsed.get("Service", "ExecStart"))
    assert command[0] == "/opt/checkout-tester/.venv/bin/checkout-tester" and command[1] == "monitor"
    assert "--port" in command and "--target" in command
    if shutil.which("systemd-analyze") is None:
        return  # the INI checks above are what can be checked without systemd
    # verify also checks that ExecStart's program exists: point it at this environment's checkout-tester.
    here = Path(sys.executable).with_name("checkout-tester")
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(command[0], str(here)))
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    ours = [line for line in (done.stdout + done.stderr).splitlines() if unit.name in line]
    assert done.returncode == 0 and not ours, done.stdout + done.stderr


def test_kubernetes_cronjob_pushes_to_a_pushgateway() -> None:
    manifest: dict[str, Any] = yaml.safe_load((DEPLOY / "kubernetes" / "cronjob.yaml").read_text())
    assert manifest["apiVersion"] == "batch/v1" and manifest["kind"] == "CronJob"
    spec = manifest["spec"]
    assert len(spec["schedule"].split()) == 5 and spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    (container,) = pod["containers"]
    assert container["name"] and container["image"]
    command = container["command"] + container.get("args", [])  # sharded: `sh -c 'exec checkout-tester run ...'`
    assert "checkout-tester run" in " ".join(command)
    assert command[command.index("--pushgateway") + 1].startswith("http")
    assert "--location" in command and "--target" in command
