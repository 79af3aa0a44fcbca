"""The source pane: the cfg the server runs, with line numbers, highlighting, breakpoint marks,
the current line and a cursor. A scroll view over `SourceModel` using Textual's line API, so a
long config costs only the lines on screen."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from siprouter.tools.dbgtui.source_model import SourceModel


class SourceView(ScrollView, can_focus=True):
    """Scrollable, highlighted cfg source with a line cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "cursor_to(1)", "Top", show=False),
        Binding("end,G", "cursor_to(-1)", "Bottom", show=False),
        Binding("period", "show_current", "Current line", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source-view--gutter",
        "source-view--breakpoint",
        "source-view--current-mark",
        "source-view--current",
        "source-view--cursor",
    }

    DEFAULT_CSS = """
    SourceView {
        background: $surface;
    }
    SourceView > .source-view--gutter { color: $text-muted; }
    SourceView > .source-view--breakpoint { color: $error; text-style: bold; }
    SourceView > .source-view--current-mark { color: $warning; text-style: bold; }
    SourceView > .source-view--current { background: $warning-muted; text-style: bold; }
    SourceView > .source-view--cursor { background: $surface-lighten-1; }
    SourceView:focus > .source-view--cursor { background: $primary-muted; }
    """

    file: reactive[str] = reactive("")
    cursor_line: reactive[int] = reactive(1)
    current_line: reactive[int | None] = reactive(None)

    class GutterClicked(Message):
        """The breakpoint column of `line` was clicked (the app toggles a breakpoint)."""

        def __init__(self, view: SourceView, line: int) -> None:
            super().__init__()
            self.view = view
            self.line = line

        @property
        def control(self) -> SourceView:
            return self.view

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = SourceModel()

    # --- content -----------------------------------------------------------------------------------

    def show_file(self, file: str, text: str) -> None:
        """Show `file`; breakpoint marks and the current line are set separately."""
        self.model.load(file, text)
        self.file = file
        self._resize()
        self.refresh()

    def set_breakpoints(self, lines: set[int]) -> None:
        self.model.set_breakpoints(lines)
        self.refresh()

    def _resize(self) -> None:
        width = max((len(self.model.line_text(n)) for n in range(1, self.model.line_count + 1)),
                    default=0)
        self.virtual_size = Size(width + self.model.gutter_width, self.model.line_count)

    # --- reactives ---------------------------------------------------------------------------------

    def validate_cursor_line(self, line: int) -> int:
        return min(max(line, 1), max(self.model.line_count, 1))

    def watch_cursor_line(self, line: int) -> None:
        self.model.move_cursor(line)
        self.scroll_to_line(line)
        self.refresh()

    def watch_current_line(self, line: int | None) -> None:
        self.model.current = line
        if line is not None:
            self.cursor_line = line
            self.scroll_to_line(line, center=True)
        self.refresh()

    def scroll_to_line(self, line: int, center: bool = False) -> None:
        """Make `line` visible (in the middle of the pane when `center`)."""
        height = self.scrollable_content_region.height or self.size.height
        top = int(self.scroll_offset.y)
        y = line - 1
        if center:
            self.scroll_to(y=max(y - height // 2, 0), animate=False)
        elif y < top:
            self.scroll_to(y=y, animate=False)
        elif height and y >= top + height:
            self.scroll_to(y=y - height + 1, animate=False)

    # --- actions -----------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.cursor_line += delta

    def action_page(self, direction: int) -> None:
        self.cursor_line += direction * max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_to(self, line: int) -> None:
        self.cursor_line = self.model.line_count if line < 0 else line

    def action_show_current(self) -> None:
        if self.current_line is not None:
            self.cursor_line = self.current_line
            self.scroll_to_line(self.current_line, center=True)

    # --- mouse -------------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # None on the border or a scrollbar
        if offset is None:
            return
        line = int(self.scroll_offset.y) + offset.y + 1
        if not 1 <= line <= self.model.line_count:
            return
        self.cursor_line = line
        if offset.x + int(self.scroll_offset.x) < self.model.gutter_width:
            self.post_message(self.GutterClicked(self, line))

    # --- painting ----------------------------------------------------------------------------------

    def _styles(self) -> dict[str, Style]:
        get = self.get_component_rich_style
        return {
            "gutter": get("source-view--gutter", partial=True),
            "breakpoint": get("source-view--breakpoint", partial=True),
            "current_mark": get("source-view--current-mark", partial=True),
            "current": get("source-view--current", partial=True),
            "cursor": get("source-view--cursor", partial=True),
        }

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y + 1
        width = self.scrollable_content_region.width
        base = self.rich_style
        if line > self.model.line_count:
            return Strip.blank(width, base)
        styles = self._styles()
        text = self.model.render(line, styles)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        fill = styles["current"] if line == self.model.current else (
            styles["cursor"] if line == self.model.cursor else None)
        strip = strip.extend_cell_length(width, base + fill if fill else base)
        return strip.apply_style(base)
