"""Issue 7's acceptance: the real siprouter with the debugger, a line breakpoint set over
JSON-RPC/HTTP, one OPTIONS from SIPp; the worker stops at that line, `next` runs three
actions, `eval $ru`, `move`, and SIPp gets its 200. While the worker is stopped the other worker
and the RPC server keep answering."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from siprouter.tools.sercmd.client import RPCClient
from tests.integration.conftest import Process, free_port, options_probe, udp_exchange

SCENARIO = Path(__file__).parent / "scenarios" / "options.xml"
DEADLINE = 20.0  # a hang guard for waits, never an assertion about speed

CFG = """#!KAMAILIO
debug=2
children=2
listen=udp:127.0.0.1:{sip}
auto_aliases=no

loadmodule "debugger.so"
loadmodule "jsonrpcs.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"

modparam("jsonrpcs", "http_listen", "127.0.0.1:{http}")
modparam("debugger", "step_usleep", 10000)
modparam("debugger", "step_loops", 2000)

request_route {{
    $var(seen) = $var(seen) + 1;
    $var(caller) = $fU;
    if (is_method("OPTIONS")) {{
        $var(answered) = 1;
        sl_send_reply("200", "OK");
        exit;
    }}
    sl_send_reply("404", "Not here");
}}
"""


def line_of(cfg: str, text: str) -> int:
    return next(n for n, line in enumerate(cfg.splitlines(), 1) if line.strip().startswith(text))


def wait_until(check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail("the server never got there")


@pytest.fixture
def server(start_siprouter: Any, tmp_path: Path) -> Iterator[tuple[Any, RPCClient, str, Path]]:
    sip, http = free_port(), free_port()
    cfg = CFG.format(sip=sip, http=http)
    path = tmp_path / "debugger.cfg"
    path.write_text(cfg)
    running = start_siprouter(path, sip)
    client = RPCClient.from_url(f"http://127.0.0.1:{http}", timeout=30)
    yield running, client, cfg, path
    client.close()


def test_line_breakpoint_next_eval_move_with_sipp(sipp: str, server: Any, processes: list[Process],
                                                 tmp_path: Path) -> None:
    running, rpc, cfg, path = server
    first = line_of(cfg, "$var(seen)")
    bp = rpc.call("dbg.bp_add", f"debugger.cfg:{first}", '$fU == "sipp"')
    assert bp == {"id": 1, "file": str(path), "line": first, "cond": '$fU == "sipp"'}

    uac = Process([sipp, f"127.0.0.1:{running.port}", "-sf", str(SCENARIO), "-m", "1", "-nr",
                   "-i", "127.0.0.1", "-p", str(free_port()), "-timeout", "60s",
                   "-timeout_error", "-trace_err", "-error_file", str(tmp_path / "sipp.err")],
                  cwd=tmp_path, log=tmp_path / "sipp.log")
    processes.append(uac)

    stopped = wait_until(lambda: [w for w in rpc.call("dbg.ls") if w["state"] == 1])
    assert len(stopped) == 1
    pid = stopped[0]["pid"]
    assert (stopped[0]["file"], stopped[0]["line"]) == (str(path), first)
    assert rpc.call("dbg.bp", "show", pid) == f"at bkp [{path}:{first}] a=1 n=assign"

    # The RPC server and the other worker answer while this one is stopped.
    assert rpc.call("core.version").startswith("siprouter ")
    answer = udp_exchange(running.port, options_probe(running.port, max_forwards=70), timeout=5)
    assert answer is not None and answer.startswith(b"SIP/2.0 200 ")
    assert uac.proc.poll() is None  # SIPp still waits for its 200

    caller, cond = line_of(cfg, "$var(caller)"), line_of(cfg, "if (is_method")
    assert rpc.call("dbg.bp", "next", pid) == f"exec [{path}:{first}] a=1 n=assign"
    assert rpc.call("dbg.bp", "next", pid) == f"exec [{path}:{caller}] a=1 n=assign"
    assert rpc.call("dbg.bp", "next", pid) == f"exec [{path}:{cond}] a=2 n=if"
    where = rpc.call("dbg.where", pid)
    assert (where["state"], where["line"], where["name"]) == (1, cond, "is_method")
    assert rpc.call("dbg.bp", "eval", pid, "$ru") == (
        f"$ru : t=str v=sip:ping@127.0.0.1:{running.port}")
    assert rpc.call("dbg.bp", "eval", pid, "$var(caller)") == "$var(caller) : t=str v=sipp"
    assert uac.proc.poll() is None

    assert rpc.call("dbg.bp", "move", pid) == "200 ok"
    assert uac.wait(DEADLINE) == 0, uac.output() + (
        (tmp_path / "sipp.err").read_text() if (tmp_path / "sipp.err").exists() else "")
    assert rpc.call("dbg.ls", pid)[0]["state"] == 0
    assert rpc.call("dbg.bp_list")[0]["hits"] == 1


def test_stack_vars_msg_and_source_over_http(sipp: str, server: Any, processes: list[Process],
                                            tmp_path: Path) -> None:
    running, rpc, cfg, path = server
    assert rpc.call("dbg.source") == [str(path)]
    assert rpc.call("dbg.source", str(path)) == cfg
    rpc.call("dbg.bp_add", f"{path}:{line_of(cfg, '$var(answered)')}")
    uac = Process([sipp, f"127.0.0.1:{running.port}", "-sf", str(SCENARIO), "-m", "1", "-nr",
                   "-i", "127.0.0.1", "-p", str(free_port()), "-timeout", "60s"],
                  cwd=tmp_path, log=tmp_path / "sipp.log")
    processes.append(uac)
    pid = wait_until(lambda: [w for w in rpc.call("dbg.ls") if w["state"] == 1])[0]["pid"]
    assert rpc.call("dbg.stack", pid) == [
        {"route": "request_route", "file": str(path), "line": line_of(cfg, "$var(answered)")}]
    variables = rpc.call("dbg.vars", pid)
    assert variables["var"]["caller"] == "sipp" and variables["avp"] == {}
    assert rpc.call("dbg.msg", pid).startswith(f"OPTIONS sip:ping@127.0.0.1:{running.port} ")
    rpc.call("dbg.bp", "move", pid)
    assert uac.wait(DEADLINE) == 0
