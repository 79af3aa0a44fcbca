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
