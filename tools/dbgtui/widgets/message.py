"""The SIP message pane: the request or reply the paused worker runs the script for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class MessageView(VerticalScroll):
    """The message text, first line bold, header names coloured."""

    DEFAULT_CSS = """
    MessageView > Static { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="message-text")

    def show_message(self, message: str | None) -> None:
        """Show `message` (None: nothing is paused)."""
        self.query_one("#message-text", Static).update(render_message(message or ""))


def render_message(message: str) -> Text:
    """A SIP message as styled text: start line bold, header names cyan, body plain."""
    out = Text(no_wrap=True)
    lines = message.replace("\r\n", "\n").split("\n")
    in_body = False
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        if i == 0:
            out.append(line, style="bold")
        elif in_body:
            out.append(line)
        elif not line:
            in_body = True
        else:
            name, sep, value = line.partition(":")
            out.append(name, style="cyan")
            out.append(sep + value)
    out.rstrip()
    return out
