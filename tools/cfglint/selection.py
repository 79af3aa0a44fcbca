"""Which rule codes a run reports: `--select` and `--ignore` with ruff's prefix rules.

A selector is a full code (`W203`), a prefix of codes (`E1`, `W`) or `ALL`. When both lists match
a code, the longer (more specific) selector wins and a tie goes to `--ignore`, so
`--select E2 --ignore E20` and `--ignore E --select E209` both mean what they say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ALL = "ALL"


class SelectorError(ValueError):
    """A selector that names no known rule: a typo must not silently select nothing."""


def split_selectors(values: Iterable[str]) -> list[str]:
    """Flatten repeated and comma-separated option values: `-s E1,W2 -s W203`."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return out


def validate(selectors: Iterable[str], codes: Iterable[str]) -> None:
    """Raise SelectorError for the first selector that is not a prefix of any known code."""
    known = list(codes)
    for sel in selectors:
        if sel != ALL and not any(code.startswith(sel) for code in known):
            raise SelectorError(f"unknown rule selector {sel!r} (see --list-rules)")


def _match_length(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector matching `code`; -1 when none does (ALL counts as 0)."""
    best = -1
    for sel in selectors:
        if sel == ALL:
            best = max(best, 0)
        elif code.startswith(sel):
            best = max(best, len(sel))
    return best


@dataclass(frozen=True)
class Selection:
    """The codes to report. An empty `select` means every rule, like `--select ALL`."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def allows(self, code: str) -> bool:
        """True when findings with this code are reported."""
        selected = _match_length(code, self.select) if self.select else 0
        ignored = _match_length(code, self.ignore)
        return selected >= 0 and selected > ignored
