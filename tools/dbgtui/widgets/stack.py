"""The call stack pane: `dbg.stack` frames, innermost on top as debuggers show them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from siprouter.tools.dbgtui.session import Frame


class StackView(OptionList):
    """Frames of the selected worker; picking one shows its line in the source pane."""

    DEFAULT_CSS = """
    StackView { height: auto; max-height: 10; }
    """

    class FrameSelected(Message):
        """Show `file:line` (a caller's position)."""

        def __init__(self, frame: Frame) -> None:
            super().__init__()
            self.frame = frame

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.frames: list[Frame] = []
        self.show_path: Callable[[str], str] = lambda p: p

    def update_frames(self, frames: Sequence[Frame]) -> None:
        """Show `frames` (outermost first, as `dbg.stack` gives them)."""
        self.frames = list(reversed(frames))
        self.clear_options()
        self.add_options([Option(f"{f.route}  {self.show_path(f.file)}:{f.line}")
                          for f in self.frames])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.frames):
            self.post_message(self.FrameSelected(self.frames[event.option_index]))
