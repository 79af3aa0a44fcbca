"""Bad input is a fault with Kamailio's code and text (or ours, for our commands), never a
traceback and never a stale value."""

from __future__ import annotations

from typing import Any

import pytest

from siprouter.core.rpc.context import ServerInfo
from siprouter.core.rpc.dispatch import Dispatcher
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.rpc.registry import RPCRegistry
from siprouter.modules.debugger import exports
from tests.modules.debugger.rig import Rig

UNKNOWN_PID = 2**31 - 1


def fault(rig: Rig, method: str, *params: Any) -> tuple[int, str]:
    with pytest.raises(RPCFault) as err:
        rig.call(method, *params)
    return err.value.code, err.value.message


def stopped(rig: Rig) -> Rig:
    rig.call("dbg.bp", "on", rig.pid)
    rig.start()
    assert rig.state_is(1)
    return rig


@pytest.mark.parametrize("method,params", [
    ("dbg.ls", [UNKNOWN_PID]), ("dbg.trace", ["on", UNKNOWN_PID]),
    ("dbg.bp", ["show", UNKNOWN_PID]), ("dbg.bp", ["on", "abc"]),
    ("dbg.step", [UNKNOWN_PID, "into"]), ("dbg.where", [UNKNOWN_PID]),
    ("dbg.stack", [UNKNOWN_PID]), ("dbg.vars", [UNKNOWN_PID]), ("dbg.msg", [UNKNOWN_PID]),
])
def test_unknown_pid(rig: Rig, method: str, params: list[Any]) -> None:
    assert fault(rig, method, *params) == (500, "No such pid")


@pytest.mark.parametrize("cmd", ["keep", "move", "next", "show", "eval", "log"])
def test_missing_pid(rig: Rig, cmd: str) -> None:
    assert fault(rig, "dbg.bp", cmd) == (500, "Missing pid parameter")


@pytest.mark.parametrize("method", ["dbg.step", "dbg.where", "dbg.stack", "dbg.vars", "dbg.msg"])
def test_missing_pid_for_our_commands(rig: Rig, method: str) -> None:
    assert fault(rig, method) == (500, "Missing pid parameter")


def test_unknown_inner_command(rig: Rig) -> None:
    assert fault(rig, "dbg.bp", "jump", rig.pid) == (500, "Unknown inner command")
    assert fault(rig, "dbg.bp", "jump") == (500, "Unknown inner command")


def test_unknown_trace_command(rig: Rig) -> None:
    assert fault(rig, "dbg.trace", "maybe") == (500, "Unknown trace command")


def test_missing_commands(rig: Rig) -> None:
    assert fault(rig, "dbg.bp") == (500, "Config breakpoint command missing")
    assert fault(rig, "dbg.trace") == (500, "Config trace command missing")


def test_eval_without_pv(rig: Rig) -> None:
    assert fault(rig, "dbg.bp", "eval", rig.pid) == (500, "pv param missing")


@pytest.mark.parametrize("pv", ["$", "$" + "x" * 300])
def test_eval_pv_too_short_or_too_long(rig: Rig, pv: str) -> None:
    assert fault(rig, "dbg.bp", "eval", rig.pid, pv) == (500, "invalid pv param")


@pytest.mark.parametrize("pv", ["nopv", "$nosuchclass(x)", "$(ru{nosuch.tr})"])
def test_invalid_pv_is_a_fault_not_a_stale_value(rig: Rig, pv: str) -> None:
    stopped(rig)
    code, message = fault(rig, "dbg.bp", "eval", rig.pid, pv)
    assert code == 500 and message.startswith("invalid pv param: ")
    code, message = fault(rig, "dbg.bp", "log", rig.pid, pv)
    assert code == 500 and message.startswith("invalid pv param: ")
    assert rig.call("dbg.bp", "eval", rig.pid, "$rm") == "$rm : t=str v=OPTIONS"


@pytest.mark.parametrize("method,params", [
    ("dbg.bp", ["next"]), ("dbg.bp", ["show"]), ("dbg.bp", ["eval", "$rm"]),
    ("dbg.step", ["over"]), ("dbg.stack", []), ("dbg.vars", []), ("dbg.msg", []),
])
def test_commands_for_a_running_worker(rig: Rig, method: str, params: list[Any]) -> None:
    if method == "dbg.bp":
        args = [params[0], rig.pid, *params[1:]]
    else:
        args = [rig.pid, *params]
    assert fault(rig, method, *args) == (500, "Process is not waiting at a breakpoint")


def test_where_for_a_running_worker_is_empty(rig: Rig) -> None:
    assert rig.call("dbg.where", rig.pid) == {"state": 0, "route": "", "file": "", "line": 0,
                                              "kind": 0, "name": ""}


def test_bad_step_mode(rig: Rig) -> None:
    stopped(rig)
    assert fault(rig, "dbg.step", rig.pid, "sideways") == (400, "step mode must be into, over or out")


def test_bad_condition_is_a_400_with_the_diagnostic(rig: Rig) -> None:
    code, message = fault(rig, "dbg.bp_add", f"{rig.file}:{rig.line('$var(a)')}", '$rm == ')
    assert code == 400 and message.startswith("bad condition: ") and "expected" in message
    code, message = fault(rig, "dbg.bp_add", f"{rig.file}:{rig.line('$var(a)')}",
                          '$nosuch(x) == 1')
    assert code == 400 and "$nosuch" in message
    assert rig.call("dbg.bp_list") == []


def test_bad_places(rig: Rig) -> None:
    assert fault(rig, "dbg.bp_add", "k.cfg") == (400, "expected file:line, got 'k.cfg'")
    code, message = fault(rig, "dbg.bp_add", "other.cfg:6")
    assert code == 404 and message.startswith("no action at other.cfg:6")
    code, message = fault(rig, "dbg.bp_add", f"{rig.file}:999")
    assert (code, message) == (404, f"no action at {rig.file}:999")


def test_bp_del_of_an_unknown_id(rig: Rig) -> None:
    assert fault(rig, "dbg.bp_del", 42) == (404, "no breakpoint 42")


def test_source_of_a_file_the_server_does_not_run(rig: Rig) -> None:
    assert fault(rig, "dbg.source", "/etc/passwd") == (
        403, "/etc/passwd is not a cfg file of this server")


def test_reset_msgid_needs_the_modparam(rig: Rig) -> None:
    assert fault(rig, "dbg.reset_msgid") == (500, "reset_msgid is 0. Set it to 1 to enable.")


def test_without_a_debugger_every_command_says_not_initialized() -> None:
    dispatcher = Dispatcher(RPCRegistry([exports]), ServerInfo())
    for method, params in [("dbg.ls", []), ("dbg.bp", ["on"]), ("dbg.trace", ["on"]),
                           ("dbg.bp_list", []), ("dbg.source", [])]:
        with pytest.raises(RPCFault) as err:
            dispatcher.call_sync(method, params)
        assert (err.value.code, err.value.message) == (500, "Not initialized")
