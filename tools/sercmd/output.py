"""Where results and failures go: stdout or a pager for results, stderr (one-shot) or the shell's
screen for failures; in the mode chosen on the command line (rich, kamcmd's plain layout, JSON)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from typing import Any, Literal

from rich.console import Console

from . import render

Mode = Literal["rich", "plain", "json"]
Pager = Callable[[str], None]


def system_pager(text: str) -> None:
    """Show `text` in `$SERCMD_PAGER`, `$PAGER` or `less -R`; print it when there is none."""
    command = os.environ.get("SERCMD_PAGER") or os.environ.get("PAGER") or "less -R"
    argv = shlex.split(command)
    if not argv or shutil.which(argv[0]) is None:
        print(text, end="")
        return
    try:
        subprocess.run(argv, input=text.encode(), check=False)
    except (OSError, KeyboardInterrupt):
        pass


class Output:
    """Prints results, faults and failures. `pager`/`page_after` page results longer than
    that many lines (the shell sets them; one-shot output is never paged: scripts read it)."""

    def __init__(self, console: Console, errors: Console, mode: Mode = "rich",
                 pager: Pager | None = None, page_after: int = 0) -> None:
        self.console = console
        self.errors = errors
        self.mode = mode
        self.pager = pager
        self.page_after = page_after

    def _emit(self, text: str) -> None:
        if self.pager is not None and self.page_after and text.count("\n") > self.page_after:
            self.pager(text)
        else:
            self.console.file.write(text)
            self.console.file.flush()

    def result(self, value: Any, method: str = "result", fmt: str | None = None) -> None:
        """A call's result: JSON, a `-f` format, kamcmd's plain layout or rich tables/trees."""
        if self.mode == "json":
            self._emit(render.to_json(value) + "\n")
        elif fmt is not None:
            self._emit(render.apply_format(value, fmt))
        elif self.mode == "plain":
            self._emit(render.to_plain(value))
        else:
            renderable = render.to_rich(value, method)
            if renderable is not None:
                with self.console.capture() as captured:
                    self.console.print(renderable)
                self._emit(captured.get())

    def text(self, text: str) -> None:
        """Help and other messages of our own, as given."""
        self._emit(text if text.endswith("\n") or not text else text + "\n")

    def fault(self, code: int | None, message: str) -> None:
        """The server's error: `error: CODE - message` in red (JSON error object with --json)."""
        if self.mode == "json":
            self._emit(render.fault_json(code, message) + "\n")
        else:
            line = render.fault_line(code, message)
            self.errors.print(render.error_text(line), soft_wrap=True)

    def failure(self, message: str) -> None:
        """Anything else that went wrong, as one red line `error: message`."""
        self.errors.print(render.error_text(f"error: {message}"), soft_wrap=True)
