"""The compiled script: expressions through execution, control flow, calls, routes."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from siprouter.core.exports import ModuleExports
from siprouter.core.runtime import values as V
from siprouter.core.runtime.compiler import CompileError
from siprouter.core.runtime.context import Context

# --- expressions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("expr", "expected"), [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("7 mod 3 + 1", 2),
    ("1 | 2 & 3", 3),  # & binds tighter than |
    ("1 << 2 + 1", 8),  # + binds tighter than <<
    ("1 + 2 == 3", 1),
    ("2 < 3 == 1", 1),  # < binds tighter than ==
    ("!0 + 1", 2),  # unary ! binds tighter than +
    ("-2 * -3", 6),
    ("1 || 0 && 0", 1),  # && binds tighter than ||
    ('"a" + 1 + 2', "a12"),
    ('1 + "2"', 3),
    ("(str)12 + 3", "123"),
    ('(int)"12" + 3', 15),
    ('strlen("abc") + 1', 4),
    ('strempty("")', 1),
    ('"abc" =~ "^A"', 1),
    ('0 == ""', 1),
    ('0 eq ""', 0),
    ('"a" ieq "b"', 1),
    ("$avp(undef) + 5", "5"),
    ("$avp(undef) == 0", 1),
    ("$avp(undef) == $avp(other)", 1),
    ("~5 & 7", 2),
])
def test_expression_value(h, expr: str, expected: Any) -> None:  # type: ignore[no-untyped-def]
    assert h.eval(expr) == expected


def test_comparison_value_is_int_not_bool(h) -> None:  # type: ignore[no-untyped-def]
    assert type(h.eval("1 == 1")) is int


def test_division_by_zero_skips_the_assignment(h, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.ERROR, "siprouter.script"):
        v = h.vars_after("$var(r) = 5; $var(z) = 0; $var(r) = 1 / $var(z);")
    assert v["r"] == 5
    assert "division by 0" in caplog.text


def test_failed_condition_is_false(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(z) = 0; if (1 / $var(z)) { $var(r) = 1; } else { $var(r) = 2; }")
    assert v["r"] == 2


def test_lone_pv_string_condition_is_true_when_non_empty(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after('$var(s) = "abc"; if ($var(s)) { $var(r) = 1; } else { $var(r) = 0; }')
    assert v["r"] == 1


def test_string_in_arithmetic_condition_converts_to_int(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after('$var(s) = "abc"; if ($var(s) + 0) { $var(r) = 1; } else { $var(r) = 0; }')
    assert v["r"] == 0


def test_logical_operators_short_circuit(h, rec) -> None:  # type: ignore[no-untyped-def]
    h.run("request_route { if (fail() && f()) { g(); } if (ok() || h()) { g(); } }")
    assert rec.names() == ["fail", "ok", "g"]


# --- constant folding ---------------------------------------------------------------------------


def test_constant_argument_is_computed_once_at_compile_time(h, rec, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    counted: list[tuple[Any, Any]] = []

    def counting_add(a: V.Value, b: V.Value) -> V.Value:
        counted.append((a, b))
        return V.add(a, b)

    monkeypatch.setitem(V.BINARY_OPS, "+", counting_add)
    script = h.compile('request_route { f("a" + "b", 1 + 2); }')
    for _ in range(3):
        script.run("request_route", h.context())
    assert counted == [("a", "b"), (1, 2)]
    assert rec.calls == [("f", ("ab", 3))] * 3


def test_non_constant_argument_is_evaluated_per_call(h, rec, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    counted: list[int] = []

    def counting_add(a: V.Value, b: V.Value) -> V.Value:
        counted.append(1)
        return V.add(a, b)

    monkeypatch.setitem(V.BINARY_OPS, "+", counting_add)
    script = h.compile('request_route { f($var(x) + 1); }')
    for _ in range(3):
        script.run("request_route", h.context())
    assert len(counted) == 3


def test_constant_condition_keeps_the_if_action(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile("request_route { if (1 == 2) { $var(r) = 1; } else { $var(r) = 2; } }")
    script.run("request_route", h.context())
    assert h.worker.vars["r"] == 2
    assert [a.name for a in script.actions] == ["if", "assign", "assign"]  # source order


# --- statements -------------------------------------------------------------------------------


def test_else_if_chain(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(x) = 2; if ($var(x) == 1) { $var(r) = 'one'; } "
                     "else if ($var(x) == 2) { $var(r) = 'two'; } else { $var(r) = 'many'; }")
    assert v["r"] == "two"


def test_while_loops_until_condition_is_false(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(i) = 0; while ($var(i) < 5) { $var(i) = $var(i) + 1; }")
    assert v["i"] == 5


def test_while_stops_at_max_while_loops_with_an_error(h, caplog) -> None:  # type: ignore[no-untyped-def]
    h.worker.max_while_loops = 10
    with caplog.at_level(logging.ERROR, "siprouter.script"):
        v = h.vars_after("$var(i) = 0; while (1) { $var(i) = $var(i) + 1; } $var(after) = 1;")
    assert v["i"] == 10
    assert v["after"] == 1
    assert "max_while_loops=10" in caplog.text


def test_while_max_loops_defaults_to_100(h) -> None:  # type: ignore[no-untyped-def]
    assert h.vars_after("$var(i) = 0; while (1) { $var(i) = $var(i) + 1; }")["i"] == 100


def test_break_leaves_the_while_loop(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(i) = 0; while (1) { $var(i) = $var(i) + 1; "
                     "if ($var(i) == 3) { break; } $var(last) = $var(i); }")
    assert (v["i"], v["last"]) == (3, 2)


SWITCH = """
request_route {
    $var(out) = "";
    switch ($var(in)) {
        case 1:
            $var(out) = $var(out) + "one,";
        case 2:
            $var(out) = $var(out) + "two,";
            break;
        case "x":
            $var(out) = "x";
            break;
        case /"^sip:":
            $var(out) = "regex";
            break;
        default:
            $var(out) = $var(out) + "default,";
        case 9:
            $var(out) = $var(out) + "nine,";
    }
}
"""


@pytest.mark.parametrize(("subject", "expected"), [
    (1, "one,two,"),  # falls through into case 2 until break
    (2, "two,"),
    ("x", "x"),
    ("SIP:alice@example.com", "regex"),  # regex cases are case-insensitive like =~
    (7, "default,nine,"),  # default falls through into the case after it
    (9, "nine,"),
])
def test_switch_cases_and_fall_through(h, subject: Any, expected: str) -> None:  # type: ignore[no-untyped-def]
    h.worker.vars["in"] = subject
    script = h.compile(SWITCH)
    script.run("request_route", h.context())
    assert h.worker.vars["out"] == expected


def test_switch_on_int_labels_compares_as_int(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after('$var(s) = "2"; switch ($var(s)) { case 1: $var(r) = 1; break; '
                     'case 2: $var(r) = 2; break; }')
    assert v["r"] == 2


def test_switch_without_match_or_default_does_nothing(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(r) = 0; switch (5) { case 1: $var(r) = 1; }")
    assert v["r"] == 0


def test_break_in_switch_inside_while_leaves_only_the_switch(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(i) = 0; while ($var(i) < 3) { $var(i) = $var(i) + 1; "
                     "switch ($var(i)) { case 1: break; } $var(n) = $var(n) + 1; }")
    assert v["n"] == 3


def test_non_constant_case_label_is_a_compile_error(h) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CompileError, match="case label must be a constant"):
        h.compile("request_route { switch (1) { case $var(x): break; } }")


# --- return, exit, drop -----------------------------------------------------------------------

ROUTES = """
request_route {
    route(NEG);
    $var(after_neg) = $rc;
    if (route(POS)) { $var(pos_true) = 1; }
    $var(after_pos) = $retcode;
    route(FALLOFF);
    $var(after_falloff) = $rc;
    route(ZERO);
    $var(not_reached) = 1;
}
route[NEG] { return -2; $var(not_reached) = 1; }
route[POS] { return 5; }
route[FALLOFF] { fail(); }
route[ZERO] { return 0; }
"""


def test_return_values_go_into_rc(h) -> None:  # type: ignore[no-untyped-def]
    h.run(ROUTES)
    v = h.worker.vars
    assert (v["after_neg"], v["pos_true"], v["after_pos"], v["after_falloff"]) == (-2, 1, 5, -1)


def test_return_zero_in_a_called_route_stops_the_script(h) -> None:  # type: ignore[no-untyped-def]
    code, ctx = h.run(ROUTES)
    assert code == 0
    assert ctx.exited and not ctx.dropped
    assert "not_reached" not in h.worker.vars
    assert ctx.call_stack == []


def test_return_in_main_route_ends_it_with_that_code(h) -> None:  # type: ignore[no-untyped-def]
    code, ctx = h.run("request_route { return 3; $var(x) = 1; }")
    assert code == 3 and not ctx.exited
    assert "x" not in h.worker.vars


def test_return_inside_while_inside_route_leaves_the_route(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("route(R); $var(after) = $rc;\n}\nroute[R] {\n"
                     "while (1) { $var(i) = $var(i) + 1; if ($var(i) == 2) { return 7; } }")
    assert (v["i"], v["after"]) == (2, 7)


def test_exit_stops_the_script_without_dropping(h) -> None:  # type: ignore[no-untyped-def]
    code, ctx = h.run("request_route { route(X); $var(y) = 1; }\nroute[X] { exit; }")
    assert code == 0 and ctx.exited and not ctx.dropped
    assert "y" not in h.worker.vars


@pytest.mark.parametrize("body", [
    "f(); exit; g();",
    "f(); if (1) { if (1) { exit; } g(); } g();",
    "f(); while (1) { exit; g(); } g();",
    "f(); $var(s) = 1; switch ($var(s)) { case 1: exit; g(); case 2: g(); } g();",
    "f(); switch ($var(s)) { default: while (1) { if (1) exit; } } g();",
    "f(); if (route(EXIT)) { g(); } else { g(); } g();",
    "f(); $var(v) = route(EXIT); g();",
    "f(); route(EXIT); g();",
    "f(); route(NESTED); g();",
    "f(); route(ZERO); g();",
    "f(); return 0; g();",
    "f(); while (1) { return 0; } g();",
])
def test_exit_and_return_zero_stop_everything_wherever_they_are(  # type: ignore[no-untyped-def]
        h, rec, body: str) -> None:
    """exit / return 0 in blocks, loops, switches and called routes (also inside a condition):
    nothing after it runs, $rc is 0, the call stack is empty; the traced build agrees."""
    text = (f"request_route {{ {body} }}\nroute[EXIT] {{ exit; g(); }}\n"
            "route[NESTED] { route(EXIT); g(); }\nroute[ZERO] { while (1) { return 0; } }\n")
    for traced in (False, True):
        rec.calls.clear()
        script = h.compile(text)
        if traced:
            script.set_tracer(lambda ctx, info: None)
        ctx = h.context()
        code = script.run("request_route", ctx)
        assert rec.names() == ["f"]
        assert code == 0 and ctx.exited and not ctx.dropped
        assert ctx.last_retcode == 0 and ctx.call_stack == [] and ctx.run_flags == 0


def test_after_exit_the_next_run_starts_clean(h, rec) -> None:  # type: ignore[no-untyped-def]
    script = h.compile("request_route { if ($var(x) == 1) { exit; } f(); $var(x) = 1; }")
    first, second, third = h.context(), h.context(), h.context()
    assert script.run("request_route", first) == 1 and not first.exited
    assert script.run("request_route", second) == 0 and second.exited
    h.worker.vars["x"] = 0
    assert script.run("request_route", third) == 1 and not third.exited
    assert rec.names() == ["f", "f"]


def test_drop_stops_the_script_and_marks_the_message_dropped(h) -> None:  # type: ignore[no-untyped-def]
    code, ctx = h.run("request_route { drop; $var(y) = 1; }")
    assert code == 0 and ctx.exited and ctx.dropped
    assert "y" not in h.worker.vars


def test_function_returning_zero_stops_the_script(h, rec) -> None:  # type: ignore[no-untyped-def]
    code, ctx = h.run("request_route { f(); stop(); g(); }")
    assert rec.names() == ["f", "stop"] and ctx.exited and code == 0


def test_function_returning_zero_in_a_condition_stops_the_script(h, rec) -> None:  # type: ignore[no-untyped-def]
    _, ctx = h.run("request_route { if (!stop()) { f(); } else { g(); } h(); }")
    assert rec.names() == ["stop"] and ctx.exited


def test_function_code_goes_into_rc(h) -> None:  # type: ignore[no-untyped-def]
    assert h.vars_after("fail(); $var(r) = $rc;")["r"] == -1


def test_function_value_in_expression_is_one_or_zero(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$var(a) = ok(); $var(b) = fail();")
    assert (v["a"], v["b"]) == (1, 0)


# --- route calls ------------------------------------------------------------------------------


def test_dynamic_route_is_looked_up_at_run_time(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after('$var(n) = "B"; route("R_" + $var(n));\n}\n'
                     'route[R_A] { $var(r) = "a"; }\nroute[R_B] { $var(r) = "b";')
    assert v["r"] == "b"


def test_unknown_dynamic_route_logs_and_is_false(h, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.ERROR, "siprouter.script"):
        v = h.vars_after('$var(n) = "NOPE"; if (route("R_" + $var(n))) { $var(r) = 1; } '
                         'else { $var(r) = $rc; }')
    assert "route(R_NOPE): no such route" in caplog.text
    assert v["r"] == -1


def test_constant_route_name_expression_is_static(h) -> None:  # type: ignore[no-untyped-def]
    assert h.vars_after('route("R" + "1");\n}\nroute[R1] { $var(r) = 1;')["r"] == 1


def test_numeric_route_name(h) -> None:  # type: ignore[no-untyped-def]
    assert h.vars_after("route(2);\n}\nroute[2] { $var(r) = 2;")["r"] == 2


def test_undefined_static_route_is_a_compile_error(h) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CompileError, match="route\\(NOPE\\)"):
        h.compile("request_route { route(NOPE); }")


def test_call_stack_shows_the_routes_being_run(h) -> None:  # type: ignore[no-untyped-def]
    seen: list[list[str]] = []
    mod = ModuleExports("stackmod")

    @mod.function("peek", args=0)
    def _peek(ctx: Context) -> int:
        seen.append([key for key, _ in ctx.call_stack])
        return 1

    h.recorder.module.functions["peek"] = mod.functions["peek"]
    h.run("request_route { route(A); }\nroute[A] { route(B); }\nroute[B] { peek(); }")
    assert seen == [["request_route", "route:A", "route:B"]]


def test_infinite_recursion_is_stopped(h, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.ERROR, "siprouter.script"):
        code, _ = h.run("request_route { route(A); }\nroute[A] { route(A); }")
    assert "too many nested route calls" in caplog.text
    assert code == -1


# --- core actions -----------------------------------------------------------------------------


def test_setflag_resetflag_isflagset(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("setflag(3); setflag(31); if (isflagset(3)) { $var(a) = 1; } "
                     "resetflag(3); if (!isflagset(3)) { $var(b) = 1; }")
    assert (v["a"], v["b"]) == (1, 1)


def test_flag_out_of_range_is_false(h) -> None:  # type: ignore[no-untyped-def]
    assert h.vars_after("setflag(32); $var(r) = $rc;")["r"] == -1


def test_branch_flags_of_branch_zero(h) -> None:  # type: ignore[no-untyped-def]
    from siprouter.core.exports import default_registry

    h.recorder.module.functions.update(default_registry().get("kex").functions)
    _, ctx = h.run("request_route { setbflag(2); if (isbflagset(2)) { resetbflag(2); "
                   "$var(r) = 1; } }")
    assert h.worker.vars["r"] == 1 and ctx.bflags == 0


def test_log_writes_to_the_script_logger(h, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.DEBUG, "siprouter.script"):
        h.run('request_route { log(1, "hello"); }')
    # log(1, ...) is L_NOTICE: between Python's WARNING and INFO, as Kamailio orders them.
    assert [(r.levelno, r.levelname, r.getMessage())
            for r in caplog.records] == [(25, "NOTICE", "hello")]


# --- compile errors and stubs -----------------------------------------------------------------


def test_function_without_implementation_is_a_compile_error_when_strict(h) -> None:  # type: ignore[no-untyped-def]
    h.recorder.module.function("noimpl", args=0)
    with pytest.raises(CompileError, match="noimpl has no implementation"):
        h.compile("request_route { noimpl(); }")


def test_not_strict_compiles_missing_parts_to_logging_stubs(h, caplog) -> None:  # type: ignore[no-untyped-def]
    h.recorder.module.function("noimpl", args=0)
    script = h.compile("request_route { if (noimpl()) { $var(r) = 1; } "
                       "$var(u) = $nosuchpv; $var(r) = $rc; }", strict=False)
    with caplog.at_level(logging.ERROR, "siprouter.script"):
        script.run("request_route", h.context())
    assert h.worker.vars["r"] == -1 and h.worker.vars["u"] == 0
    assert "noimpl has no implementation" in caplog.text


def test_all_compile_errors_are_reported_at_once(h) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CompileError) as info:
        h.compile("request_route { $rc = 1; $var(x) = $nosuch; nofunc(); }")
    assert len(info.value.errors) == 3
    assert all(span.file == "t.cfg" for span, _ in info.value.errors)


def test_bad_constant_regex_is_a_compile_error(h) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CompileError, match="bad regular expression"):
        h.compile('request_route { if ($var(x) =~ "(") { exit; } }')


def test_old_style_network_comparison(h) -> None:  # type: ignore[no-untyped-def]
    from siprouter.core.runtime.keywords import register_keyword

    register_keyword("test_src_ip", lambda ctx: ctx.vars.get("ip"))
    h.worker.vars["ip"] = "10.1.2.3"
    v = h.vars_after("if (test_src_ip == 10.0.0.0/8) { $var(a) = 1; } "
                     "if (test_src_ip != 192.168.0.0/16) { $var(b) = 1; }")
    assert (v["a"], v["b"]) == (1, 1)


def test_comparison_with_myself_uses_the_registered_check(h) -> None:  # type: ignore[no-untyped-def]
    from siprouter.core.runtime import keywords

    saved = list(keywords.MYSELF)
    keywords.register_myself(lambda ctx, v: str(v).endswith("@ours.example"))
    try:
        v = h.vars_after('$var(u) = "sip:a@ours.example"; if ($var(u) == myself) { $var(a) = 1; } '
                         'if ($var(u) != myself) { $var(b) = 1; }')
    finally:
        keywords.MYSELF[:] = saved
    assert v["a"] == 1 and "b" not in v


@pytest.mark.parametrize(("cond", "expected"), [
    ("f() && g()", (["f", "g"], 1)),
    ("fail() && g()", (["fail"], 2)),
    ("fail() || g()", (["fail", "g"], 1)),
    ("f() || g()", (["f"], 1)),
    ("fail() || fail()", (["fail", "fail"], 2)),
    ("f() && 1 / $var(zero)", (["f"], 2)),  # a failed side: false, one error log
    ("fail() || 1 / $var(zero)", (["fail"], 2)),
    ("$var(zero) == 0 && f()", (["f"], 1)),
])
def test_if_over_and_or_evaluates_in_order_and_short_circuits(  # type: ignore[no-untyped-def]
        h, rec, cond: str, expected: tuple[list[str], int]) -> None:
    for orelse in (True, False):
        rec.calls.clear()
        h.worker.vars.clear()
        tail = " else { $var(b) = 2; }" if orelse else ""
        h.run(f"request_route {{ $var(zero) = 0; if ({cond}) {{ $var(b) = 1; }}{tail} }}")
        want = expected[1] if orelse or expected[1] == 1 else None
        assert (rec.names(), h.worker.vars.get("b")) == (expected[0], want)
