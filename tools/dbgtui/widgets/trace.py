"""The trace log: what the debugger did and saw (steps, hits, faults), newest last."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog


class TraceLog(RichLog):
    """A bounded log; no timestamps, so runs compare equal."""

    DEFAULT_CSS = """
    TraceLog { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, max_lines=1000, wrap=True, markup=False,
                         min_width=20)

    def add(self, line: str, style: str = "") -> None:
        """Append one line."""
        self.write(Text(line, style=style))
