"""Live console lines: one per flow variant as it finishes (like Playwright's `list` reporter), rendered with rich."""
from __future__ import annotations

import io
from typing import Any

from rich.console import Console, RenderableType
from rich.text import Text

# status -> (symbol, style); the status words are the summary table's
SYMBOLS = {"passed": ("✓", "green"), "degraded": ("!", "yellow"), "failed as expected": ("x", "green"),
           "failed": ("✘", "red"), "broken": ("✘", "yellow"), "interrupted": ("✘", "yellow"),
           "skipped": ("-", "dim"), "flaky": ("~", "yellow"), "rerun": ("↻", "yellow")}
STEP_SYMBOLS = {"passed": ("✓", "green"), "failed": ("✘", "red"), "broken": ("✘", "yellow")}
QUIET_SHOWN = {"failed", "broken", "interrupted", "flaky"}  # -q: failures (and passes on retry) only


def render(renderable: RenderableType, width: int = 160, color: bool = False) -> str:
    """The renderable as text (ANSI colours only when asked): for writers that are not a rich Console."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color, highlight=False,
                      color_system="standard" if color else None, legacy_windows=False)
    console.print(renderable, soft_wrap=True)  # never wrapped: one flow, one line, also in CI logs
    return out.getvalue()


def flow_line(result: Any, done: int = 0, total: int = 0) -> Text:
    """`[3/12] ✘ failed  flows/x.flow.yaml::x[v]  3.1s  expected content missing`."""
    status = result.status
    symbol, style = SYMBOLS.get(status, ("?", ""))
    line = Text()
    if done:
        counter = f"{done:>{len(str(total))}}/{total}" if total >= done else str(done)  # aligned: [ 9/16]
        line.append(f"[{counter}] ", style="dim")
    line.append(f"{symbol} {status:<8}", style=style)
    line.append(f"  {result.nodeid}  ")
    line.append(f"{result.duration_s:.1f}s", style="dim")
    note = result.failure_class or ("timing budget (warn)" if status == "degraded" else "")
    if note:
        line.append(f"  {note}", style=style)
    return line


def step_lines(result: Any) -> list[Text]:
    """-v: the flow's steps under its line, each with its time and file:line; the failing one marked."""
    lines = []
    for step in result.steps:
        symbol, style = STEP_SYMBOLS.get(step.get("status", ""), ("·", ""))
        line = Text("      ")
        line.append(symbol, style=style)
        line.append(f" {step.get('index', '')} {step.get('title', '')}  ")
        line.append(f"{step.get('ms', 0):.0f} ms", style="dim")
        line.append(f"  {step.get('line', '')}", style="dim")
        lines.append(line)
    return lines


def lines_for(result: Any, level: int, done: int = 0, total: int = 0) -> list[Text]:
    """What a finished flow prints at a verbosity level: -1 (-q) failures only, 0 every flow, 1 (-v) with steps."""
    if level < 0 and result.status not in QUIET_SHOWN:
        return []
    shown = [flow_line(result, done, total)]
    if level > 0:
        shown += step_lines(result)
    return shown
