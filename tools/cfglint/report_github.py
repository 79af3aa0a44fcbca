"""`--format github`: GitHub Actions workflow commands, shown as annotations on the diff.

`::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=CODE::message`, one line per finding;
`warning` and `notice` for the milder severities. Values are escaped as the runner expects
(`%`, CR and LF everywhere; also `:` and `,` inside properties), so a hint can ride along on a
second line of the message.
"""

from __future__ import annotations

from collections.abc import Sequence

from siprouter.core.cfg.diagnostics import Diagnostic, Severity

from .findings import message_text

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: data escaping plus the separators of the property list."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(d: Diagnostic) -> str:
    """The workflow command for one finding."""
    props = {
        "file": d.span.file,
        "line": str(d.span.line),
        "endLine": str(d.span.end_line),
        "col": str(d.span.column),
        "endColumn": str(d.span.end_column),
        "title": d.code,
    }
    prop_text = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    message = message_text(d)
    if d.hint:
        message += f"\nhint: {d.hint}"
    return f"::{COMMANDS[d.level]} {prop_text}::{escape_data(message)}"


def render(findings: Sequence[Diagnostic]) -> str:
    """All commands, one per line (empty when clean)."""
    return "\n".join(command(d) for d in findings)
