"""The help screen: every key the debugger answers to, from the app's own BINDINGS."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MOUSE_HELP = (
    ("click a line number", "toggle a breakpoint on that line"),
    ("click a source line", "move the cursor there"),
    ("click a worker", "select it (its stack, variables and message show)"),
    ("click a stack frame", "show that caller's line"),
)


def key_table(bindings: Iterable[Binding]) -> Table:
    """Keys and what they do, one row per action."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("keys", style="bold cyan", no_wrap=True)
    table.add_column("does")
    for b in bindings:
        keys = ", ".join(k.strip().replace("shift+", "Shift-").replace("ctrl+", "Ctrl-").upper()
                         if k.strip().startswith(("f", "shift+f")) and len(k.strip()) > 1
                         else k.strip() for k in b.key.split(","))
        table.add_row(keys, b.description)
    for what, does in MOUSE_HELP:
        table.add_row(what, does)
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and mouse actions; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 1 2;
    }
    """

    def __init__(self, bindings: Iterable[Binding]) -> None:
        super().__init__()
        self._keys = list(bindings)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "dbgtui keys (Esc closes)"
            yield Static(key_table(self._keys), id="help-keys")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
