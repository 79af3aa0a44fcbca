"""Compile a checked cfg AST into nested Python closures, once, at start-up.

Every statement becomes an *action*: a closure `(ctx) -> int` returning Kamailio's action code
(>0 true, <0 false). Every expression becomes a closure `(ctx) -> value`, or a constant when
it can be computed at compile time (constant folding: literals, operators over constants, casts,
constant function arguments, constant route names and regexes). Nothing walks the AST per
message, and PV text is parsed once.

Control flow, after Kamailio's run_actions:

- `break` and `return` set a flag in `ctx.run_flags`; a block checks the flags after each action
  and stops; `while`/`switch` absorb `break`, a route call absorbs `return`.
- `exit`, `drop`, `return 0`, and any function or route returning 0 stop the whole script by
  raising `ScriptStop`, caught where the route was entered (`Script.run`). That happens at most
  once per message, so no action pays for an "are we stopping?" test. `exit` and `return 0`
  themselves set `EXIT_F` instead (raising through every frame costs more), which stops every
  block, loop and switch like the other flags and which a route call turns into `ScriptStop`.
- `route(X)` pushes (key, call span) onto `ctx.call_stack`, sets `$rc` to the route's result.
  A route that ends without `return` gives the code of its last action (1 for an empty route).
- `while` runs at most `max_while_loops` iterations, then logs an error and leaves the loop.
- A failed expression (division by zero, bad regex) logs an error and counts as false: an `if`
  takes its else branch, an assignment is skipped (-1), a function is not called (-1).

Calls: a function call compiles to a closure per shape (no arguments, one constant, constants,
computed arguments), so the common ones pay no argument tuple; a module may compile a call
for its arguments itself (fixups.py: `is_method("INVITE")` as a set lookup, xlog skipping a
format its level will not print). An `if` over one call, or its negation, tests the call's
code directly.

Tracing (the debugger's cfgtrace and breakpoints): `Script.set_tracer(t)` swaps the route table
to a second build of the same AST in which every action closure is wrapped by one that calls the
tracer first. The plain build has no wrappers and no `if tracer` test anywhere, so tracing off
costs nothing; the traced build is compiled the first time a tracer is set and kept. Both builds
share the `ActionInfo` objects, so breakpoints keyed on them hold across switches. A message
already running keeps the build it started in; the next route entry uses the new one.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.cfg.callgraph import static_route_name
from siprouter.core.cfg.source import Span
from siprouter.core.exports import LoadedSet
from siprouter.core.sip import SIPRequest

from . import values as V
from .context import BREAK_F, EXIT_F, RETURN_F, Context, ScriptDrop, ScriptStop
from .core_actions import CORE_IMPLS
from .fixups import Const, const_setter_of, method_set_of, specializer_of
from .keywords import CONSTANT_WORDS, KEYWORDS, MYSELF, SELECTS, select_head
from .pv import PVError, compile_format, compile_pv
from .tracing import KIND_NAMES, ActionInfo, ActionKind, Tracer
from .values import ExprError, Value, compile_regex, pv_truth, to_int, to_str, truth

Action = Callable[[Context], int]
ValueFn = Callable[[Context], Value]
CondFn = Callable[[Context], bool]


class CompileError(Exception):
    """The script cannot run: every problem found, each with the span it comes from."""

    def __init__(self, errors: list[tuple[Span, str]]) -> None:
        self.errors = errors
        super().__init__("\n".join(f"{span}: {msg}" for span, msg in errors))


_Const = Const  # a compile-time value (the type specialisers see too)

Compiled = _Const | ValueFn
CondCompiled = bool | CondFn


def _const_fn(v: Value) -> ValueFn:
    return lambda ctx: v


def _fn(c: Compiled) -> ValueFn:
    return _const_fn(c.value) if isinstance(c, _Const) else c


def _norm_ret(ret: Any) -> int:
    """A Python implementation may return True/False/None: True and None are 1, False is -1."""
    if ret is None or ret is True:
        return 1
    if ret is False:
        return -1
    return int(ret)


def _enter(ctx: Context, body: Action, key: str, span: Span) -> int:
    """Run a called route: push the call, absorb its `return`, set $rc."""
    stack = ctx.call_stack
    if len(stack) >= ctx.worker.max_recursive_level:
        ctx.log.error("%s: route(%s): too many nested route calls (%d)", span, key[6:],
                      len(stack))
        ctx.last_retcode = -1
        return -1
    stack.append((key, span))
    try:
        ret = body(ctx)
    finally:
        stack.pop()
    if ctx.run_flags & EXIT_F:
        raise ScriptStop()  # exit inside the called route: the whole script stops
    ctx.run_flags = 0
    ctx.last_retcode = ret
    return ret


def _in_network(addr: Value, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    text = to_str(addr).strip("[]")
    try:
        return ipaddress.ip_address(text) in net
    except ValueError:
        return False


class _Build:
    """One compilation of the whole script, plain or traced."""

    def __init__(self, script: Script, traced: bool) -> None:
        self.script = script
        self.traced = traced
        self.bodies: dict[str, Action] = {}
        self.cells: dict[str, list[Action]] = {}
        self.route_key = ""
        # Action closure -> the function it wraps, `(ctx) -> raw result`, for calls whose whole
        # work is that function (no arguments, or compiled by the module for constant ones):
        # an `if` or a condition over such a call calls it directly, one frame less.
        self.direct: dict[Action, Callable[[Context], Any]] = {}
        # `a && b` / `a || b` condition closure -> (is_and, a, b): an `if` over one evaluates
        # the two sides itself.
        self.junctions: dict[CondFn, tuple[bool, CondFn, CondFn]] = {}

    # --- bookkeeping ------------------------------------------------------------------------

    def error(self, span: Span, message: str) -> None:
        self.script._error(span, message)

    def missing(self, span: Span, message: str) -> bool:
        """Something the script needs is not implemented (yet): an error when strict, else a
        run-time error log. Returns True when the caller should build a run-time stub."""
        if self.script.strict:
            self.error(span, message)
        return True

    def action(self, kind: ActionKind, name: str, node: ast.Node, fn: Action) -> Action:
        info = self.script._info(kind, name, node, self.route_key)
        if not self.traced:
            return fn
        emit = self.script._emit

        def traced(ctx: Context) -> int:
            emit(ctx, info)
            return fn(ctx)

        return traced

    # --- routes and blocks --------------------------------------------------------------------

    def build(self) -> dict[str, Action]:
        for key, block in self.script.blocks.items():
            self.route_key = key
            self.bodies[key] = self.block(block.body.body)
        for key, cell in self.cells.items():
            body = self.bodies.get(key)
            if body is not None:
                cell[0] = body
        return self.bodies

    def block(self, stmts: tuple[ast.Stmt, ...]) -> Action:
        actions = [a for a in (self.stmt(s) for s in stmts) if a is not None]
        if not actions:
            return lambda ctx: 1
        if len(actions) == 1:
            return actions[0]
        acts = tuple(actions)

        def run_block(ctx: Context) -> int:
            ret = 1
            for act in acts:
                ret = act(ctx)
                if ctx.run_flags:
                    break
            return ret

        return run_block

    def stmt(self, s: ast.Stmt) -> Action | None:
        if isinstance(s, ast.Block):
            return self.block(s.body) if s.body else None
        if isinstance(s, ast.CallStmt):
            return self.call_action(s.call)
        if isinstance(s, ast.AssignStmt):
            return self.assign(s)
        if isinstance(s, ast.IfStmt):
            return self.if_stmt(s)
        if isinstance(s, ast.SwitchStmt):
            return self.switch(s)
        if isinstance(s, ast.WhileStmt):
            return self.while_stmt(s)
        if isinstance(s, ast.BreakStmt):
            return self.action(ActionKind.BREAK, "break", s, _break)
        if isinstance(s, ast.ReturnStmt):
            return self.return_stmt(s)
        if isinstance(s, ast.ExitStmt):
            return self.action(ActionKind.EXIT, "exit", s, _exit)
        if isinstance(s, ast.DropStmt):
            return self.action(ActionKind.DROP, "drop", s, _drop)
        self.error(s.span, f"cannot compile {type(s).__name__}")
        return None

    # --- statements -------------------------------------------------------------------------

    def assign(self, s: ast.AssignStmt) -> Action | None:
        try:
            pv = compile_pv(s.target.text)
        except PVError as exc:
            self.missing(s.target.span, str(exc))
            return self.action(ActionKind.ASSIGN, "assign", s, self._stub(s.span, str(exc)))
        setter = pv.set
        if setter is None:
            self.error(s.target.span, f"{s.target.text} is read-only and cannot be assigned")
            return None
        value = self.value(s.value)
        span = s.span
        if isinstance(value, _Const):
            const = value.value
            specializer = const_setter_of(setter)
            fixed = specializer(const) if specializer is not None else None
            if fixed is not None:
                return self.action(ActionKind.ASSIGN, "assign", s, fixed)

            def assign_const(ctx: Context) -> int:
                setter(ctx, const)
                return 1

            fn: Action = assign_const
        else:
            get = value

            def assign(ctx: Context) -> int:
                try:
                    v = get(ctx)
                except ExprError as exc:
                    ctx.log.error("%s: assignment not done: %s", span, exc)
                    return -1
                setter(ctx, v)
                return 1

            fn = assign
        return self.action(ActionKind.ASSIGN, "assign", s, fn)

    def if_stmt(self, s: ast.IfStmt) -> Action:
        info_name = KIND_NAMES[ActionKind.IF]
        self.script._info(ActionKind.IF, info_name, s, self.route_key)  # source order
        called = self._called(s.cond)
        if called is not None:  # `if (f(...))`, `if (!f(...))`: the usual shapes
            run, negate = called
            then = self.stmt(s.then) or _true
            orelse = self.stmt(s.orelse) if s.orelse is not None else None
            direct = self.direct.get(run)
            if direct is not None:
                fn = _if_direct(direct, negate, then, orelse, s.cond.span)
                wanted = method_set_of(direct)
                if wanted is not None:
                    fn = _if_method(wanted, fn, negate, then, orelse)
                return self.action(ActionKind.IF, info_name, s, fn)
            return self.action(ActionKind.IF, info_name, s,
                               _if_call(run, negate, then, orelse, s.cond.span))
        cond = self.cond(s.cond, True)
        then = self.stmt(s.then) or _true
        orelse = self.stmt(s.orelse) if s.orelse is not None else None
        span = s.cond.span
        if isinstance(cond, bool):
            taken = then if cond else (orelse or _true)
            return self.action(ActionKind.IF, info_name, s, taken)
        test = cond
        junction = self.junctions.get(test)
        if junction is not None:
            return self.action(ActionKind.IF, info_name, s,
                               _if_junction(*junction, then, orelse, span))
        if orelse is None:
            def run_if(ctx: Context) -> int:
                try:
                    c = test(ctx)
                except ExprError as exc:
                    ctx.log.error("%s: condition failed: %s", span, exc)
                    c = False
                return then(ctx) if c else 1
        else:
            other = orelse

            def run_if(ctx: Context) -> int:
                try:
                    c = test(ctx)
                except ExprError as exc:
                    ctx.log.error("%s: condition failed: %s", span, exc)
                    c = False
                return then(ctx) if c else other(ctx)
        return self.action(ActionKind.IF, info_name, s, run_if)

    def _called(self, e: ast.Expr) -> tuple[Action, bool] | None:
        """(the call action, negated) when condition `e` is one call or its negation."""
        if isinstance(e, ast.Call):
            return self.call_expr(e), False
        if isinstance(e, ast.UnOp) and e.op == "!" and isinstance(e.operand, ast.Call):
            return self.call_expr(e.operand), True
        return None

    def while_stmt(self, s: ast.WhileStmt) -> Action:
        self.script._info(ActionKind.WHILE, "while", s, self.route_key)
        cond = self.cond(s.cond, True)
        body = self.stmt(s.body) or _true
        test: CondFn = (lambda ctx: True) if cond is True else (
            (lambda ctx: False) if cond is False else cond)
        span = s.span

        def run_while(ctx: Context) -> int:
            ret = 1
            limit = ctx.worker.max_while_loops
            n = 0
            while True:
                try:
                    if not test(ctx):
                        break
                except ExprError as exc:
                    ctx.log.error("%s: while condition failed: %s", span, exc)
                    break
                if n >= limit:
                    ctx.log.error("%s: while loop stopped after max_while_loops=%d iterations",
                                  span, limit)
                    break
                n += 1
                ret = body(ctx)
                flags = ctx.run_flags
                if flags:
                    if flags & BREAK_F:
                        ctx.run_flags = flags & ~BREAK_F
                    break
            return ret

        return self.action(ActionKind.WHILE, "while", s, run_while)

    def return_stmt(self, s: ast.ReturnStmt) -> Action:
        if s.value is None:
            return self.action(ActionKind.RETURN, "return", s, _return_one)
        value = self.value(s.value)
        span = s.span
        if isinstance(value, _Const):
            code = to_int(value.value)
            if code == 0:
                return self.action(ActionKind.RETURN, "return", s, _return_zero)

            def return_const(ctx: Context) -> int:
                ctx.run_flags |= RETURN_F
                return code

            return self.action(ActionKind.RETURN, "return", s, return_const)
        get = value

        def return_value(ctx: Context) -> int:
            try:
                code = to_int(get(ctx))
            except ExprError as exc:
                ctx.log.error("%s: return value failed: %s", span, exc)
                code = -1
            if code == 0:
                ctx.last_retcode = 0
                raise ScriptStop()
            ctx.run_flags |= RETURN_F
            return code

        return self.action(ActionKind.RETURN, "return", s, return_value)

    def switch(self, s: ast.SwitchStmt) -> Action:
        # The case bodies run as one flat list from the matched case's offset: fall-through for
        # free; `break` stops it.
        self.script._info(ActionKind.SWITCH, "switch", s, self.route_key)
        subject = self.value(s.subject)
        flat: list[Action] = []
        starts: list[int] = []
        labels: list[tuple[str, Value]] = []  # ("int"|"str"|"re"|"default", value)
        case_infos: list[ActionInfo] = []
        for case in s.cases:
            starts.append(len(flat))
            case_infos.append(self.script._info(ActionKind.CASE, "case", case, self.route_key))
            if case.value is None:
                labels.append(("default", None))
            else:
                label = self.value(case.value)
                if not isinstance(label, _Const):
                    self.error(case.value.span, "a case label must be a constant")
                    labels.append(("str", ""))
                elif case.regex:
                    try:
                        compile_regex(to_str(label.value))
                    except ExprError as exc:
                        self.error(case.value.span, str(exc))
                    labels.append(("re", to_str(label.value)))
                elif isinstance(label.value, int):
                    labels.append(("int", label.value))
                else:
                    labels.append(("str", to_str(label.value)))
            flat.extend(a for a in (self.stmt(st) for st in case.body) if a is not None)
        acts = tuple(flat)
        find = self._case_finder(labels, _fn(subject))
        offsets = tuple(starts)
        infos = tuple(case_infos)
        traced = self.traced
        emit = self.script._emit
        span = s.span

        def run_switch(ctx: Context) -> int:
            try:
                i = find(ctx)
            except ExprError as exc:
                ctx.log.error("%s: switch value failed: %s", span, exc)
                return -1
            if i is None:
                return 1
            if traced:
                emit(ctx, infos[i])
            ret = 1
            for act in acts[offsets[i]:]:
                ret = act(ctx)
                flags = ctx.run_flags
                if flags:
                    if flags & BREAK_F:
                        ctx.run_flags = flags & ~BREAK_F
                    break
            return ret

        return self.action(ActionKind.SWITCH, "switch", s, run_switch)

    @staticmethod
    def _case_finder(labels: list[tuple[str, Value]],
                     subject: ValueFn) -> Callable[[Context], int | None]:
        """A function giving the index of the case to start at, or None when none matches.
        Int labels only: the subject compares as an int; otherwise as a string."""
        default = next((i for i, (k, _) in enumerate(labels) if k == "default"), None)
        kinds = {k for k, _ in labels}
        if kinds <= {"int", "default"}:
            table: dict[int, int] = {}
            for i, (kind, v) in enumerate(labels):
                if kind == "int":
                    table.setdefault(to_int(v), i)
            return lambda ctx: table.get(to_int(subject(ctx)), default)
        if "re" not in kinds:
            stable: dict[str, int] = {}
            for i, (kind, v) in enumerate(labels):
                if kind != "default":
                    stable.setdefault(to_str(v), i)
            return lambda ctx: stable.get(to_str(subject(ctx)), default)
        tests = [(_label_test(kind, to_str(v)), i) for i, (kind, v) in enumerate(labels)
                 if kind != "default"]

        def find(ctx: Context) -> int | None:
            text = to_str(subject(ctx))
            for test, i in tests:
                if test(text):
                    return i
            return default

        return find

    # --- calls --------------------------------------------------------------------------------

    def call_action(self, call: ast.Call) -> Action:
        if call.name == "route":
            return self.action(ActionKind.ROUTE, "route", call, self.route_call(call))
        fn, kind = self.function_call(call)
        return self.action(kind, call.name, call, fn)

    def call_expr(self, call: ast.Call) -> Action:
        """A call inside an expression: traced like a statement, before it runs."""
        return self.call_action(call)

    def function_call(self, call: ast.Call) -> tuple[Action, ActionKind]:
        spec = self.script.loaded.functions.get(call.name)
        impl = spec.impl if spec is not None else None
        kind = ActionKind.MODULE_FUNCTION
        if impl is None and call.name in CORE_IMPLS and (
                spec is not None or not self.script.strict):
            impl = CORE_IMPLS[call.name]
        if impl is not None and (spec is None or spec.module in ("core", "kex")):
            kind = ActionKind.CORE_FUNCTION if call.name in CORE_IMPLS else kind
        if spec is None:
            if self.missing(call.name_span, f"unknown function {call.name}"):
                if impl is None:
                    return self._stub(call.span, f"unknown function {call.name}"), kind
        elif not spec.accepts(len(call.args)):
            want = " or ".join(str(a) for a in spec.arities)
            self.error(call.name_span, f"{call.name} takes {want} argument(s), given "
                       f"{len(call.args)}")
        if impl is None:
            msg = f"function {call.name} has no implementation yet"
            self.missing(call.name_span, msg)
            return self._stub(call.span, msg), kind
        if spec is not None and spec.wants_span:
            impl = functools.partial(impl, span=call.span)
        formats = spec.formats if spec is not None else frozenset()
        args = [self.format_arg(a) if i in formats else self.arg(a)
                for i, a in enumerate(call.args)]
        specializer = specializer_of(impl)
        if specializer is not None:
            run = specializer(tuple(args))
            if run is not None:
                fn = self._invoke_specialized(run, args, call.span, call.name)
                if not self.traced and all(isinstance(a, _Const) for a in args):
                    self.direct[fn] = run
                return fn, kind
        fn = self._invoke(impl, args, call.span, call.name)
        if not self.traced and not args:
            self.direct[fn] = impl
        return fn, kind

    def format_arg(self, e: ast.Expr) -> Compiled:
        """A format-string argument: a literal with PVs in it is expanded at each call."""
        if isinstance(e, ast.StrLit) and "$" in e.value:
            try:
                return compile_format(e.value)
            except PVError as exc:
                self.missing(e.span, str(exc))
                return self._value_stub(e.span, str(exc))
        return self.arg(e)

    def arg(self, e: ast.Expr) -> Compiled:
        """A function argument: a bare word is its name (a flag or route name), an address is
        its text; everything else an expression."""
        if isinstance(e, ast.Ident) and e.name not in KEYWORDS and e.name not in CONSTANT_WORDS:
            return _Const(e.name)
        return self.value(e)

    @staticmethod
    def _invoke_specialized(run: Callable[[Context], Any], args: list[Compiled], span: Span,
                            name: str) -> Action:
        """A call whose module compiled it for its arguments (fixups.py): `run` reads the
        dynamic arguments itself; a failed one means the function is not called."""
        if all(isinstance(a, _Const) for a in args):
            def call_fixed(ctx: Context) -> int:
                ret = run(ctx)
                if ret.__class__ is not int:
                    ret = _norm_ret(ret)
                ctx.last_retcode = ret
                if ret == 0:
                    raise ScriptStop()
                return ret

            return call_fixed

        def call_fixed_dynamic(ctx: Context) -> int:
            try:
                ret = run(ctx)
            except ExprError as exc:
                ctx.log.error("%s: %s() not called: %s", span, name, exc)
                ctx.last_retcode = -1
                return -1
            if ret.__class__ is not int:
                ret = _norm_ret(ret)
            ctx.last_retcode = ret
            if ret == 0:
                raise ScriptStop()
            return ret

        return call_fixed_dynamic

    @staticmethod
    def _invoke(impl: Callable[..., Any], args: list[Compiled], span: Span,
                name: str) -> Action:
        if not args:
            def call_none(ctx: Context) -> int:
                ret = impl(ctx)
                if ret.__class__ is not int:
                    ret = _norm_ret(ret)
                ctx.last_retcode = ret
                if ret == 0:
                    raise ScriptStop()
                return ret

            return call_none
        if all(isinstance(a, _Const) for a in args):
            consts = tuple(a.value for a in args)  # type: ignore[union-attr]
            if len(consts) == 1:
                (c0,) = consts

                def call_const1(ctx: Context) -> int:
                    ret = impl(ctx, c0)
                    if ret.__class__ is not int:
                        ret = _norm_ret(ret)
                    ctx.last_retcode = ret
                    if ret == 0:
                        raise ScriptStop()
                    return ret

                return call_const1

            def call_const(ctx: Context) -> int:
                ret = impl(ctx, *consts)
                if ret.__class__ is not int:
                    ret = _norm_ret(ret)
                ctx.last_retcode = ret
                if ret == 0:
                    raise ScriptStop()
                return ret

            return call_const
        getters = tuple(_fn(a) for a in args)
        if len(getters) == 1:
            (get,) = getters

            def call_one(ctx: Context) -> int:
                try:
                    value = get(ctx)
                except ExprError as exc:
                    ctx.log.error("%s: %s() not called: %s", span, name, exc)
                    ctx.last_retcode = -1
                    return -1
                ret = impl(ctx, value)
                if ret.__class__ is not int:
                    ret = _norm_ret(ret)
                ctx.last_retcode = ret
                if ret == 0:
                    raise ScriptStop()
                return ret

            return call_one

        def call(ctx: Context) -> int:
            try:
                values = [g(ctx) for g in getters]
            except ExprError as exc:
                ctx.log.error("%s: %s() not called: %s", span, name, exc)
                ctx.last_retcode = -1
                return -1
            ret = impl(ctx, *values)
            if ret.__class__ is not int:
                ret = _norm_ret(ret)
            ctx.last_retcode = ret
            if ret == 0:
                raise ScriptStop()
            return ret

        return call

    @staticmethod
    def _stub(span: Span, message: str) -> Action:
        def stub(ctx: Context) -> int:
            ctx.log.error("%s: %s", span, message)
            ctx.last_retcode = -1
            return -1

        return stub

    def route_call(self, call: ast.Call) -> Action:
        if len(call.args) != 1:
            self.error(call.name_span, "route takes 1 argument")
            return _true
        arg = call.args[0]
        name = static_route_name(arg)
        value: Compiled | None = None
        if name is None:
            value = self.value(arg)
            if isinstance(value, _Const):
                name = to_str(value.value)
        span = call.span
        if name is not None:
            key = f"route:{name}"
            if key not in self.script.blocks:
                self.missing(arg.span, f"route({name}) calls a route that is not defined")
                return self._stub(span, f"route({name}): no such route")
            cell = self.cells.setdefault(key, [_true])

            def call_route(ctx: Context) -> int:
                return _enter(ctx, cell[0], key, span)

            return call_route
        get = _fn(value) if value is not None else _const_fn("")
        bodies = self.bodies

        def call_dynamic(ctx: Context) -> int:
            try:
                target = to_str(get(ctx))
            except ExprError as exc:
                ctx.log.error("%s: route name failed: %s", span, exc)
                ctx.last_retcode = -1
                return -1
            key = "route:" + target
            body = bodies.get(key)
            if body is None:
                ctx.log.error("%s: route(%s): no such route", span, target)
                ctx.last_retcode = -1
                return -1
            return _enter(ctx, body, key, span)

        return call_dynamic

    # --- expressions: values ------------------------------------------------------------------

    def value(self, e: ast.Expr) -> Compiled:
        if isinstance(e, ast.IntLit):
            return _Const(e.value)
        if isinstance(e, ast.StrLit):
            return _Const(e.value)
        if isinstance(e, ast.PVar):
            return self.pvar(e)
        if isinstance(e, ast.BinOp):
            return self.binop(e)
        if isinstance(e, ast.UnOp):
            return self.unop(e)
        if isinstance(e, ast.Cast):
            return self.unary_fn(V.CASTS[e.to], self.value(e.operand))
        if isinstance(e, ast.Call):
            run = self.call_expr(e)
            return lambda ctx: 1 if run(ctx) > 0 else 0
        if isinstance(e, ast.Ident):
            return self.ident(e)
        if isinstance(e, ast.NetLit):
            return _Const(e.text)
        if isinstance(e, ast.Select):
            factory = SELECTS.get(select_head(e.text))
            if factory is None:
                self.missing(e.span, f"select {e.text} is not available")
                return self._value_stub(e.span, f"select {e.text} is not available")
            return factory(e.text)
        self.error(e.span, f"cannot compile {type(e).__name__}")
        return _Const(None)

    def pvar(self, e: ast.PVar) -> Compiled:
        try:
            pv = compile_pv(e.text)
        except PVError as exc:
            self.missing(e.span, str(exc))
            return self._value_stub(e.span, str(exc))
        if pv.is_null:
            return _Const(None)
        return pv.get

    def ident(self, e: ast.Ident) -> Compiled:
        if e.name in CONSTANT_WORDS:
            return _Const(CONSTANT_WORDS[e.name])
        getter = KEYWORDS.get(e.name)
        if getter is None:
            self.missing(e.span, f"unknown keyword {e.name}")
            return self._value_stub(e.span, f"unknown keyword {e.name}")
        return getter

    @staticmethod
    def _value_stub(span: Span, message: str) -> ValueFn:
        def stub(ctx: Context) -> Value:
            ctx.log.error("%s: %s", span, message)
            return None

        return stub

    @staticmethod
    def unary_fn(op: Callable[[Value], Value], operand: Compiled) -> Compiled:
        if isinstance(operand, _Const):
            try:
                return _Const(op(operand.value))
            except ExprError:
                pass
        get = _fn(operand)
        return lambda ctx: op(get(ctx))

    def unop(self, e: ast.UnOp) -> Compiled:
        if e.op == "defined":
            if isinstance(e.operand, ast.PVar):
                operand = self.pvar(e.operand)
                if isinstance(operand, _Const):
                    return _Const(0 if operand.value is None else 1)
                get = operand
                return lambda ctx: 0 if get(ctx) is None else 1
            return _Const(1)  # only a lone variable can be undefined
        if e.op == "!":
            cond = self.cond(e.operand, False)
            if isinstance(cond, bool):
                return _Const(0 if cond else 1)
            test = cond
            return lambda ctx: 0 if test(ctx) else 1
        return self.unary_fn(V.UNARY_OPS[e.op], self.value(e.operand))

    def binop(self, e: ast.BinOp) -> Compiled:
        if e.op in ("&&", "||") or e.op in V.COMPARISONS:
            cond = self.cond(e, False)
            if isinstance(cond, bool):
                return _Const(1 if cond else 0)
            test = cond
            return lambda ctx: 1 if test(ctx) else 0
        op = V.BINARY_OPS[e.op]
        left, right = self.value(e.left), self.value(e.right)
        if isinstance(left, _Const) and isinstance(right, _Const):
            try:
                return _Const(op(left.value, right.value))
            except ExprError:
                pass  # fails at run time, with a log each time, as Kamailio does
        if isinstance(right, _Const):
            lf, rc = _fn(left), right.value
            if op is V.add and rc.__class__ is int:
                # `$var(i) + 1`: the common counter, without the generic dispatch
                def add_int(ctx: Context) -> Value:
                    v = lf(ctx)
                    return v + rc if v.__class__ is int else op(v, rc)

                return add_int
            return lambda ctx: op(lf(ctx), rc)
        if isinstance(left, _Const):
            lc, rf = left.value, right
            return lambda ctx: op(lc, rf(ctx))
        lf2, rf2 = left, right
        return lambda ctx: op(lf2(ctx), rf2(ctx))

    # --- expressions: conditions --------------------------------------------------------------

    def cond(self, e: ast.Expr, lone_pv_strings: bool) -> CondCompiled:
        """Compile `e` for its truth. In an if/while condition (and the operands of its `!`,
        `&&`, `||`) a lone PV holding a string is true when non-empty; elsewhere values convert
        to int."""
        if isinstance(e, ast.BinOp) and e.op in ("&&", "||"):
            a = self.cond(e.left, lone_pv_strings)
            b = self.cond(e.right, lone_pv_strings)
            if e.op == "&&":
                if a is False:
                    return False
                if a is True:
                    return b
                if b is False:
                    fa = a
                    return lambda ctx: fa(ctx) and False
                if b is True:
                    return a
                fa, fb = a, b
                both: CondFn = lambda ctx: fa(ctx) and fb(ctx)  # noqa: E731
                self.junctions[both] = (True, fa, fb)
                return both
            if a is True:
                return True
            if a is False:
                return b
            if b is True:
                fa = a
                return lambda ctx: fa(ctx) or True
            if b is False:
                return a
            fa, fb = a, b
            either: CondFn = lambda ctx: fa(ctx) or fb(ctx)  # noqa: E731
            self.junctions[either] = (False, fa, fb)
            return either
        if isinstance(e, ast.BinOp) and e.op in V.COMPARISONS:
            return self.compare(e)
        if isinstance(e, ast.UnOp) and e.op == "!" and isinstance(e.operand, ast.Call):
            # `if (!f(...))`, the usual failure test (`if (!forward()) sl_reply_error();`):
            # one closure instead of a negation wrapped around the call's truth test.
            neg = self.call_expr(e.operand)
            direct = self.direct.get(neg)
            if direct is not None:
                return _direct_test(direct, True)
            return lambda ctx: neg(ctx) <= 0
        if isinstance(e, ast.UnOp) and e.op == "!":
            inner = self.cond(e.operand, lone_pv_strings)
            if isinstance(inner, bool):
                return not inner
            fi = inner
            return lambda ctx: not fi(ctx)
        if isinstance(e, ast.Call):
            run = self.call_expr(e)
            direct = self.direct.get(run)
            if direct is not None:
                return _direct_test(direct, False)
            return lambda ctx: run(ctx) > 0
        v = self.value(e)
        if isinstance(v, _Const):
            return truth(v.value)
        get = v
        if isinstance(e, ast.PVar) and lone_pv_strings:
            return lambda ctx: pv_truth(get(ctx))
        return lambda ctx: truth(get(ctx))

    def compare(self, e: ast.BinOp) -> CondCompiled:
        if (e.op in ("==", "!=", "=~") and isinstance(e.right, ast.Ident)
                and e.right.name == "myself"):
            if not MYSELF:
                self.missing(e.right.span, "'myself' needs the SIP layer (register_myself)")
                return False
            check = MYSELF[0]
            lfm = _fn(self.value(e.left))
            negate_self = e.op == "!="
            return lambda ctx: check(ctx, lfm(ctx)) != negate_self
        if e.op in ("==", "!=") and isinstance(e.right, ast.NetLit):
            text = e.right.text.strip("[]")
            try:
                net = ipaddress.ip_network(text.replace("]/", "/"), strict=False)
            except ValueError:
                net = None
            if net is not None:
                lf = _fn(self.value(e.left))
                negate = e.op == "!="
                network = net
                return lambda ctx: _in_network(lf(ctx), network) != negate
        left, right = self.value(e.left), self.value(e.right)
        if e.op == "=~" and isinstance(right, _Const):
            try:
                rx = compile_regex(to_str(right.value))
            except ExprError as exc:
                self.error(e.right.span, str(exc))
                return False
            if isinstance(left, _Const):
                return rx.search(to_str(left.value)) is not None
            lfr = left
            return lambda ctx: rx.search(to_str(lfr(ctx))) is not None
        op = V.COMPARISONS[e.op]
        if isinstance(left, _Const) and isinstance(right, _Const):
            try:
                return op(left.value, right.value)
            except ExprError:
                pass
        if isinstance(right, _Const):
            lf1, rc = _fn(left), right.value
            return lambda ctx: op(lf1(ctx), rc)
        if isinstance(left, _Const):
            lc, rf = left.value, right
            return lambda ctx: op(lc, rf(ctx))
        lf2, rf2 = left, right
        return lambda ctx: op(lf2(ctx), rf2(ctx))


def _if_call(run: Action, negate: bool, then: Action, orelse: Action | None,
             span: Span) -> Action:
    """`if` over one call: the call's code decides, without a truth-test closure between."""
    if orelse is None:
        if negate:
            def run_if_not_call(ctx: Context) -> int:
                try:
                    c = run(ctx) <= 0
                except ExprError as exc:
                    ctx.log.error("%s: condition failed: %s", span, exc)
                    c = False
                return then(ctx) if c else 1

            return run_if_not_call

        def run_if_call(ctx: Context) -> int:
            try:
                c = run(ctx) > 0
            except ExprError as exc:
                ctx.log.error("%s: condition failed: %s", span, exc)
                c = False
            return then(ctx) if c else 1

        return run_if_call
    other = orelse

    def run_if_call_else(ctx: Context) -> int:
        try:
            c = run(ctx) <= 0 if negate else run(ctx) > 0
        except ExprError as exc:
            ctx.log.error("%s: condition failed: %s", span, exc)
            c = False
        return then(ctx) if c else other(ctx)

    return run_if_call_else


