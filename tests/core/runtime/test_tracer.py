"""The tracer hook: every action, in order, with its place and cfgtrace name; removable."""

from __future__ import annotations

from siprouter.core.runtime.context import Context
from siprouter.core.runtime.tracing import ActionInfo, ActionKind

SCRIPT = """request_route {
    $var(i) = 0;
    if (f()) {
        route(SUB);
    }
    while ($var(i) < 2) {
        $var(i) = $var(i) + 1;
    }
    switch ($var(i)) {
        case 2:
            g();
            break;
    }
    exit;
}
route[SUB] {
    return 1;
}
"""


def trace_of(script, h) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def tracer(ctx: Context, info: ActionInfo) -> None:
        seen.append(f"{info.file}:{info.line} {info.name}")

    script.set_tracer(tracer)
    script.run("request_route", h.context())
    return seen


def test_tracer_receives_every_action_in_order_with_file_line_and_name(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    assert trace_of(script, h) == [
        "t.cfg:2 assign",
        "t.cfg:3 if",
        "t.cfg:3 f",  # the condition's function call comes after the if
        "t.cfg:4 route",
        "t.cfg:17 return",
        "t.cfg:6 while",
        "t.cfg:7 assign",
        "t.cfg:7 assign",
        "t.cfg:9 switch",
        "t.cfg:10 case",
        "t.cfg:11 g",
        "t.cfg:12 break",
        "t.cfg:14 exit",
    ]


def test_tracer_sees_the_route_stack(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    stacks: dict[str, list[str]] = {}
    script.set_tracer(lambda ctx, info: stacks.setdefault(
        info.name, [k for k, _ in ctx.call_stack]))
    script.run("request_route", h.context())
    assert stacks["return"] == ["request_route", "route:SUB"]
    assert stacks["g"] == ["request_route"]


def test_action_info_carries_kind_and_defining_route(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    infos: list[ActionInfo] = []
    script.set_tracer(lambda ctx, info: infos.append(info))
    script.run("request_route", h.context())
    by_name = {i.name: i for i in infos}
    assert by_name["f"].kind is ActionKind.MODULE_FUNCTION
    assert by_name["return"].kind is ActionKind.RETURN and by_name["return"].route == "route:SUB"
    assert by_name["route"].kind is ActionKind.ROUTE


def test_tracer_can_be_removed_again(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    seen: list[str] = []
    script.set_tracer(lambda ctx, info: seen.append(info.name))
    script.run("request_route", h.context())
    count = len(seen)
    script.set_tracer(None)
    script.run("request_route", h.context())
    assert len(seen) == count and script.tracer is None


def test_traced_and_plain_runs_behave_the_same(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    script.run("request_route", h.context())
    plain = (dict(h.worker.vars), h.recorder.names())
    h.worker.vars.clear()
    h.recorder.calls.clear()
    script.set_tracer(lambda ctx, info: None)
    script.run("request_route", h.context())
    assert (dict(h.worker.vars), h.recorder.names()) == plain


def test_action_infos_are_shared_between_plain_and_traced_builds(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile(SCRIPT)
    before = list(script.actions)
    seen: list[ActionInfo] = []
    script.set_tracer(lambda ctx, info: seen.append(info))
    script.run("request_route", h.context())
    assert script.actions == before
    assert all(any(info is a for a in before) for info in seen)


def test_untraced_script_calls_action_closures_directly(h) -> None:  # type: ignore[no-untyped-def]
    # No wrapper in the plain build: the route body is the single action closure itself.
    script = h.compile("request_route { exit; }")
    assert script._plain["request_route"].__name__ == "_exit"
    script.set_tracer(lambda ctx, info: None)
    assert script._active["request_route"].__name__ == "traced"
