"""cfgtrace: one line per executed action, before it runs, in Kamailio's 5.x format with our
action kinds (docs/cfgtrace-actions.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from siprouter.core.exports import RouteType
from siprouter.modules.debugger.settings import DebuggerSettings
from tests.modules.debugger.rig import Rig


def trace_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cfgtrace" in r.getMessage()]


def test_trace_lines_name_route_file_line_kind_and_action(rig: Rig,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    assert rig.call("dbg.trace", "on") == "200 ok"
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        rig.run()
    f = rig.file
    p = "*** cfgtrace:dbg_cfg_trace(): "
    assert trace_lines(caplog) == [
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('$var(a) = 1')} a=1 n=assign",
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('if ($rm')} a=2 n=if",
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('route(R1)')} a=7 n=route",
        f"{p}request_route=[R1] c=[{f}] l={rig.line('$var(c) = 3')} a=1 n=assign",
        f"{p}request_route=[R1] c=[{f}] l={rig.line('route(R2)')} a=7 n=route",
        f"{p}request_route=[R2] c=[{f}] l={rig.line('$xavp(r=>f)')} a=1 n=assign",
        f"{p}request_route=[R2] c=[{f}] l={rig.line('return 1')} a=8 n=return",
        f"{p}request_route=[R1] c=[{f}] l={rig.line('$var(d) = 4')} a=1 n=assign",
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('$var(b) = 2')} a=1 n=assign",
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('$avp(x)')} a=1 n=assign",
        f"{p}request_route=[DEFAULT_ROUTE] c=[{f}] l={rig.line('exit;')} a=9 n=exit",
    ]


def test_trace_is_logged_at_error_level_by_default(rig: Rig,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    rig.call("dbg.trace", "on", rig.pid)
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        rig.run()
    assert {r.levelname for r in caplog.records} == {"ERROR"}


def test_if_is_reported_at_its_keyword_line(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.call("dbg.trace", "on")
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        rig.run()
    ifs = [m for m in trace_lines(caplog) if m.endswith("n=if")]
    assert ifs == [ifs[0]] and f" l={rig.line('if ($rm')} " in ifs[0]


def test_route_type_prefix_follows_the_route_type_the_block_runs_as(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.call("dbg.trace", "on")
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        rig.run(route="failure_route:FAIL", route_type=RouteType.FAILURE)
    assert trace_lines(caplog) == [
        f"*** cfgtrace:dbg_cfg_trace(): failure_route=[FAIL] c=[{rig.file}] "
        f"l={rig.line('$var(f) = 1')} a=1 n=assign"]


def test_trace_off_removes_the_tracer_at_the_next_message(rig: Rig,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    rig.call("dbg.trace", "on")
    rig.run()
    assert rig.script.tracer is not None
    assert rig.call("dbg.trace", "off") == "200 ok"
    caplog.clear()
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        rig.run()
    assert trace_lines(caplog) == []
    assert rig.script.tracer is None


def test_idle_debugger_leaves_the_script_untraced(rig: Rig) -> None:
    rig.run()
    assert rig.script.tracer is None


def test_cfgtrace_format_1_leaves_out_the_file(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(tmp_path, DebuggerSettings(cfgtrace=1, cfgtrace_format=1))
    try:
        with caplog.at_level("DEBUG", logger="siprouter.debugger"):
            rig.run()
        first = trace_lines(caplog)[0]
        assert first == (f"*** cfgtrace:dbg_cfg_trace(): request_route=[DEFAULT_ROUTE] "
                         f"l={rig.line('$var(a) = 1')} a=1 n=assign")
    finally:
        rig.close()


def test_log_prefix_level_and_level_name_come_from_the_modparams(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(tmp_path, DebuggerSettings(cfgtrace=1, log_level=2, log_level_name="exec",
                                         log_prefix="TRACE "))
    try:
        with caplog.at_level("DEBUG", logger="siprouter.debugger"):
            rig.run()
        record = caplog.records[0]
        assert record.getMessage().startswith("TRACE dbg_cfg_trace(): request_route=")
        assert record.levelname == "exec" and record.levelno == 20
    finally:
        rig.worker.log.filters.clear()
        rig.close()


def test_log_assign_logs_each_assigned_value(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(tmp_path, DebuggerSettings(log_assign=1))
    try:
        with caplog.at_level("DEBUG", logger="siprouter.debugger"):
            rig.run()
        messages = [r.getMessage() for r in caplog.records]
        assert f"{rig.file}:{rig.line('$var(a) = 1')} $var(a) : t=int v=1" in messages
        assert f"{rig.file}:{rig.line('$avp(x)')} $avp(x) : t=str v=last" in messages
    finally:
        rig.close()