def _if_direct(f: Callable[[Context], Any], negate: bool, then: Action, orelse: Action | None,
               span: Span) -> Action:
    """`_if_call` over a call whose whole work is `f(ctx)` (see `_Build.direct`): the call
    action's steps ($rc, stop on 0) done here, without its frame."""
    if orelse is None:
        if negate:
            def run_if_not_direct(ctx: Context) -> int:
                try:
                    ret = f(ctx)
                    if ret.__class__ is not int:
                        ret = _norm_ret(ret)
                    ctx.last_retcode = ret
                    if ret == 0:
                        raise ScriptStop()
                    c = ret < 0
                except ExprError as exc:
                    ctx.log.error("%s: condition failed: %s", span, exc)
                    c = False
                return then(ctx) if c else 1

            return run_if_not_direct

        def run_if_direct(ctx: Context) -> int:
            try:
                ret = f(ctx)
                if ret.__class__ is not int:
                    ret = _norm_ret(ret)
                ctx.last_retcode = ret
                if ret == 0:
                    raise ScriptStop()
                c = ret > 0
            except ExprError as exc:
                ctx.log.error("%s: condition failed: %s", span, exc)
                c = False
            return then(ctx) if c else 1

        return run_if_direct
    other = orelse

    def run_if_direct_else(ctx: Context) -> int:
        try:
            ret = f(ctx)
            if ret.__class__ is not int:
                ret = _norm_ret(ret)
            ctx.last_retcode = ret
            if ret == 0:
                raise ScriptStop()
            c = ret < 0 if negate else ret > 0
        except ExprError as exc:
            ctx.log.error("%s: condition failed: %s", span, exc)
            c = False
        return then(ctx) if c else other(ctx)

    return run_if_direct_else


