"""The cfg AST: frozen dataclasses, every node with the span the operator wrote.

The checker, the compiler, `cfglint`, `route-graph` and the debugger all walk these nodes. They
are data: no behaviour beyond small derived properties, plus a generic `walk` and `NodeVisitor`
(Jinja2's visitor shape) so a tool can look for what it needs without knowing every class.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from .source import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span

    def children(self) -> Iterator[Node]:
        """Direct child nodes, in source order."""
        for name in _child_fields(type(self)):
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        yield item


_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """Field names that may hold child nodes (cached: dataclasses.fields is slow)."""
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if f.name != "span"
                      and not f.name.endswith("_span"))
        _FIELDS_CACHE[cls] = names
    return names


# --- expressions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr(Node):
    pass


@dataclass(frozen=True, slots=True)
class IntLit(Expr):
    value: int


@dataclass(frozen=True, slots=True)
class StrLit(Expr):
    value: str


@dataclass(frozen=True, slots=True)
class PVar(Expr):
    """A pseudo-variable as written, e.g. `$ru`, `$var(x)`, `$(hdr(Via)[0]{s.len})`."""

    text: str


@dataclass(frozen=True, slots=True)
class Select(Expr):
    """A select such as `@from.uri`."""

    text: str


@dataclass(frozen=True, slots=True)
class Ident(Expr):
    """A bare word in an expression: `myself`, `UDP`, `INET`, a route name, a core variable like
    `method`/`uri`/`src_ip` on the left of an old-style comparison."""

    name: str


@dataclass(frozen=True, slots=True)
class NetLit(Expr):
    """An address or network: `10.0.0.1`, `10.0.0.0/8`, `[::1]`, `udp:1.2.3.4:5060`."""

    text: str


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    op: str  # normalised: "||" "&&" "|" "&" "^" "<<" ">>" "==" "!=" "=~" "eq" "ne" "ieq" "ine"
    left: Expr  # "<" ">" "<=" ">=" "+" "-" "*" "/" "mod"
    right: Expr


@dataclass(frozen=True, slots=True)
class UnOp(Expr):
    op: str  # "!" (also written `not`), "-", "~", "defined", "strlen", "strempty"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Cast(Expr):
    to: str  # "int" | "str"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """`name(args)`: a core or module function, or `route(NAME)`."""

    name: str
    args: tuple[Expr, ...]
    name_span: Span
    parens: bool = True  # False for Kamailio's paren-less forms like `force_rport;`


# --- statements -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stmt(Node):
    pass


@dataclass(frozen=True, slots=True)
class Block(Stmt):
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class CallStmt(Stmt):
    call: Call


@dataclass(frozen=True, slots=True)
class AssignStmt(Stmt):
    target: PVar
    value: Expr


@dataclass(frozen=True, slots=True)
class IfStmt(Stmt):
    cond: Expr
    then: Stmt
    orelse: Stmt | None


@dataclass(frozen=True, slots=True)
class Case(Node):
    """One label of a switch and the statements after it (they fall through without break).

    `value` is None for `default:`; `regex` is true for `case /"re":`.
    """

    value: Expr | None
    regex: bool
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class SwitchStmt(Stmt):
    subject: Expr
    cases: tuple[Case, ...]


@dataclass(frozen=True, slots=True)
class WhileStmt(Stmt):
    cond: Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class BreakStmt(Stmt):
    pass


@dataclass(frozen=True, slots=True)
class ReturnStmt(Stmt):
    value: Expr | None


@dataclass(frozen=True, slots=True)
class ExitStmt(Stmt):
    pass


@dataclass(frozen=True, slots=True)
class DropStmt(Stmt):
    pass


# --- top level --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item(Node):
    pass


@dataclass(frozen=True, slots=True)
class GlobalParam(Item):
    """`name = value` (e.g. `debug=2`, `listen=udp:127.0.0.1:5060`). `value` is typed where the
    text is a plain number, string or yes/no; `raw` always holds the text as written."""

    name: str
    raw: str
    value: int | str | None
    name_span: Span


@dataclass(frozen=True, slots=True)
class LoadModule(Item):
    path: str

    @property
    def module(self) -> str:
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.endswith(".so") else base


@dataclass(frozen=True, slots=True)
class LoadPath(Item):
    path: str


@dataclass(frozen=True, slots=True)
class ModParam(Item):
    module: str  # may be a "a|b" list of modules, as Kamailio allows
    param: str
    value: Expr
    module_span: Span
    param_span: Span


@dataclass(frozen=True, slots=True)
class CfgEngine(Item):
    engine: str


# Route kinds as written, and what the main/unnamed forms mean.
ROUTE_KINDS = (
    "request_route", "route", "failure_route", "branch_route", "onreply_route", "reply_route",
    "onsend_route", "event_route", "branch_failure_route", "error_route", "local_route",
)
MAIN_ROUTE_NAMES = {None, "0", "DEFAULT_ROUTE"}


@dataclass(frozen=True, slots=True)
class RouteBlock(Item):
    kind: str  # as written: one of ROUTE_KINDS
    name: str | None  # None when unnamed
    body: Block
    name_span: Span | None

    @property
    def canonical_kind(self) -> str:
        """`route {}`/`route[0]` are the main request route; `onreply_route {}` is the core
        reply route (reply_route)."""
        if self.kind == "route" and self.name in MAIN_ROUTE_NAMES:
            return "request_route"
        if self.kind == "onreply_route" and self.name in MAIN_ROUTE_NAMES:
            return "reply_route"
        return self.kind

    @property
    def canonical_name(self) -> str | None:
        if self.canonical_kind in ("request_route", "reply_route", "onsend_route", "error_route",
                                   "local_route"):
            return None
        return self.name

    @property
    def key(self) -> str:
        """Stable id: `request_route`, `route:RELAY`, `failure_route:MANAGE_FAILURE`..."""
        kind, name = self.canonical_kind, self.canonical_name
        return kind if name is None else f"{kind}:{name}"


@dataclass(frozen=True, slots=True)
class Config(Node):
    items: tuple[Item, ...]
    files: tuple[str, ...] = ()

    @property
    def routes(self) -> list[RouteBlock]:
        return [i for i in self.items if isinstance(i, RouteBlock)]

    @property
    def modules(self) -> list[LoadModule]:
        return [i for i in self.items if isinstance(i, LoadModule)]

    @property
    def modparams(self) -> list[ModParam]:
        return [i for i in self.items if isinstance(i, ModParam)]

    @property
    def params(self) -> list[GlobalParam]:
        return [i for i in self.items if isinstance(i, GlobalParam)]


# --- traversal --------------------------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node below and including `node`, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.children())))


class NodeVisitor:
    """Calls `visit_<ClassName>` for a node when defined, else visits its children."""

    def visit(self, node: Node) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        return self.generic_visit(node)

    def generic_visit(self, node: Node) -> Any:
        for child in node.children():
            self.visit(child)
        return None
