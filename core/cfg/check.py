"""Semantic checks of a parsed config against the module registry.

Each check reports `Diagnostic`s with a stable code (see diagnostics.RULES); nothing here prints
or raises on bad input. The server refuses to start on any error; `cfglint` reports them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from siprouter.core.exports import (
    ROUTE_KIND_TYPES,
    FunctionSpec,
    LoadedSet,
    PVSpec,
    Registry,
    RouteType,
)

from . import ast
from .callgraph import CallGraph, modparam_route_names
from .core_params import CORE_PARAMS
from .diagnostics import Diagnostic, diag
from .pvsyntax import PVSyntaxError, parse_pv, pvs_in_format
from .source import Span

_ARITH_OPS = frozenset({"-", "*", "/", "mod", "|", "&", "^", "<<", ">>"})
_COMPARE_OPS = frozenset({"==", "!=", "<", ">", "<=", ">="})
_INT_OPS = _ARITH_OPS | _COMPARE_OPS | {"&&", "||", "=~", "eq", "ne", "ieq", "ine"}


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else None


def _label(block: ast.RouteBlock) -> str:
    kind = block.canonical_kind
    return kind if block.canonical_name is None else f"{kind}[{block.canonical_name}]"


def static_type(expr: ast.Expr) -> str | None:
    """"int" or "str" when an expression's type is known without running it."""
    if isinstance(expr, ast.IntLit):
        return "int"
    if isinstance(expr, ast.StrLit):
        return "str"
    if isinstance(expr, ast.Cast):
        return expr.to
    if isinstance(expr, ast.UnOp):
        return "int"
    if isinstance(expr, ast.BinOp):
        if expr.op == "+":
            return static_type(expr.left)
        return "int" if expr.op in _INT_OPS else None
    return None


