"""The eval box: type a pseudo-variable (completed from the server's modules), Enter evaluates
it in the selected paused worker; the results pane keeps the answers."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, RichLog

from siprouter.tools.dbgtui.completion import complete


class PVSuggester(Suggester):
    """Inline suggestion of the `$...` word being typed."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.candidates: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.candidates)


class PVInput(Input):
    """An Input where Tab takes the suggestion (and moves focus only when there is none)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False),
    ]

    def action_complete(self) -> None:
        suggester = self.suggester
        done = complete(self.value, suggester.candidates) if isinstance(
            suggester, PVSuggester) else None
        if done is None:
            self.screen.focus_next()
            return
        self.value = done
        self.cursor_position = len(done)


class EvalBox(Vertical):
    """An input line over a log of `pv = value` answers."""

    DEFAULT_CSS = """
    EvalBox { height: 1fr; }
    EvalBox > PVInput { height: 3; }
    EvalBox > RichLog { height: 1fr; }
    """

    class Submitted(Message):
        """Evaluate `pv`."""

        def __init__(self, pv: str) -> None:
            super().__init__()
            self.pv = pv

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.suggester = PVSuggester()

    def compose(self) -> ComposeResult:
        yield PVInput(placeholder="$ru, $var(x) ... Enter evaluates", suggester=self.suggester,
                      id="eval-input")
        yield RichLog(id="eval-results", max_lines=500, wrap=True, markup=False, min_width=20)

    def set_candidates(self, candidates: list[str]) -> None:
        self.suggester.candidates = candidates

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pv = event.value.strip()
        event.input.clear()
        if pv:
            self.post_message(self.Submitted(pv))

    def show_result(self, pv: str, value: str, ok: bool = True) -> None:
        """Append `pv = value` (a failure in red)."""
        line = Text(pv, style="cyan")
        line.append(" = " if ok else ": ")
        line.append(value, style="" if ok else "red")
        self.query_one("#eval-results", RichLog).write(line)

    @property
    def last_results(self) -> list[str]:
        """The result lines, plain (for tests and the tmux check)."""
        log = self.query_one("#eval-results", RichLog)
        return [strip.text for strip in log.lines]
