"""Where a line breakpoint lands: `file:line` to the action that stops.

Rules (docs/debugger.md):
- the file is a cfg file the server runs, named as `dbg.source` lists it, or by any tail of
  that path (`k.cfg`, `conf/k.cfg`) that names exactly one of them;
- the breakpoint stops at the first action (in source order) written on that line; a line with
  no action (a brace, a comment, a blank line) slides to the next line that has one, at most
  `SLIDE` lines further; beyond that it is refused (fault 404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from siprouter.core.runtime.tracing import ActionInfo

SLIDE = 3


class NoSuchLine(LookupError):
    """No action at (or just after) that place; the message says which."""


@dataclass(frozen=True)
class Spot:
    """A resolved breakpoint place: the file as the server names it, the line, the action."""

    file: str
    line: int
    action: ActionInfo


def parse_place(text: str) -> tuple[str, int]:
    """`file:line` -> (file, line); ValueError when it is not that shape."""
    file, sep, line = text.strip().rpartition(":")
    if not sep or not file or not line.strip().isdigit():
        raise ValueError(f"expected file:line, got {text!r}")
    return file, int(line)


def match_file(name: str, files: Sequence[str]) -> str | None:
    """The one server file `name` names (exactly, or as a path tail), else None."""
    if name in files:
        return name
    tail = "/" + name.lstrip("/")
    found = [f for f in files if f.endswith(tail)]
    return found[0] if len(found) == 1 else None


def first_actions(actions: Sequence[ActionInfo]) -> dict[tuple[str, int], ActionInfo]:
    """(file, line) -> the first action written there, in source order."""
    out: dict[tuple[str, int], ActionInfo] = {}
    for a in actions:
        out.setdefault((a.file, a.line), a)
    return out


def resolve(place: str, files: Sequence[str], actions: Sequence[ActionInfo]) -> Spot:
    """The breakpoint spot for `file:line`; ValueError for a malformed place, NoSuchLine when
    there is no such file or no action there."""
    name, line = parse_place(place)
    file = match_file(name, files)
    if file is None:
        raise NoSuchLine(f"no action at {name}:{line} (not a cfg file of this server)")
    by_line = first_actions(actions)
    for n in range(line, line + SLIDE + 1):
        action = by_line.get((file, n))
        if action is not None:
            return Spot(file, n, action)
    raise NoSuchLine(f"no action at {name}:{line}")