class Checker:
    def __init__(self, config: ast.Config, registry: Registry) -> None:
        self.config = config
        self.registry = registry
        self.diagnostics: list[Diagnostic] = []
        self.module_names: list[str] = []
        self.loaded: LoadedSet = registry.loaded([])
        self.graph = CallGraph.build(config)

    def report(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(diag(code, span, message, hint))

    # --- modules and parameters ---------------------------------------------------------------

    def check_modules(self) -> None:
        seen: dict[str, ast.LoadModule] = {}
        for item in self.config.items:
            if isinstance(item, ast.LoadModule):
                name = item.module
                if name in seen:
                    first = seen[name].span
                    self.report("E202", item.span, f"module {name} is loaded twice",
                                f"first loaded at {first}")
                    continue
                seen[name] = item
                if not self.registry.has(name):
                    self.report("E201", item.span, f"unknown module {name}",
                                _suggest(name, self.registry.available())
                                or "siprouter does not provide this module")
                    continue
                self.module_names.append(name)
            elif isinstance(item, ast.ModParam):
                self.check_modparam(item, set(self.module_names))
        self.loaded = self.registry.loaded(self.module_names)
        if "debugger" in self.module_names and self.module_names[0] != "debugger":
            self.report("W206", seen["debugger"].span,
                        "debugger is loaded after other modules",
                        "load the debugger module first so it sees every worker")

    def check_modparam(self, item: ast.ModParam, loaded_so_far: set[str]) -> None:
        targets = [m.strip() for m in item.module.split("|") if m.strip()]
        matched = [m for m in targets if Registry.module_name(m) in loaded_so_far]
        if not matched:
            where = item.module_span
            if len(targets) == 1 and not self.registry.has(targets[0]):
                self.report("E203", where, f"modparam for unknown module {targets[0]}",
                            _suggest(targets[0], self.registry.available()))
            else:
                self.report("E203", where, f"modparam for module {item.module}, which is not "
                            "loaded before it", "add loadmodule before this modparam")
            return
        for mod_name in matched:
            exports = self.registry.get(mod_name)
            spec = exports.params.get(item.param)
            if spec is None:
                self.report("E204", item.param_span,
                            f"module {mod_name} has no parameter {item.param}",
                            _suggest(item.param, exports.params))
                continue
            value = item.value
            if not spec.accepts(str) and isinstance(value, ast.StrLit):
                if not re.fullmatch(r"\s*-?\d+\s*", value.value):
                    self.report("E205", value.span,
                                f"parameter {item.param} of {mod_name} takes an integer, "
                                f"not the string \"{value.value}\"")
            elif not spec.accepts(int) and isinstance(value, ast.IntLit):
                self.report("E205", value.span,
                            f"parameter {item.param} of {mod_name} takes a string, "
                            f"not the integer {value.value}", f"quote it: \"{value.value}\"")

    def check_global_params(self) -> None:
        for p in self.config.params:
            if "." in p.name:
                continue  # a custom cfg-framework variable: group.var = value
            if p.name not in CORE_PARAMS:
                self.report("E215", p.name_span, f"unknown core parameter {p.name}",
                            _suggest(p.name, CORE_PARAMS))
        if "xhttp" in self.module_names:
            accept = [p for p in self.config.params if p.name == "tcp_accept_no_cl"]
            if not accept or accept[-1].value not in (1,):
                span = next(m.span for m in self.config.modules if m.module == "xhttp")
                self.report("W207", span, "xhttp is loaded but tcp_accept_no_cl is not yes",
                            "HTTP requests without Content-Length are refused: add "
                            "tcp_accept_no_cl=yes")

    # --- routes -------------------------------------------------------------------------------

    def check_routes(self) -> None:
        for dup in self.graph.duplicates:
            first = self.graph.blocks[dup.key]
            self.report("E214", dup.span, f"{_label(dup)} is defined twice",
                        f"first defined at {first.span}")
        for ref in self.graph.refs:
            if ref.target_name is None:
                continue
            if self.graph.resolve(ref):
                continue
            arg_span = ref.call.args[0].span
            if ref.kind == "route":
                self.report("E209", arg_span, f"route({ref.target_name}) calls a route that is "
                            "not defined",
                            _suggest(ref.target_name, [b.name or "" for b in
                                                       self.graph.blocks.values()
                                                       if b.canonical_kind == "route"]))
            else:
                other = [b for b in self.graph.blocks.values() if b.name == ref.target_name]
                hint = (f"{_label(other[0])} exists, but {ref.kind} needs "
                        f"{ref.target_kind}[{ref.target_name}]") if other else None
                self.report("E210", arg_span,
                            f"{ref.kind}(\"{ref.target_name}\") arms "
                            f"{ref.target_kind}[{ref.target_name}], which is not defined", hint)
        reached = self.graph.reachable(set(modparam_route_names(self.config)))
        for key, block in self.graph.blocks.items():
            if key not in reached:
                self.report("W201", block.name_span or block.span,
                            f"{_label(block)} is never reached from any entry point")
            types = {ROUTE_KIND_TYPES[k] for k in reached.get(key, set())} or {
                ROUTE_KIND_TYPES[block.canonical_kind]}
            _BodyChecker(self, block, types).check()

    def run(self) -> list[Diagnostic]:
        self.check_modules()
        self.check_global_params()
        self.check_routes()
        return self.diagnostics


class _BodyChecker:
    """Checks the statements of one route block, which runs as every type in `types`."""

    def __init__(self, outer: Checker, block: ast.RouteBlock, types: set[RouteType]) -> None:
        self.outer = outer
        self.block = block
        self.types = types
        self.xhttp = block.canonical_kind == "event_route" and block.name == "xhttp:request"

    def report(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.outer.report(code, span, message, hint)

    def check(self) -> None:
        self.stmts(self.block.body.body)

    def stmts(self, body: tuple[ast.Stmt, ...]) -> None:
        stopped: ast.Stmt | None = None
        for stmt in body:
            if stopped is not None:
                word = type(stopped).__name__.removesuffix("Stmt").lower()
                self.report("W204", stmt.span, f"this statement is never reached: '{word}' above "
                            "ends the route")
                stopped = None
                self.stmt(stmt)
                break
            self.stmt(stmt)
            if isinstance(stmt, (ast.ExitStmt, ast.DropStmt, ast.ReturnStmt)):
                stopped = stmt

    def stmt(self, stmt: ast.Stmt) -> None:
        if isinstance(stmt, ast.Block):
            self.stmts(stmt.body)
        elif isinstance(stmt, ast.CallStmt):
            self.expr(stmt.call)
        elif isinstance(stmt, ast.AssignStmt):
            self.assignment(stmt)
        elif isinstance(stmt, ast.IfStmt):
            self.expr(stmt.cond)
            self.stmt(stmt.then)
            if stmt.orelse is not None:
                self.stmt(stmt.orelse)
        elif isinstance(stmt, ast.WhileStmt):
            self.expr(stmt.cond)
            self.stmt(stmt.body)
        elif isinstance(stmt, ast.SwitchStmt):
            self.expr(stmt.subject)
            for case in stmt.cases:
                if case.value is not None:
                    self.expr(case.value)
                self.stmts(case.body)
        elif isinstance(stmt, ast.ReturnStmt):
            if stmt.value is not None:
                self.expr(stmt.value)
                if isinstance(stmt.value, ast.IntLit) and stmt.value.value == 0:
                    self.report("W203", stmt.span, "'return 0' stops the whole script, like exit",
                                "return 1 (true) or -1 (false) to go back to the caller")

    def assignment(self, stmt: ast.AssignStmt) -> None:
        spec = self.pvar(stmt.target)
        if spec is not None and not spec.writable:
            self.report("E213", stmt.target.span,
                        f"{stmt.target.text} is read-only and cannot be assigned")
        self.expr(stmt.value)

    def pvar(self, pv: ast.PVar) -> PVSpec | None:
        try:
            ref = parse_pv(pv.text)
        except PVSyntaxError as exc:
            self.report("E112", pv.span, f"malformed pseudo-variable {pv.text}: {exc}")
            return None
        loaded = self.outer.loaded
        spec = loaded.pvs.get(ref.name)
        if spec is None:
            owners = [m for m in self.outer.registry.available()
                      if ref.name in self.outer.registry.get(m).pvs]
            hint = (f"${ref.name} comes from module {owners[0]}: add loadmodule \"{owners[0]}.so\""
                    if owners else _suggest(ref.name, loaded.pvs))
            self.report("E211", pv.span, f"unknown pseudo-variable class ${ref.name}", hint)
        for cls, name in ref.transform_names():
            names = loaded.transformations.get(cls)
            if names is None:
                self.report("E212", pv.span, f"unknown transformation class {{{cls}.*}} in "
                            f"{pv.text}", _suggest(cls, loaded.transformations))
            elif name not in names:
                self.report("E212", pv.span, f"unknown transformation {{{cls}.{name}}} in "
                            f"{pv.text}", _suggest(name, names))
        if self.xhttp and ref.name == "ru":
            self.report("W205", pv.span, "$ru inside event_route[xhttp:request] is not the HTTP "
                        "URL", "use $hu")
        return spec

    def format_pvs(self, arg: ast.Expr) -> None:
        """The PVs inside a format-string literal (xlog and friends) are checked like any
        other: an unknown one would otherwise only fail when the server compiles the script."""
        if not isinstance(arg, ast.StrLit) or "$" not in arg.value:
            return
        span = arg.span
        for start, end in pvs_in_format(arg.value):
            # Columns inside the literal are exact when it sits on one line without escapes
            # before the PV; otherwise the literal's own start is the honest position.
            col = span.column + 1 + start
            where = (Span(span.file, span.line, col, span.line, col + end - start,
                          span.expanded_from) if span.line == span.end_line else span)
            self.pvar(ast.PVar(where, arg.value[start:end]))

    def expr(self, expr: ast.Expr) -> None:
        for node in ast.walk(expr):
            if isinstance(node, ast.PVar):
                self.pvar(node)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.BinOp):
                self.binop(node)

    def binop(self, node: ast.BinOp) -> None:
        left_t, right_t = static_type(node.left), static_type(node.right)
        trap = isinstance(node.left, ast.UnOp) and node.left.op == "!" and node.op in (
            "==", "!=", "=~", "eq", "ne")
        if node.op in _ARITH_OPS and "str" in (left_t, right_t):
            self.report("E216", node.span, f"bad expression: '{node.op}' needs integers, "
                        "got a string")
        elif node.op in _COMPARE_OPS and left_t == "int" and right_t == "str":
            hint = ("'not' binds tighter than '==': write not (a == b) or a != b" if trap
                    else None)
            self.report("E216", node.span, "bad expression: type mismatch: str instead of int",
                        hint)
        elif trap:
            self.report("W202", node.span, f"'not a {node.op} b' parses as '(not a) {node.op} b'",
                        f"write not (a {node.op} b)")

    def call(self, call: ast.Call) -> None:
        spec: FunctionSpec | None = self.outer.loaded.functions.get(call.name)
        if spec is None:
            owners = self.outer.registry.find_function_owner(call.name)
            hint = (f"{call.name} is exported by module {owners[0]}: add loadmodule "
                    f"\"{owners[0]}.so\"" if owners else
                    _suggest(call.name, self.outer.loaded.functions))
            self.report("E206", call.name_span, f"unknown function {call.name}", hint)
            return
        if not spec.accepts(len(call.args)):
            want = " or ".join(str(a) for a in spec.arities)
            self.report("E207", call.name_span, f"{call.name} takes {want} argument"
                        f"{'s' if spec.arities != (1,) else ''}, given {len(call.args)}")
        for i in spec.formats:
            if i < len(call.args):
                self.format_pvs(call.args[i])
        for rtype in sorted(self.types, key=int):
            if spec.routes & rtype:
                continue
            where = _label(self.block)
            if self.block.canonical_kind != "route":
                self.report("E208", call.name_span, f"{call.name} cannot be used in {where}")
                break
            kind_name = next(k for k, v in ROUTE_KIND_TYPES.items() if v == rtype)
            # Kamailio's own check stopped following route() calls long ago, and configs guard
            # such calls at run time (is_request(), t_is_branch_route()): warn, don't refuse.
            self.report("W209", call.name_span,
                        f"{call.name} cannot be used in {kind_name}, which reaches {where}",
                        "guard the call (e.g. is_request(), t_is_branch_route()) or move it")
            break


def check(config: ast.Config, registry: Registry) -> list[Diagnostic]:
    """Every semantic diagnostic for `config`."""
    return Checker(config, registry).run()
