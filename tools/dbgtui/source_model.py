"""The source pane's model: one file's lines, its breakpoint markers, the current line and the
cursor, rendered line by line into rich Text. Pure: the widget only scrolls and paints it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

from .highlight import highlight_lines

BREAKPOINT_MARK = "●"
CURRENT_MARK = "▶"


@dataclass
class SourceModel:
    """What the source pane shows. Lines are 1-based, as in the cfg."""

    file: str = ""
    text: str = ""
    breakpoints: set[int] = field(default_factory=set)
    current: int | None = None
    cursor: int = 1
    _lines: list[str] = field(default_factory=list, init=False, repr=False)
    _styled: list[Text] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.load(self.file, self.text)

    def load(self, file: str, text: str) -> None:
        """Show `file` (its text as the server runs it); markers are kept by the caller."""
        self.file, self.text = file, text
        self._lines = text.splitlines()
        self._styled = highlight_lines(self._lines)
        self.cursor = min(max(self.cursor, 1), max(len(self._lines), 1))

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def number_width(self) -> int:
        return len(str(max(self.line_count, 1)))

    @property
    def gutter_width(self) -> int:
        """Breakpoint mark, current mark, line number, a space."""
        return 2 + self.number_width + 1

    def line_text(self, line: int) -> str:
        """The plain text of line `line` ("" beyond the end)."""
        return self._lines[line - 1] if 1 <= line <= len(self._lines) else ""

    def set_breakpoints(self, lines: Iterable[int]) -> None:
        self.breakpoints = set(lines)

    def move_cursor(self, line: int) -> int:
        """Put the cursor on `line`, kept inside the file; the line it ended on."""
        self.cursor = min(max(line, 1), max(self.line_count, 1))
        return self.cursor

    def markers(self, line: int) -> str:
        """The two marker cells of `line`'s gutter."""
        bp = BREAKPOINT_MARK if line in self.breakpoints else " "
        cur = CURRENT_MARK if line == self.current else " "
        return bp + cur

    def render(self, line: int, styles: dict[str, Style] | None = None) -> Text:
        """Gutter plus highlighted text of `line`. `styles` may give "gutter", "breakpoint",
        "current_mark", "current" (the whole current line) and "cursor"."""
        st = styles or {}
        out = Text(no_wrap=True, end="")
        bp = line in self.breakpoints
        out.append(BREAKPOINT_MARK if bp else " ", st.get("breakpoint") if bp else None)
        is_current = line == self.current
        out.append(CURRENT_MARK if is_current else " ", st.get("current_mark") if is_current else None)
        out.append(f"{line:>{self.number_width}} ", st.get("gutter"))
        if 1 <= line <= len(self._styled):
            out.append_text(self._styled[line - 1])
        if is_current and "current" in st:
            out.stylize(st["current"])
        elif line == self.cursor and "cursor" in st:
            out.stylize(st["cursor"])
        return out
