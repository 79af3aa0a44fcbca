"""Fixtures for the interpreter tests: compile a cfg text, run a route, record function calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import LoadedSet, ModuleExports, default_registry
from siprouter.core.runtime.compiler import Script, compile_config
from siprouter.core.runtime.context import Context, WorkerState


@dataclass
class Recorder:
    """A test module whose functions record their arguments and return a chosen code."""

    module: ModuleExports = field(default_factory=lambda: ModuleExports("testmod"))
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def add(self, name: str, code: int = 1, args: Any = (0, 1, 2, 3)) -> None:
        @self.module.function(name, args=args)
        def _impl(ctx: Context, *a: Any) -> int:
            self.calls.append((name, a))
            return code

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]


@dataclass
class Harness:
    recorder: Recorder
    worker: WorkerState = field(default_factory=lambda: WorkerState(vars={}, shared={}))

    def loaded(self) -> LoadedSet:
        return LoadedSet([default_registry().core(), self.recorder.module])

    def compile(self, text: str, strict: bool = True) -> Script:
        config, diags = parse_text(text, "t.cfg")
        assert not [d for d in diags if d.is_error], diags
        return compile_config(config, self.loaded(), strict=strict)

    def context(self) -> Context:
        return Context(worker=self.worker)

    def run(self, text: str, route: str = "request_route") -> tuple[int, Context]:
        ctx = self.context()
        return self.compile(text).run(route, ctx), ctx

    def vars_after(self, body: str) -> dict[str, Any]:
        """Run `request_route { body }` and return the $var table."""
        self.run("request_route {\n" + body + "\n}\n")
        return self.worker.vars

    def eval(self, expr: str) -> Any:
        """The value of one expression, through `$var(r) = expr;`."""
        return self.vars_after(f"$var(r) = {expr};")["r"]


@pytest.fixture
def rec() -> Recorder:
    r = Recorder()
    for name in ("f", "g", "h"):
        r.add(name)
    r.add("ok", 1)
    r.add("fail", -1)
    r.add("stop", 0)
    return r


@pytest.fixture
def h(rec: Recorder) -> Harness:
    return Harness(rec)


Evaluator = Callable[[str], Any]
