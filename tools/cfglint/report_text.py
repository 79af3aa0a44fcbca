"""The human report: `file:line:col: CODE message`, the source line, a caret, the hint.

Rendered with rich so colour follows the terminal (none when piped, none under NO_COLOR). All
text goes in as `Text` objects, never markup: messages quote config text such as
`event_route[xhttp:request]` that rich would otherwise read as style tags.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from siprouter.core.cfg.diagnostics import Diagnostic, Severity

from .findings import message_text
from .sources import SourceLines

TAB_SIZE = 8

LEVEL_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold blue",
}


def caret_line(source: str, d: Diagnostic) -> tuple[str, str]:
    """(source line with tabs expanded, caret line) for one finding.

    The caret covers the span when it ends on the same line, else runs to the end of the line;
    it is never empty, so a point at the end of a line (a missing ';') still shows.
    """
    shown = source.expandtabs(TAB_SIZE)
    start = max(d.span.column - 1, 0)
    if d.span.end_line == d.span.line and d.span.end_column > d.span.column:
        end = d.span.end_column - 1
    else:
        end = max(len(source), start + 1)
    # Columns count characters of the original line; widths on screen count expanded tabs.
    pad = len(source[:start].expandtabs(TAB_SIZE))
    width = max(len(source[:end].expandtabs(TAB_SIZE)) - pad, 1)
    return shown, " " * pad + "^" * width


def render_finding(d: Diagnostic, sources: SourceLines, gutter: int) -> Text:
    """One finding as rich Text (several lines, no trailing newline)."""
    style = LEVEL_STYLE.get(d.level, "bold")
    out = Text()
    out.append(f"{d.span}:", style="bold")
    out.append(" ")
    out.append(d.code, style=style)
    out.append(" ")
    out.append(message_text(d))
    source = sources.line(d.span.file, d.span.line)
    if source is not None:
        shown, carets = caret_line(source, d)
        out.append("\n")
        out.append(f"{d.span.line:>{gutter}} | ", style="blue")
        out.append(shown)
        out.append("\n")
        out.append(f"{'':>{gutter}} | ", style="blue")
        out.append(carets, style=style)
    if d.hint:
        out.append("\n")
        out.append(f"{'':>{gutter}} = ", style="blue")
        out.append("hint: ", style="bold")
        out.append(d.hint)
    return out


def report(findings: Sequence[Diagnostic], sources: SourceLines, console: Console) -> None:
    """Print every finding, a blank line after each."""
    gutter = max((len(str(d.span.line)) for d in findings), default=1)
    for d in findings:
        console.print(render_finding(d, sources, gutter), soft_wrap=True)
        console.print()
