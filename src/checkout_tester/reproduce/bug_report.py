"""BUG.md: a report a developer can paste into an issue tracker, written from one reproduction."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from checkout_tester.reproduce.bundle import Reproduction, title

LABELS = {"target": "Target", "target_config": "Target config", "base_url": "Target URL", "store_faults": "Store faults",
          "browser": "Browser", "time": "Time (UTC)", "checkout_tester": "checkout-tester", "os": "OS",
          "python": "Python"}
EVIDENCE_NAMES = {"trace": "Playwright trace (open with `playwright show-trace trace.zip`, steps grouped as in the flow)",
                  "video": "video of the run", "har": "network log (HAR)", "console": "browser console log",
                  "detections": "detector log", "timings": "step and page timings"}


def markdown(rep: Reproduction) -> str:
    """The whole BUG.md."""
    record = rep.evidence.record
    parts = rep.message_parts()
    out = [f"# {title(rep)}", ""]
    if not rep.failed:
        out += [f"**Could not reproduce**: the flow {record.outcome} with the inputs below "
                f"({record.duration_ms:.0f} ms).", ""]
    out += ["## Environment", ""]
    out += [f"- **{LABELS.get(key, key)}**: {value}" for key, value in rep.environment().items()]
    out += ["", "## Steps to reproduce", ""]
    failed_place = record.failed_step.split(" ", 1)[0] if record.failed_step else ""
    for step in rep.steps:
        mark = "  **← fails here**" if rep.failed and step.place == failed_place else ""
        out.append(f"{'   ' * step.depth}{step.place}. {step.text}{mark}")
    out += ["", "## Inputs", ""]
    inputs = rep.inputs()
    out += [f"- `{name}`: `{value}`{_given(rep, name, value)}" for name, value in inputs.items()]
    out += [] if inputs else ["- (none: the flow takes no inputs)"]
    if rep.failed:
        expected = " ".join(parts.get("expected", []))
        at = _step_text(rep, failed_place)
        out += ["", "## Expected", "", f"At step {failed_place} ({at}): {expected}" if expected else at, "",
                "## Actual", ""]
        out += [f"- {line}" for line in [*parts.get("error", []), *parts.get("page", [])]]
        out += [] if "error" in parts else [f"- {record.message.splitlines()[0]}"]
        out += ["",
                "## Failure class", "", f"**{record.failure_class}** at step {record.failed_step}", "",
                "```text", record.message, "```"]
    if rep.isolation_text:
        out += ["", "## Isolating the input", "", rep.isolation_text]
    problems = rep.problems()
    out += ["", "## Console errors", ""]
    out += [f"- `{line}`" for line in problems["console_errors"]] or ["- none"]
    out += ["", "## Failed requests", ""]
    out += [f"- `{line}`" for line in problems["failed_requests"]] or ["- none"]
    out += ["", "## Timings", "", "| step | title | status | ms |", "|---|---|---|---:|"]
    out += [f"| {s['index']} | `{s['title']}` | {s['status']} | {s['ms']:.0f} |" for s in record.steps]
    out.append(f"| | flow total | {record.outcome} | {record.duration_ms:.0f} |")
    for page in record.pages:
        figures = ", ".join(f"{key} {page[key]:g}" for key in ("ttfb_ms", "load_ms", "lcp_ms", "cls")
                            if page.get(key) is not None)
        out.append(f"\nPage of step {page.get('step')}: {page.get('url', '')}: {figures}")
    out += ["", "## Screenshots", ""]
    shots = rep.evidence.screenshots
    out += [f"- step {s['step']} `{s['title']}` ({s['status']}): [{s['path']}]({s['path']})" for s in shots]
    if shots:
        out += ["", f"![after step {shots[-1]['step']}]({shots[-1]['path']})"]
    out += ["", "## Evidence", ""]
    out += [f"- [{path}]({path}): {EVIDENCE_NAMES.get(kind, kind)}" for kind, path in rep.evidence.files.items()]
    out += [f"- {note}" for note in rep.evidence.notes]
    out += ["", "## Replay", "", "```bash", rep.command, "```", ""]
    return "\n".join(out)


def _given(rep: Reproduction, name: str, value: object) -> str:
    """How a typed value came about when it differs from the variant row (`unique:` made it new for this run)."""
    row = rep.variant.values.get(name)
    if row is None or str(row) == str(value) or name in rep.values:
        return ""
    how = " (made unique for this run: `unique:` in the flow)" if name in rep.flow.unique else ""
    return f", from the variant row's `{rep.redactor(str(row))}`{how}"


def _step_text(rep: Reproduction, place: str) -> str:
    return next((step.text for step in rep.steps if step.place == place), "")


def write(rep: Reproduction, zip_it: bool = False) -> Path | None:
    """Write BUG.md and bundle.json into the folder; with `zip_it`, pack the folder as <folder>.zip."""
    (rep.folder / "BUG.md").write_text(rep.redactor(markdown(rep)), encoding="utf-8")
    (rep.folder / "bundle.json").write_text(json.dumps(rep.as_json(), indent=2, ensure_ascii=False, default=str),
                                            encoding="utf-8")
    if not zip_it:
        return None
    return Path(shutil.make_archive(str(rep.folder), "zip", root_dir=rep.folder.parent, base_dir=rep.folder.name))
