"""Format-string arguments: PVs inside a string literal are expanded per call only for the
argument positions a function declares as formats (Kamailio's spve fixups)."""

from __future__ import annotations

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import ModuleExports, Registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState

seen: list[tuple[object, ...]] = []

test_mod = ModuleExports("fmt_test")


@test_mod.function("say", args=2, formats=(1,))
def say(ctx: Context, pattern: object, text: object) -> int:
    seen.append((pattern, text))
    return 1


def run(body: str) -> list[tuple[object, ...]]:
    seen.clear()
    config, diags = parse_text("request_route {\n" + body + "\n}\n")
    assert diags == []
    registry = Registry()
    loaded = registry.loaded([])
    loaded.functions["say"] = test_mod.functions["say"]
    script = compile_config(config, loaded)
    script.run("request_route", Context(worker=WorkerState()))
    return list(seen)


def test_format_argument_expands_pvs_at_each_call():
    assert run('$var(n) = 7; say("^a$", "n is $var(n)");') == [("^a$", "n is 7")]


def test_non_format_argument_is_passed_as_written():
    (call,) = run('say("$var(n)", "x");')
    assert call[0] == "$var(n)"


def test_undefined_pv_in_a_format_prints_null():
    assert run('say("a", "v=$avp(nope)");') == [("a", "v=<null>")]
