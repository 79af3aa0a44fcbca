"""Module functions compiled for their arguments (fixups.py): the specialised call behaves as
the plain one for return codes, $rc, script stops, failed arguments and the tracer."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from siprouter.core.runtime.context import Context
from siprouter.core.runtime.fixups import Arg, Const, Specialized, specializes
from siprouter.core.runtime.tracing import ActionInfo
from tests.core.runtime.conftest import Harness, Recorder

calls: list[tuple[str, tuple[Any, ...]]] = []


def _add(rec: Recorder) -> None:
    """`code(n)`: returns n; specialised when n is a constant, `None` handed to the generic
    implementation when the specialiser declines (n = 99)."""

    @rec.module.function("code", args=1)
    def code(ctx: Context, n: Any) -> int:
        calls.append(("plain", (n,)))
        return int(n)

    @specializes(code)
    def _fixed(args: tuple[Arg, ...]) -> Specialized | None:
        (arg,) = args
        if isinstance(arg, Const):
            if arg.value == 99:
                return None
            value = int(arg.value)  # type: ignore[arg-type]

            def fixed(ctx: Context) -> int:
                calls.append(("fixed", (value,)))
                return value

            return fixed
        get = arg

        def dynamic(ctx: Context) -> int:
            n = get(ctx)
            calls.append(("dynamic", (n,)))
            return int(n)  # type: ignore[arg-type]

        return dynamic


@pytest.fixture
def fx(rec: Recorder) -> Harness:
    calls.clear()
    _add(rec)
    return Harness(rec)


def test_a_constant_call_runs_the_specialised_function(fx: Harness) -> None:
    ret, ctx = fx.run("request_route { code(3); $var(rc) = $rc; }")
    assert calls == [("fixed", (3,))]
    assert fx.worker.vars["rc"] == 3


def test_a_declined_specialisation_keeps_the_implementation(fx: Harness) -> None:
    fx.run("request_route { code(99); }")
    assert calls == [("plain", (99,))]


def test_a_dynamic_argument_is_read_by_the_specialised_function(fx: Harness) -> None:
    fx.run("request_route { $var(n) = 5; code($var(n)); $var(rc) = $rc; }")
    assert calls == [("dynamic", (5,))]
    assert fx.worker.vars["rc"] == 5


def test_a_failed_argument_means_not_called_and_false(
        fx: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="siprouter.script")
    fx.run("request_route { $var(z) = 0; if (!code(1 / $var(z))) { $var(no) = 1; } "
           "$var(rc) = $rc; }")
    assert calls == []
    assert fx.worker.vars["no"] == 1 and fx.worker.vars["rc"] == -1
    assert "code() not called" in caplog.text


def test_zero_stops_the_script(fx: Harness) -> None:
    ret, ctx = fx.run("request_route { code(0); $var(after) = 1; }")
    assert ret == 0 and ctx.exited
    assert "after" not in fx.worker.vars


def test_if_over_a_call_and_its_negation_take_the_right_branch(fx: Harness) -> None:
    fx.run("request_route { if (code(2)) { $var(a) = 1; } else { $var(a) = 2; } "
           "if (!code(-1)) { $var(b) = 1; } else { $var(b) = 2; } "
           "if (!code(1)) { $var(c) = 1; } else { $var(c) = 2; } "
           "if (code(-2)) { $var(d) = 1; } }")
    assert {k: fx.worker.vars.get(k) for k in "abcd"} == {"a": 1, "b": 1, "c": 2, "d": None}


def test_the_tracer_sees_specialised_calls(fx: Harness) -> None:
    script = fx.compile("request_route {\n if (!code(1)) { exit; }\n code(2);\n}\n")
    seen: list[str] = []

    def tracer(ctx: Context, info: ActionInfo) -> None:
        seen.append(f"{info.line} {info.name}")

    script.set_tracer(tracer)
    script.run("request_route", fx.context())
    script.set_tracer(None)
    script.run("request_route", fx.context())
    assert seen == ["2 if", "2 code", "3 code"]
    assert [c[0] for c in calls] == ["fixed"] * 4


# `if` and conditions over a call whose whole work is one function (a constant call compiled by
# its module, or a call without arguments) call that function directly: the same $rc, stops,
# branches and logs as through the call action.


def _with_plain_calls(rec: Recorder) -> None:
    @rec.module.function("none_true", args=0)
    def none_true(ctx: Context) -> Any:
        calls.append(("none_true", ()))
        return True

    @rec.module.function("none_false", args=0)
    def none_false(ctx: Context) -> Any:
        calls.append(("none_false", ()))
        return False

    @rec.module.function("none_zero", args=0)
    def none_zero(ctx: Context) -> int:
        calls.append(("none_zero", ()))
        return 0

    @rec.module.function("none_bad", args=0)
    def none_bad(ctx: Context) -> int:
        from siprouter.core.runtime.values import ExprError
        raise ExprError("bad operand")


@pytest.fixture
def fp(rec: Recorder) -> Harness:
    calls.clear()
    _add(rec)
    _with_plain_calls(rec)
    return Harness(rec)


def test_if_over_a_direct_call_sets_rc_and_branches(fp: Harness) -> None:
    v = fp.vars_after(
        "if (code(4)) { $var(a) = $rc; } "
        "if (!code(-3)) { $var(b) = $rc; } else { $var(b) = 0; } "
        "if (none_true()) { $var(c) = $rc; } "
        "if (!none_false()) { $var(d) = $rc; } "
        "if (none_false()) { $var(e) = 1; } else { $var(e) = $rc; }")
    assert {k: v.get(k) for k in "abcde"} == {"a": 4, "b": -3, "c": 1, "d": -1, "e": -1}


def test_conditions_over_direct_calls(fp: Harness) -> None:
    v = fp.vars_after(
        "if (code(1) && !code(-1)) { $var(a) = 1; } "
        "if (none_false() || code(2)) { $var(b) = $rc; } "
        "if (!none_true() || none_false()) { $var(c) = 1; } else { $var(c) = $rc; } "
        "$var(w) = 0; while (!code(-1) && $var(w) < 3) { $var(w) = $var(w) + 1; }")
    assert {k: v.get(k) for k in ("a", "b", "c", "w")} == {"a": 1, "b": 2, "c": -1, "w": 3}


@pytest.mark.parametrize("cond", ["code(0)", "!code(0)", "none_zero()", "!none_zero()",
                                  "code(0) && code(1)", "!none_zero() || code(1)"])
def test_a_direct_call_returning_zero_in_a_condition_stops_the_script(
        fp: Harness, cond: str) -> None:
    ret, ctx = fp.run(f"request_route {{ if ({cond}) {{ $var(t) = 1; }} else {{ $var(t) = 2; }} "
                      "$var(after) = 1; }")
    assert ret == 0 and ctx.exited and ctx.last_retcode == 0
    assert "t" not in fp.worker.vars and "after" not in fp.worker.vars


def test_a_failing_direct_call_in_an_if_logs_and_takes_the_else(
        fp: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="siprouter.script")
    v = fp.vars_after("$var(rc0) = $rc; if (none_bad()) { $var(t) = 1; } else { $var(t) = 2; } "
                      "if (!none_bad()) { $var(u) = 1; } else { $var(u) = 2; }")
    assert v["t"] == 2 and v["u"] == 2
    assert caplog.text.count("condition failed: bad operand") == 2


def test_the_tracer_sees_direct_calls_in_conditions(fp: Harness) -> None:
    script = fp.compile("request_route {\n if (none_true()) { code(1); }\n"
                        " if (!none_false() && code(2)) { code(3); }\n}\n")
    seen: list[str] = []
    script.set_tracer(lambda ctx, info: seen.append(f"{info.line} {info.name}"))
    script.run("request_route", fp.context())
    assert seen == ["2 if", "2 none_true", "2 code", "3 if", "3 none_false", "3 code", "3 code"]
