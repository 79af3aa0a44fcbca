"""The workers pane: every process slot `dbg.ls` lists, its state and where it is paused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable

from siprouter.tools.dbgtui.session import STATE_PAUSED, STATE_STEPPING, Worker


def where_text(worker: Worker, show_path: Callable[[str], str]) -> str:
    """`file:line` of a paused worker (its route is in the stack pane), else its description."""
    if worker.state in (STATE_PAUSED, STATE_STEPPING) and worker.file:
        return f"{show_path(worker.file)}:{worker.line}"
    return worker.description


class WorkersList(DataTable[Text | str]):
    """Rows keyed by pid; selecting one (Enter, click) posts `Selected`."""

    BINDINGS: ClassVar[list[BindingType]] = []

    DEFAULT_CSS = """
    WorkersList { height: auto; max-height: 12; }
    """

    class Selected(Message):
        """The user picked worker `pid`."""

        def __init__(self, pid: int) -> None:
            super().__init__()
            self.pid = pid

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self.show_path: Callable[[str], str] = lambda p: p
        self._pids: list[int] = []

    def on_mount(self) -> None:
        self.add_column("#", key="entry")
        self.add_column("pid", key="pid")
        self.add_column("state", key="state")
        self.add_column("where", key="where")

    def update_workers(self, workers: Sequence[Worker], selected: int | None) -> None:
        """Show `workers`, keeping the cursor on `selected`."""
        pids = [w.pid for w in workers]
        rows: list[tuple[Text | str, ...]] = []
        for w in workers:
            state = Text(w.state_name, style="bold red" if w.paused else
                         ("yellow" if w.state == STATE_STEPPING else ""))
            if w.breaking and not w.paused:
                state.append(" (bp)", style="yellow")
            row: tuple[Text | str, ...] = (str(w.entry), str(w.pid), state,
                                           where_text(w, self.show_path))
            rows.append(row)
        if pids != self._pids:
            self.clear()
            for w, row in zip(workers, rows, strict=True):
                self.add_row(*row, key=str(w.pid))
            self._pids = pids
        else:
            for w, row in zip(workers, rows, strict=True):
                for col, value in zip(("entry", "pid", "state", "where"), row, strict=True):
                    self.update_cell(str(w.pid), col, value, update_width=True)
        if selected in pids:
            index = pids.index(selected)
            if self.cursor_row != index:
                self.move_cursor(row=index)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(int(event.row_key.value)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None and self.has_focus:
            self.post_message(self.Selected(int(event.row_key.value)))
