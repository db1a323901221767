"""GitHub Actions: `::error` / `::warning` workflow commands per flow variant, and the job summary in Markdown."""
from __future__ import annotations

import re
from typing import Any, Callable

FAILED = ("failed", "broken", "interrupted")
_AT = re.compile(r" at (\S+):(\d+)\)?$", re.MULTILINE)  # "(step 2 `goto /cart` at flows/x.flow.yaml:5)"
MAX_MESSAGE = 4000  # an annotation shows a few lines; the whole message is in the log and the reports


def escape_data(text: str) -> str:
    """A command's message, escaped as GitHub's toolkit does (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value (file, title): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, where: str, title: str, message: str) -> str:
    """`::error file=F,line=L,title=T::message`."""
    file, _, line = where.rpartition(":")
    props = [f"file={escape_property(file)}", f"line={line}"] if file and line.isdigit() else []
    props.append(f"title={escape_property(title)}")
    return f"::{kind} {','.join(props)}::{escape_data(message.strip()[:MAX_MESSAGE])}"


def commands(results: list[Any], place: Callable[[str], str] = str) -> list[str]:
    """One ::error per failed flow variant at its failing step's line; one ::warning per degraded one.

    `place` turns a `file:line` of the run into the one GitHub looks for (relative to the repository)."""
    lines = []
    for r in results:
        if r.outcome in FAILED:
            where = place(r.failed_at or r.flow_at)
            lines.append(command("error", where, f"{r.nodeid}: {r.failure_class or r.outcome}", r.message))
        elif r.outcome == "passed" and r.degraded and not r.expected_failure:
            found = _AT.search(r.degraded)
            where = place(f"{found.group(1)}:{found.group(2)}" if found else r.flow_at)
            lines.append(command("warning", where, f"{r.nodeid}: degraded (timing budget warn)", r.degraded))
    return lines


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def slowest_pages(summary: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """The pages with the longest median load over the run (timings summary), slowest first."""
    pages = []
    for key, flow in summary.items():
        for page in flow["pages"]:
            load = page.get("load_ms") or {}
            if load:
                pages.append({"flow": key, **page, "median": load["median"]})
    return sorted(pages, key=lambda p: p["median"], reverse=True)[:limit]


def job_summary(results: list[Any], summary: dict[str, Any], counts: str) -> str:
    """The Markdown for $GITHUB_STEP_SUMMARY: counts, the results table, the slowest pages, the failures."""
    icons = {"passed": "✅", "degraded": "⚠️", "failed as expected": "✅", "skipped": "⏭️"}
    out = [f"## checkout-tester: {counts}", "", "| flow | result | time | class | where |", "|---|---|---|---|---|"]
    for r in results:
        status = r.status
        where = r.failed_at or r.flow_at
        out.append(f"| `{_cell(r.nodeid)}` | {icons.get(status, '❌')} {status} | {r.duration_s:.1f} s "
                   f"| {_cell(r.failure_class or ('timing budget (warn)' if status == 'degraded' else ''))} "
                   f"| `{_cell(where)}` |")
    pages = slowest_pages(summary)
    if pages:
        out += ["", "### Slowest pages (median over the runs)", "",
                "| page | flow | step | load ms | TTFB ms | LCP ms |", "|---|---|---|---|---|---|"]
        for p in pages:
            method = "" if p.get("method", "GET") == "GET" else f"{p['method']} "  # a form post, timed as the post
            out.append(f"| `{method}{_cell(p['url'])}` | `{_cell(p['flow'])}` | {p['step']} | {p['median']:.0f} "
                       f"| {_median(p.get('ttfb_ms'))} | {_median(p.get('lcp_ms'))} |")
    failed = [r for r in results if r.outcome in FAILED]
    if failed:
        out += ["", "### Failures", ""]
        for r in failed:
            out += [f"<details><summary>{_html(r.nodeid)}: {_html(r.failure_class or r.outcome)}</summary>", "",
                    "```text", r.message.strip().replace("```", "'''"), "```", "", "</details>", ""]
    return "\n".join(out) + "\n"


def _median(figures: dict[str, float] | None) -> str:
    return f"{figures['median']:.0f}" if figures else "-"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
