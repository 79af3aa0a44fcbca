"""Micro-benchmark: one 30-action route through the compiled interpreter, with and without a
tracer.

Run: ``python bench/bench_interpreter.py [N]`` (prints microseconds per run of the route).
Also collected by pytest-benchmark: ``pytest bench/bench_interpreter.py --benchmark-only``.
"""

from __future__ import annotations

import sys
import timeit
from typing import Any

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import LoadedSet, ModuleExports, default_registry
from siprouter.core.runtime.compiler import Script, compile_config
from siprouter.core.runtime.context import Context, WorkerState

# 30 actions per run: assignments, ifs with compound conditions, core and module function calls,
# a route call, a switch with fall-through to break, transformations, a regex match.
CFG = """
request_route {
    $var(i) = 0;
    $var(n) = $var(n) + 1;
    $var(uri) = "sip:" + "alice" + "@example.com";
    $var(user) = $(var(uri){s.select,0,@}{s.substr,4,0});
    $avp(dst) = "sip:10.0.0.1:5060";
    setflag(1);
    if (isflagset(1) && $var(n) > 0) {
        $var(i) = $var(i) + 1;
    }
    if ($var(user) == "alice") {
        noop("user", $var(user));
    }
    if ($var(uri) =~ "^sip:.*@example\\.com$") {
        $var(i) = $var(i) + 2;
    }
    route(CHECK);
    switch ($var(i)) {
        case 3:
            $var(state) = "three";
            noop($var(state));
            break;
        default:
            $var(state) = "other";
    }
    if (!defined $avp(missing)) {
        $var(m) = 1;
    }
    noop($avp(dst));
    resetflag(1);
    $var(len) = strlen($var(uri)) * 2;
    $var(ok) = 1;
    $var(done) = $var(ok) + $var(m);
    $var(last) = $var(state);
    return 1;
}

route[CHECK] {
    noop("check");
    return $var(i) + 1;
}
"""


def build() -> tuple[Script, WorkerState]:
    mod = ModuleExports("benchmod")

    @mod.function("noop", args=(0, 1, 2))
    def _noop(ctx: Context, *args: Any) -> int:
        return 1

    config, diags = parse_text(CFG, "bench.cfg")
    assert not [d for d in diags if d.is_error], diags
    script = compile_config(config, LoadedSet([default_registry().core(), mod]))
    return script, WorkerState(vars={}, shared={})


def per_run_us(script: Script, worker: WorkerState, n: int) -> float:
    def once() -> None:
        script.run("request_route", Context(worker=worker))

    once()
    best = min(timeit.repeat(once, number=n, repeat=5))
    return best / n * 1e6


def count_actions(script: Script, worker: WorkerState) -> int:
    seen: list[object] = []
    script.set_tracer(lambda ctx, info: seen.append(info))
    script.run("request_route", Context(worker=worker))
    script.set_tracer(None)
    return len(seen)


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 20000
    script, worker = build()
    actions = count_actions(script, worker)
    plain = per_run_us(script, worker, n)
    script.set_tracer(lambda ctx, info: None)
    traced = per_run_us(script, worker, n)
    script.set_tracer(None)
    again = per_run_us(script, worker, n)
    print(f"{actions} actions per run, N={n}, best of 5")
    print(f"  no tracer:        {plain:7.2f} µs/run  ({plain / actions * 1000:.0f} ns/action)")
    print(f"  no-op tracer:     {traced:7.2f} µs/run")
    print(f"  tracer removed:   {again:7.2f} µs/run")


def test_interpreter_no_tracer(benchmark) -> None:  # type: ignore[no-untyped-def]
    script, worker = build()
    benchmark(lambda: script.run("request_route", Context(worker=worker)))


def test_interpreter_with_tracer(benchmark) -> None:  # type: ignore[no-untyped-def]
    script, worker = build()
    script.set_tracer(lambda ctx, info: None)
    benchmark(lambda: script.run("request_route", Context(worker=worker)))


if __name__ == "__main__":
    main(sys.argv)