def _if_junction(is_and: bool, fa: CondFn, fb: CondFn, then: Action, orelse: Action | None,
                 span: Span) -> Action:
    """`if (a && b)` / `if (a || b)`: both sides evaluated here, one frame less than through
    the junction's closure; same order, short-circuit and error handling."""
    other = orelse if orelse is not None else None
    if is_and:
        def run_if_and(ctx: Context) -> int:
            try:
                c = fa(ctx) and fb(ctx)
            except ExprError as exc:
                ctx.log.error("%s: condition failed: %s", span, exc)
                c = False
            if c:
                return then(ctx)
            return 1 if other is None else other(ctx)

        return run_if_and

    def run_if_or(ctx: Context) -> int:
        try:
            c = fa(ctx) or fb(ctx)
        except ExprError as exc:
            ctx.log.error("%s: condition failed: %s", span, exc)
            c = False
        if c:
            return then(ctx)
        return 1 if other is None else other(ctx)

    return run_if_or


def _if_method(wanted: frozenset[str], slow: Action, negate: bool, then: Action,
               orelse: Action | None) -> Action:
    """`_if_direct` over a request-method test (fixups.method_test): for a request the method
    is looked up here, as the test itself would (1 or -1 into $rc); `slow` does the rest."""
    if orelse is None:
        if negate:
            def run_if_not_method(ctx: Context) -> int:
                msg = ctx.msg
                if msg.__class__ is SIPRequest:
                    m = msg.method  # type: ignore[attr-defined]
                    if m in wanted or m.upper() in wanted:
                        ctx.last_retcode = 1
                        return 1
                    ctx.last_retcode = -1
                    return then(ctx)
                return slow(ctx)

            return run_if_not_method

        def run_if_method(ctx: Context) -> int:
            msg = ctx.msg
            if msg.__class__ is SIPRequest:
                m = msg.method  # type: ignore[attr-defined]
                if m in wanted or m.upper() in wanted:
                    ctx.last_retcode = 1
                    return then(ctx)
                ctx.last_retcode = -1
                return 1
            return slow(ctx)

        return run_if_method
    other = orelse

    def run_if_method_else(ctx: Context) -> int:
        msg = ctx.msg
        if msg.__class__ is SIPRequest:
            m = msg.method  # type: ignore[attr-defined]
            hit = m in wanted or m.upper() in wanted
            ctx.last_retcode = 1 if hit else -1
            return then(ctx) if hit is not negate else other(ctx)
        return slow(ctx)

    return run_if_method_else


