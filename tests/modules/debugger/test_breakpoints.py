"""Breakpoints and execution control: the worker runs in a thread and stops; the test drives it
through the RPC dispatcher and the shared-memory channel, as the RPC process does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from siprouter.core.rpc.errors import RPCFault
from siprouter.modules.debugger.settings import DebuggerSettings
from tests.modules.debugger.rig import Rig


def stop_at(rig: Rig, needle: str, cond: str = "") -> dict:
    params = [f"{rig.file}:{rig.line(needle)}"] + ([cond] if cond else [])
    bp = rig.call("dbg.bp_add", *params)
    rig.start()
    assert rig.state_is(1)
    return bp


def loc(rig: Rig, needle: str, kind: int, name: str) -> str:
    return f"[{rig.file}:{rig.line(needle)}] a={kind} n={name}"


def test_global_breakpoint_stops_at_the_first_action_and_show_names_it(rig: Rig) -> None:
    assert rig.call("dbg.bp", "on", rig.pid) == "200 ok"
    rig.start()
    assert rig.state_is(1)
    assert rig.call("dbg.bp", "show", rig.pid) == "at bkp " + loc(rig, "$var(a) = 1", 1, "assign")
    row = rig.call("dbg.ls", rig.pid)[0]
    assert (row["set"], row["state"], row["line"]) == (2, 1, rig.line("$var(a) = 1"))
    assert row["route"] == "request_route" and row["file"] == rig.file


def test_next_releases_one_action_and_stops_at_the_next(rig: Rig) -> None:
    stop_at(rig, "$var(a) = 1")
    assert rig.call("dbg.bp", "next", rig.pid) == "exec " + loc(rig, "$var(a) = 1", 1, "assign")
    assert rig.call("dbg.bp", "next", rig.pid) == "exec " + loc(rig, "if ($rm", 2, "if")
    assert rig.call("dbg.bp", "next", rig.pid) == "exec " + loc(rig, "route(R1)", 7, "route")
    assert rig.call("dbg.bp", "show", rig.pid) == "at bkp " + loc(rig, "$var(c) = 3", 1, "assign")


def test_move_lets_the_message_finish_and_the_worker_runs_on(rig: Rig) -> None:
    stop_at(rig, "$var(a) = 1")
    assert rig.call("dbg.bp", "move", rig.pid) == "200 ok"
    assert rig.finished()
    assert rig.contexts[0].exited
    row = rig.call("dbg.ls", rig.pid)[0]
    assert (row["state"], row["file"], row["line"]) == (0, "", 0)


def test_line_breakpoints_stay_after_move_and_count_hits(rig: Rig) -> None:
    bp = stop_at(rig, "$var(d) = 4")
    rig.call("dbg.bp", "move", rig.pid)
    assert rig.finished()
    rig.start()
    assert rig.state_is(1)
    rig.call("dbg.bp", "move", rig.pid)
    assert rig.finished()
    assert rig.call("dbg.bp_list") == [{**bp, "hits": 2}]


def test_step_into_enters_the_called_route(rig: Rig) -> None:
    stop_at(rig, "route(R1)")
    assert rig.call("dbg.step", rig.pid, "into") == "exec " + loc(rig, "route(R1)", 7, "route")
    assert rig.call("dbg.where", rig.pid)["line"] == rig.line("$var(c) = 3")


def test_step_over_does_not_stop_inside_the_called_route(rig: Rig) -> None:
    stop_at(rig, "route(R1)")
    assert rig.call("dbg.step", rig.pid, "over") == "exec " + loc(rig, "route(R1)", 7, "route")
    where = rig.call("dbg.where", rig.pid)
    assert where == {"state": 1, "route": "request_route", "file": rig.file,
                     "line": rig.line("$var(b) = 2"), "kind": 1, "name": "assign"}
    assert rig.contexts[0].vars["d"] == 4  # R1 ran to its end


def test_step_over_stops_at_a_line_breakpoint_inside_the_route(rig: Rig) -> None:
    stop_at(rig, "route(R1)")
    rig.call("dbg.bp_add", f"{rig.file}:{rig.line('return 1')}")
    rig.call("dbg.step", rig.pid, "over")
    assert rig.call("dbg.where", rig.pid)["line"] == rig.line("return 1")


def test_step_out_stops_at_the_first_action_after_the_route_returns(rig: Rig) -> None:
    stop_at(rig, "$xavp(r=>f)")
    rig.call("dbg.step", rig.pid, "out")
    where = rig.call("dbg.where", rig.pid)
    assert (where["route"], where["line"]) == ("route[R1]", rig.line("$var(d) = 4"))


def test_step_off_the_end_of_the_message_leaves_the_worker_running(rig: Rig) -> None:
    stop_at(rig, "exit;")
    rig.call("dbg.step", rig.pid, "over")
    assert rig.finished()
    assert rig.call("dbg.where", rig.pid)["state"] == 0
    assert rig.script.tracer is not None  # the line breakpoint keeps it


def test_stack_lists_routes_outermost_first_with_their_lines(rig: Rig) -> None:
    stop_at(rig, "$xavp(r=>f)")
    assert rig.call("dbg.stack", rig.pid) == [
        {"route": "request_route", "file": rig.file, "line": rig.line("route(R1)")},
        {"route": "route[R1]", "file": rig.file, "line": rig.line("route(R2)")},
        {"route": "route[R2]", "file": rig.file, "line": rig.line("$xavp(r=>f)")},
    ]


def test_vars_lists_var_avp_and_xavp(rig: Rig) -> None:
    stop_at(rig, "exit;")
    assert rig.call("dbg.vars", rig.pid) == {
        "var": {"a": 1, "b": 2, "c": 3, "d": 4}, "avp": {"x": ["last"]},
        "xavp": {"r": [{"f": ["v"]}]}}


def test_msg_is_the_message_with_the_script_changes(tmp_path: Path) -> None:
    cfg = ('loadmodule "pv.so"\nrequest_route {\n    $ru = "sip:carol@example.org";\n'
           '    exit;\n}\n')
    rig = Rig(tmp_path, cfg=cfg)
    try:
        stop_at(rig, "exit;")
        text = rig.call("dbg.msg", rig.pid)
        assert text.startswith("OPTIONS sip:carol@example.org SIP/2.0\r\n")
        assert "Call-ID: dbg-1\r\n" in text
    finally:
        rig.close()


def test_eval_gives_kamailios_typed_values(rig: Rig) -> None:
    stop_at(rig, "$var(d) = 4")
    assert rig.call("dbg.bp", "eval", rig.pid, "$var(c)") == "$var(c) : t=int v=3"
    assert rig.call("dbg.bp", "eval", rig.pid, "$ru") == "$ru : t=str v=sip:bob@example.com"
    assert rig.call("dbg.bp", "eval", rig.pid, "$(ru{uri.user})") == \
        "$(ru{uri.user}) : t=str v=bob"
    assert rig.call("dbg.bp", "eval", rig.pid, "$avp(nope)") == "$avp(nope) : t=null"


def test_log_writes_the_value_to_the_log(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    stop_at(rig, "$var(d) = 4")
    with caplog.at_level("DEBUG", logger="siprouter.debugger"):
        assert rig.call("dbg.bp", "log", rig.pid, "$var(c)") == "200 ok"
    assert "breakpoint eval: $var(c) : t=int v=3" in [r.getMessage() for r in caplog.records]


def test_conditional_breakpoint_stops_only_when_the_condition_holds(rig: Rig) -> None:
    rig.call("dbg.bp_add", f"{rig.file}:{rig.line('$var(a) = 1')}", '$rm == "INVITE"')
    rig.run()  # an OPTIONS: runs through
    bp = rig.call("dbg.bp_add", f"{rig.file}:{rig.line('$var(b) = 2')}",
                  '$rm == "OPTIONS" && $var(c) == 3')
    rig.start()
    assert rig.state_is(1)
    assert rig.call("dbg.where", rig.pid)["line"] == rig.line("$var(b) = 2")
    assert [b["hits"] for b in rig.call("dbg.bp_list")] == [0, 1]
    assert bp["cond"] == '$rm == "OPTIONS" && $var(c) == 3'


def test_a_condition_does_not_disturb_the_message(rig: Rig) -> None:
    rig.call("dbg.bp_add", f"{rig.file}:{rig.line('$var(a) = 1')}", "$rc == 99")
    rig.run()
    assert rig.codes == [0] and rig.contexts[0].exited and rig.contexts[0].last_retcode == 0


def test_bp_del_removes_a_breakpoint(rig: Rig) -> None:
    bp = rig.call("dbg.bp_add", f"{rig.file}:{rig.line('$var(a) = 1')}")
    assert rig.call("dbg.bp_del", bp["id"]) == "200 ok"
    assert rig.call("dbg.bp_list") == []
    rig.run()
    assert rig.script.tracer is None


def test_off_stops_global_breakpoints_for_the_next_message(rig: Rig) -> None:
    rig.call("dbg.bp", "on")
    assert rig.call("dbg.bp", "off") == "200 ok"
    rig.run()
    assert rig.codes == [0]


def test_release_turns_off_breakpoints_of_workers_not_stopped(rig: Rig) -> None:
    rig.call("dbg.bp", "on")
    assert rig.call("dbg.bp", "release") == "200 ok"
    assert rig.call("dbg.ls", rig.pid)[0]["set"] == 0


def test_release_keeps_a_stopped_worker_stopped(rig: Rig) -> None:
    rig.call("dbg.bp", "on", rig.pid)
    rig.start()
    assert rig.state_is(1)
    rig.call("dbg.bp", "release")
    assert rig.call("dbg.ls", rig.pid)[0]["set"] == 2
    assert rig.call("dbg.bp", "show", rig.pid).startswith("at bkp ")


def test_keep_releases_the_other_workers(rig: Rig) -> None:
    other = rig.server.channel.claim(1)  # pid 1 is always alive: a second worker's slot
    other.cells[1] = 2  # set: breakpoints on
    assert rig.call("dbg.bp", "keep", rig.pid) == "200 ok"
    assert rig.call("dbg.ls", 1)[0]["set"] == 0


def test_a_stopped_worker_without_commands_runs_on_after_step_loops(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DebuggerSettings(breakpoint=1, step_usleep=1000, step_loops=20))
    try:
        rig.start()
        assert rig.finished()
        assert rig.codes == [0]
        row = rig.call("dbg.ls", rig.pid)[0]
        assert (row["state"], row["set"]) == (0, 0)
    finally:
        rig.close()


def test_dbg_breakpoint_1_anchors_a_breakpoint(tmp_path: Path) -> None:
    cfg = 'loadmodule "debugger.so"\nrequest_route {\n    dbg_breakpoint(1);\n    exit;\n}\n'
    rig = Rig(tmp_path, cfg=cfg)
    try:
        assert [(b["line"], b["cond"]) for b in rig.call("dbg.bp_list")] == [(3, "")]
        rig.start()
        assert rig.state_is(1)
        assert rig.call("dbg.bp", "show", rig.pid) == f"at bkp [{rig.file}:3] a=12 n=dbg_breakpoint"
    finally:
        rig.close()


def test_breakpoint_on_a_line_without_action_slides_to_the_next_one(rig: Rig) -> None:
    bp = rig.call("dbg.bp_add", f"k.cfg:{rig.line('request_route')}")
    assert (bp["file"], bp["line"]) == (rig.file, rig.line("$var(a) = 1"))


def test_breakpoint_without_action_within_three_lines_is_refused(rig: Rig) -> None:
    with pytest.raises(RPCFault) as err:
        rig.call("dbg.bp_add", f"{rig.file}:{rig.line('loadmodule')}")
    assert err.value.code == 404 and err.value.message.startswith("no action at ")


def test_source_lists_the_cfg_files_and_gives_their_text(rig: Rig) -> None:
    assert rig.call("dbg.source") == [rig.file]
    assert rig.call("dbg.source", rig.file) == rig.cfg


def test_vars_reply_is_json_safe_for_every_transport(rig: Rig) -> None:
    stop_at(rig, "exit;")
    json.dumps(rig.call("dbg.vars", rig.pid))
