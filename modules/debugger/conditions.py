"""Conditional breakpoints: a cfg expression (`$rm == "OPTIONS"`) compiled by the server's own
front-end and compiler, never by a second reading of the language.

The expression is wrapped into a one-route script, `if (<cond>) { return 1; } return -1;`,
that loads the server's modules, so it is checked and compiled exactly as an `if` in the
operator's config would be. Running it on a stopped message's context leaves that context as it
was (return code, control flags, exit state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from siprouter.core.cfg.frontend import analyze_text
from siprouter.core.exports import LoadedSet
from siprouter.core.runtime.compiler import CompileError, compile_config
from siprouter.core.runtime.context import Context

Condition = Callable[[Context], bool]

_FILE = "<breakpoint condition>"


class ConditionError(ValueError):
    """The expression does not compile; the message is the diagnostic."""


def _wrapper(cond: str, modules: Iterable[str]) -> tuple[str, int]:
    """The wrapper script and the line the condition starts on."""
    head = "".join(f'loadmodule "{m}.so"\n' for m in modules)
    lines = head.count("\n")
    return head + f"request_route {{\nif (\n{cond}\n) {{ return 1; }}\nreturn -1;\n}}\n", lines + 3


def compile_condition(cond: str, loaded: LoadedSet) -> Condition:
    """A function telling whether `cond` holds for a context; ConditionError with the
    diagnostic (`column N: message`) when it does not compile."""
    if not cond.strip():
        raise ConditionError("empty condition")
    modules = [m.name for m in loaded.modules if m.name != "core"]
    text, first = _wrapper(cond, modules)
    analysis = analyze_text(text, _FILE)
    errors = [d for d in analysis.diagnostics if d.is_error]
    if errors:
        d = errors[0]
        line = d.span.line - first + 1
        where = f"line {line} column {d.span.column}" if line > 1 else f"column {d.span.column}"
        if d.span.line < first or line > cond.count("\n") + 1:
            where = "near the end" if d.span.line >= first else "in the condition"
        raise ConditionError(f"{where}: {d.message}")
    try:
        script = compile_config(analysis.config, loaded)
    except CompileError as exc:
        span, message = exc.errors[0]
        raise ConditionError(f"column {span.column}: {message}") from None

    def holds(ctx: Context) -> bool:
        saved = (ctx.last_retcode, ctx.run_flags, ctx.exited, ctx.dropped)
        try:
            return script.run("request_route", ctx) > 0
        finally:
            ctx.last_retcode, ctx.run_flags, ctx.exited, ctx.dropped = saved

    return holds
