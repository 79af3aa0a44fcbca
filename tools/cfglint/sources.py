"""Original source lines for the text report, read once per file and only when shown.

Findings point into the files the operator wrote (includes and `#!define` uses resolved by the
front-end's source map), so the line under a caret comes from that file, not from the
preprocessed text.
"""

from __future__ import annotations

from collections.abc import Mapping


class SourceLines:
    """Line look-up by (file, 1-based line); files that cannot be read simply show no source."""

    def __init__(self, preloaded: Mapping[str, str] | None = None) -> None:
        # `preloaded` holds text that is not on disk under its name (stdin).
        self._lines: dict[str, list[str] | None] = {
            name: _split(text) for name, text in (preloaded or {}).items()
        }

    def line(self, file: str, line: int) -> str | None:
        """The text of `line` in `file` without its line ending, or None when unknown."""
        if file not in self._lines:
            self._lines[file] = self._read(file)
        lines = self._lines[file]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    @staticmethod
    def _read(file: str) -> list[str] | None:
        try:
            with open(file, encoding="utf-8", errors="replace", newline="") as fh:
                return _split(fh.read())
        except OSError:
            return None


def _split(text: str) -> list[str]:
    # Lines end at "\n" only, as the lexer counts them; str.splitlines would also break at form
    # feeds and Unicode separators and shift every line number after one.
    return [line.removesuffix("\r") for line in text.split("\n")]