def _direct_test(f: Callable[[Context], Any], negate: bool) -> CondFn:
    """A condition over a call whose whole work is `f(ctx)`: its truth (or its negation),
    with the call action's steps ($rc, stop on 0)."""
    wanted = method_set_of(f)
    if wanted is not None:
        slow = _direct_test_call(f, negate)
        if negate:
            def not_method(ctx: Context) -> bool:
                msg = ctx.msg
                if msg.__class__ is SIPRequest:
                    m = msg.method  # type: ignore[attr-defined]
                    if m in wanted or m.upper() in wanted:
                        ctx.last_retcode = 1
                        return False
                    ctx.last_retcode = -1
                    return True
                return slow(ctx)

            return not_method

        def test_method(ctx: Context) -> bool:
            msg = ctx.msg
            if msg.__class__ is SIPRequest:
                m = msg.method  # type: ignore[attr-defined]
                if m in wanted or m.upper() in wanted:
                    ctx.last_retcode = 1
                    return True
                ctx.last_retcode = -1
                return False
            return slow(ctx)

        return test_method
    return _direct_test_call(f, negate)


def _direct_test_call(f: Callable[[Context], Any], negate: bool) -> CondFn:
    if negate:
        def not_direct(ctx: Context) -> bool:
            ret = f(ctx)
            if ret.__class__ is not int:
                ret = _norm_ret(ret)
            ctx.last_retcode = ret
            if ret == 0:
                raise ScriptStop()
            return ret < 0

        return not_direct

    def test_direct(ctx: Context) -> bool:
        ret = f(ctx)
        if ret.__class__ is not int:
            ret = _norm_ret(ret)
        ctx.last_retcode = ret
        if ret == 0:
            raise ScriptStop()
        return ret > 0

    return test_direct


