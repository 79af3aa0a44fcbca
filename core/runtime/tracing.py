"""What the debugger sees of an action: its kind, its cfgtrace name and where it was written.

Our own action-kind numbers (reference 2.3: Kamailio's `a=` ids differ between versions; tools
must not depend on them). The table is documented in docs/cfgtrace-actions.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from siprouter.core.cfg import ast
from siprouter.core.cfg.source import Span

if TYPE_CHECKING:
    from .context import Context


class ActionKind(IntEnum):
    """Kinds of executable action, as `a=` in our cfgtrace lines."""

    ASSIGN = 1
    IF = 2
    SWITCH = 3
    CASE = 4
    WHILE = 5
    BREAK = 6
    ROUTE = 7
    RETURN = 8
    EXIT = 9
    DROP = 10
    CORE_FUNCTION = 11  # a function the core implements (setflag, log ...)
    MODULE_FUNCTION = 12  # a function a module implements (t_relay, xlog ...)


# The cfgtrace `n=` name of every kind whose name is not the called function's.
KIND_NAMES: dict[ActionKind, str] = {
    ActionKind.ASSIGN: "assign",
    ActionKind.IF: "if",
    ActionKind.SWITCH: "switch",
    ActionKind.CASE: "case",
    ActionKind.WHILE: "while",
    ActionKind.BREAK: "break",
    ActionKind.ROUTE: "route",
    ActionKind.RETURN: "return",
    ActionKind.EXIT: "exit",
    ActionKind.DROP: "drop",
}


@dataclass(frozen=True, slots=True, eq=False)
class ActionInfo:
    """One executable action of the script. The same object describes the action whether the
    script runs traced or not, so a debugger can key breakpoints on it."""

    kind: ActionKind
    name: str  # cfgtrace n=: "if", "assign", ... or the function name
    node: ast.Node
    route: str  # key of the route block it is written in, e.g. "route:RELAY"

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def file(self) -> str:
        return self.node.span.file

    @property
    def line(self) -> int:
        return self.node.span.line

    def __str__(self) -> str:
        return f"{self.node.span.file}:{self.node.span.line} {self.name}"


Tracer = Callable[["Context", ActionInfo], None]
"""Called before each action runs (and before each function call inside a condition), in
execution order. It may block (a breakpoint) or raise to abort the message."""
