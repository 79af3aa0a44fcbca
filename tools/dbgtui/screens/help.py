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


# Terminals send Shift-F11 as F23; the binding lists both, the help only the name people know.
ALIASES = frozenset({"f23"})


def key_name(key: str) -> str:
    """`shift+f11` -> `Shift-F11`, `f5` -> `F5`, `question_mark` -> `?`; letters unchanged."""
    key = key.strip()
    named = {"question_mark": "?", "colon": ":", "period": "."}
    if key in named:
        return named[key]
    parts = key.split("+")
    last = parts[-1]
    if len(last) > 1:
        last = last.upper() if last[0] == "f" and last[1:].isdigit() else last.capitalize()
    mods = [p.capitalize() for p in parts[:-1]]
    return "-".join([*mods, last])


def key_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) per binding, then the mouse actions."""
    rows = []
    for b in bindings:
        keys = [key_name(k) for k in b.key.split(",") if k.strip() not in ALIASES]
        rows.append((", ".join(keys), b.description))
    return rows + list(MOUSE_HELP)


def key_table(rows: Iterable[tuple[str, str]]) -> Table:
    """The rows as a two-column table."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("keys", style="bold cyan", no_wrap=True)
    table.add_column("does")
    for keys, does in rows:
        table.add_row(keys, does)
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
        self.rows = key_rows(bindings)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "dbgtui keys (Esc closes)"
            yield Static(key_table(self.rows), id="help-keys")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