def _label_test(kind: str, label: str) -> Callable[[str], bool]:
    if kind == "re":
        rx = compile_regex(label)
        return lambda text: rx.search(text) is not None
    return lambda text: text == label


# --- fixed actions ------------------------------------------------------------------------------


def _true(ctx: Context) -> int:
    return 1


def _break(ctx: Context) -> int:
    ctx.run_flags |= BREAK_F
    return 1


def _return_one(ctx: Context) -> int:
    ctx.run_flags |= RETURN_F
    return 1


def _return_zero(ctx: Context) -> int:
    ctx.last_retcode = 0
    ctx.run_flags |= EXIT_F  # cheaper than raising ScriptStop through every frame
    return 0


def _exit(ctx: Context) -> int:
    ctx.last_retcode = 0
    ctx.run_flags |= EXIT_F
    return 0


def _drop(ctx: Context) -> int:
    ctx.last_retcode = 0
    raise ScriptDrop()


# --- the compiled script ------------------------------------------------------------------------


class Script:
    """The compiled routing script: one callable per route block, run with `run(key, ctx)`."""

    def __init__(self, config: ast.Config, loaded: LoadedSet, *, strict: bool = True) -> None:
        self.config = config
        self.loaded = loaded
        self.strict = strict
        # First definition of a key wins (the checker reports duplicates).
        self.blocks: dict[str, ast.RouteBlock] = {}
        for block in config.routes:
            self.blocks.setdefault(block.key, block)
        self.actions: list[ActionInfo] = []
        self._infos: dict[tuple[int, ActionKind], ActionInfo] = {}
        self._errors: list[tuple[Span, str]] = []
        self._tracer: Tracer | None = None
        self._plain = _Build(self, traced=False).build()
        if self._errors:
            raise CompileError(self._errors)
        self._traced: dict[str, Action] | None = None
        self._active = self._plain
        # What run() pushes on the call stack, built once per route instead of per message.
        self._entries = {key: (key, block.span) for key, block in self.blocks.items()}

    # --- used by the builds --------------------------------------------------------------------

    def _error(self, span: Span, message: str) -> None:
        self._errors.append((span, message))

    def _info(self, kind: ActionKind, name: str, node: ast.Node, route: str) -> ActionInfo:
        key = (id(node), kind)
        info = self._infos.get(key)
        if info is None:
            info = ActionInfo(kind, name, node, route)
            self._infos[key] = info
            self.actions.append(info)
        return info

    def _emit(self, ctx: Context, info: ActionInfo) -> None:
        tracer = self._tracer
        if tracer is not None:  # only the traced build calls this
            tracer(ctx, info)

    # --- public -------------------------------------------------------------------------------

    @property
    def route_keys(self) -> list[str]:
        """Keys of the compiled route blocks: `request_route`, `route:RELAY`, ..."""
        return list(self._plain)

    def has_route(self, key: str) -> bool:
        return key in self._plain

    @property
    def tracer(self) -> Tracer | None:
        return self._tracer

    def set_tracer(self, tracer: Tracer | None) -> None:
        """Call `tracer(ctx, action)` before every action from the next route entry on; None
        switches back to the untraced closures."""
        if tracer is None:
            self._tracer = None
            self._active = self._plain
            return
        if self._traced is None:
            self._traced = _Build(self, traced=True).build()
        self._tracer = tracer
        self._active = self._traced

    def run(self, key: str, ctx: Context) -> int:
        """Run route block `key` as an entry point for `ctx`; returns its code (0 when the
        script was stopped by exit/drop/return 0; then `ctx.exited`, and `ctx.dropped` for drop).
        KeyError when there is no such block."""
        body = self._active[key]
        ctx.run_flags = 0
        stack = ctx.call_stack
        stack.append(self._entries[key])
        try:
            ret = body(ctx)
            if ctx.run_flags & EXIT_F:
                ctx.exited = True
                ret = 0
        except ScriptStop as stop:
            ctx.exited = True
            ctx.dropped = ctx.dropped or stop.drop
            ret = 0
        finally:
            del stack[-1]
            ctx.run_flags = 0
        return ret


def compile_config(config: ast.Config, loaded: LoadedSet, *, strict: bool = True) -> Script:
    """Compile every route block of `config` against the functions of `loaded`.

    strict: a function without an implementation, an unknown PV class, keyword, select or
    route target is a CompileError (all problems are listed at once). With strict=False they
    compile to stubs that log an error and give false/undefined at run time -- for running a
    config while parts of the server are still being written.
    """
    return Script(config, loaded, strict=strict)
