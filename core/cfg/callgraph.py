"""Which route blocks call or arm which: the one place that reads route references from the AST.

The checker (undefined targets, unreachable routes, route types of named routes) and
`route-graph` both use these references, so they can never disagree about what calls what.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import ast
from .source import Span

# Functions that arm a route block by name, and the kind of block they need.
ARMING_FUNCTIONS: dict[str, str] = {
    "t_on_failure": "failure_route",
    "t_on_branch": "branch_route",
    "t_on_reply": "onreply_route",
    "t_on_branch_failure": "branch_failure_route",
}

# Kamailio 5.x arms `t_on_branch_failure("X")` as `event_route[tm:branch-failure:X]`; a
# `branch_failure_route[X]` block is accepted as well and wins when both exist.
BRANCH_FAILURE_EVENT_PREFIX = "event_route:tm:branch-failure:"

# How a modparam string value is split into words that may name a route (xmlrpc's "route",
# rtimer's "exec" ...).
_MODPARAM_WORDS = re.compile(r"[;,=\s]+")

# Routes that run without being called from the script.
ENTRY_KINDS = frozenset({"request_route", "reply_route", "onsend_route", "error_route",
                         "local_route", "event_route"})


@dataclass(frozen=True)
class RouteRef:
    """One reference from route block `source` (a RouteBlock.key) to another block.

    `kind` is `route` (a `route(X)` call), one of ARMING_FUNCTIONS' names, or `dynamic` (a
    route() whose name is computed; then `target_name` is None and `candidates` lists the routes
    it can reach when the name's constant prefix narrows them). `target_kind` is the block kind
    the reference needs.
    """

    source: str
    kind: str
    target_kind: str
    target_name: str | None
    call: ast.Call
    prefix: str | None = None

    @property
    def target_key(self) -> str | None:
        if self.target_name is None:
            return None
        return f"{self.target_kind}:{self.target_name}"

    @property
    def span(self) -> Span:
        return self.call.span


def static_route_name(expr: ast.Expr) -> str | None:
    """The route name an argument names when it is a constant: `RELAY`, `"RELAY"`, `1`."""
    if isinstance(expr, ast.Ident):
        return expr.name
    if isinstance(expr, ast.StrLit):
        return expr.value
    if isinstance(expr, ast.IntLit):
        return str(expr.value)
    return None


def constant_prefix(expr: ast.Expr) -> str | None:
    """For `"PREFIX_" + $var(x)`, the constant prefix that narrows a dynamic route name."""
    while isinstance(expr, ast.BinOp) and expr.op == "+":
        expr = expr.left
    if isinstance(expr, ast.StrLit):
        return expr.value
    return None


def calls_in(node: ast.Node) -> Iterator[ast.Call]:
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            yield n


def route_refs(block: ast.RouteBlock) -> list[RouteRef]:
    """Every route reference made from inside `block`, in source order."""
    refs: list[RouteRef] = []
    for call in calls_in(block.body):
        if call.name == "route" and len(call.args) == 1:
            name = static_route_name(call.args[0])
            if name is not None:
                refs.append(RouteRef(block.key, "route", "route", name, call))
            else:
                refs.append(RouteRef(block.key, "dynamic", "route", None, call,
                                     constant_prefix(call.args[0])))
        elif call.name in ARMING_FUNCTIONS and len(call.args) == 1:
            name = static_route_name(call.args[0])
            target_kind = ARMING_FUNCTIONS[call.name]
            if name is not None:
                refs.append(RouteRef(block.key, call.name, target_kind, name, call))
    return refs


def modparam_route_names(config: ast.Config) -> dict[str, list[ast.ModParam]]:
    """Words of modparam string values, each with the modparams that give it: a module may run
    a route whose name it was given (xmlrpc's "route"), so such a route is reached."""
    names: dict[str, list[ast.ModParam]] = {}
    for mp in config.modparams:
        if isinstance(mp.value, ast.StrLit):
            for part in _MODPARAM_WORDS.split(mp.value.value):
                if part:
                    names.setdefault(part, []).append(mp)
    return names


@dataclass
class CallGraph:
    """Route blocks by key and the references between them."""

    blocks: dict[str, ast.RouteBlock] = field(default_factory=dict)
    refs: list[RouteRef] = field(default_factory=list)
    duplicates: list[ast.RouteBlock] = field(default_factory=list)

    @classmethod
    def build(cls, config: ast.Config) -> CallGraph:
        graph = cls()
        for block in config.routes:
            if block.key in graph.blocks:
                graph.duplicates.append(block)
                continue
            graph.blocks[block.key] = block
        for block in graph.blocks.values():
            graph.refs.extend(route_refs(block))
        return graph

    def resolve(self, ref: RouteRef) -> list[str]:
        """Keys of the blocks a reference can reach (candidates for a dynamic one)."""
        if ref.target_name is not None:
            key = ref.target_key
            if key in self.blocks:
                return [key]
            if ref.kind == "t_on_branch_failure":
                event = BRANCH_FAILURE_EVENT_PREFIX + ref.target_name
                return [event] if event in self.blocks else []
            return []
        named = [k for k, b in self.blocks.items() if b.canonical_kind == "route"]
        if ref.prefix:
            return [k for k in named if (self.blocks[k].name or "").startswith(ref.prefix)]
        return named

    def entries(self, extra_names: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Blocks that run without a script reference, plus named blocks whose names appear in
        `extra_names` (route names given to modules in modparams)."""
        out = []
        for key, block in self.blocks.items():
            if block.canonical_kind in ENTRY_KINDS or (block.name in extra_names):
                out.append(key)
        return out

    def reachable(self, extra_names: set[str] | frozenset[str] = frozenset()) -> dict[str, set[str]]:
        """For each reachable block, the entry kinds it is reached from (for route-type checks)."""
        by_source: dict[str, list[RouteRef]] = {}
        for ref in self.refs:
            by_source.setdefault(ref.source, []).append(ref)
        reached: dict[str, set[str]] = {}
        stack: list[tuple[str, str]] = []
        for key in self.entries(extra_names):
            kind = self.blocks[key].canonical_kind
            stack.append((key, kind if kind != "route" else "request_route"))
        while stack:
            key, via = stack.pop()
            seen = reached.setdefault(key, set())
            if via in seen:
                continue
            seen.add(via)
            for ref in by_source.get(key, []):
                for target in self.resolve(ref):
                    target_kind = self.blocks[target].canonical_kind
                    # A named route runs as whatever called it; armed blocks run as themselves.
                    stack.append((target, via if target_kind == "route" else target_kind))
        return reached
