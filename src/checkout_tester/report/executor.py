"""Allure's executor.json: which CI build ran the flows (GitHub Actions, GitLab CI, Jenkins), from its variables."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping

Env = Mapping[str, str]


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _github(env: Env) -> dict[str, Any]:
    server, repo = env.get("GITHUB_SERVER_URL", "https://github.com"), env.get("GITHUB_REPOSITORY", "")
    run = f"{server}/{repo}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
    attempt = env.get("GITHUB_RUN_ATTEMPT", "")
    workflow = env.get("GITHUB_WORKFLOW", "workflow")
    return {"name": "GitHub Actions", "type": "github", "url": f"{server}/{repo}",
            "buildOrder": _number(env.get("GITHUB_RUN_NUMBER")),
            "buildName": f"{workflow} #{env.get('GITHUB_RUN_NUMBER', '?')}"
                         + (f" ({env['GITHUB_JOB']})" if env.get("GITHUB_JOB") else ""),
            "buildUrl": f"{run}/attempts/{attempt}" if attempt and attempt != "1" else run}


def _gitlab(env: Env) -> dict[str, Any]:
    pipeline = env.get("CI_PIPELINE_IID") or env.get("CI_PIPELINE_ID", "?")
    return {"name": "GitLab CI", "type": "gitlab", "url": env.get("CI_PROJECT_URL", env.get("CI_SERVER_URL", "")),
            "buildOrder": _number(env.get("CI_PIPELINE_IID") or env.get("CI_PIPELINE_ID")),
            "buildName": f"{env.get('CI_PROJECT_PATH', 'pipeline')} #{pipeline}"
                         + (f" ({env['CI_JOB_NAME']})" if env.get("CI_JOB_NAME") else ""),
            "buildUrl": env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL", "")}


def _jenkins(env: Env) -> dict[str, Any]:
    number = env.get("BUILD_NUMBER", "?")
    return {"name": "Jenkins", "type": "jenkins", "url": env.get("JENKINS_URL", ""),
            "buildOrder": _number(env.get("BUILD_NUMBER")),
            "buildName": env.get("BUILD_DISPLAY_NAME") or f"{env.get('JOB_NAME', 'job')} #{number}",
            "buildUrl": env.get("BUILD_URL", "")}


# Each CI sets its marker variable in every job; the first that is set wins.
SYSTEMS: tuple[tuple[str, Callable[[Env], dict[str, Any]]], ...] = (
    ("GITHUB_ACTIONS", _github), ("GITLAB_CI", _gitlab), ("JENKINS_URL", _jenkins))


def executor_info(env: Env | None = None) -> dict[str, Any] | None:
    """The executor of this run as Allure reads it, or None when not on a known CI."""
    env = os.environ if env is None else env
    for marker, build in SYSTEMS:
        if env.get(marker):
            info = build(env)
            info["reportName"] = "checkout-tester"
            return {key: value for key, value in info.items() if value not in (None, "")}
    return None


def write_executor(results: str | Path, env: Env | None = None) -> dict[str, Any] | None:
    """Write executor.json into an allure-results folder when on CI; returns what was written."""
    info = executor_info(env)
    if info is not None:
        Path(results, "executor.json").write_text(json.dumps(info, indent=2))
    return info


if __name__ == "__main__":  # `python -m checkout_tester.report.executor DIR`: what this environment gives
    import sys

    print(json.dumps(write_executor(sys.argv[1]) if len(sys.argv) > 1 else executor_info(), indent=2))
