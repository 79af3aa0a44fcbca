"""sercmd against the whole server (`siprouter -f CFG`: SIP workers plus the RPC process), as an
operator uses it: the process list, a runtime cfg change read back, a counter."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from .conftest import run_sercmd

CONFIG = """#!KAMAILIO
debug=2
children=2
listen=udp:127.0.0.1:{sip_port}
run_dir="{run_dir}"
loadmodule "jsonrpcs.so"
loadmodule "counters.so"
loadmodule "kex.so"
loadmodule "cfg_rpc.so"
loadmodule "registrar.so"
modparam("jsonrpcs", "http_listen", "127.0.0.1:0")
modparam("jsonrpcs", "transport", 1)
modparam("counters", "script_counter", "foo my test counter")
request_route {{ exit; }}
"""
SIPROUTER = [sys.executable, "-c", "import sys; from siprouter.core.main import main; sys.exit(main())"]
LISTENING = re.compile(r"management listening on http:(\S+)")


def _free_udp_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def siprouter_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC URL of a running `siprouter -f` with two SIP workers."""
    tmp = tmp_path_factory.mktemp("siprouter")
    (tmp / "run").mkdir()
    cfg = tmp / "sr.cfg"
    cfg.write_text(CONFIG.format(sip_port=_free_udp_port(), run_dir=tmp / "run"))
    err = tmp / "stderr.txt"
    with open(err, "wb") as e:
        proc = subprocess.Popen([*SIPROUTER, "-f", str(cfg)],
                                stdout=subprocess.DEVNULL, stderr=e, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (found := LISTENING.search(err.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"siprouter did not start: {err.read_text()[-2000:]}")
            time.sleep(0.05)
        yield f"http://{found.group(1)}/RPC"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, 9)
                proc.wait(timeout=15)


def test_ps_lists_the_workers_and_the_rpc_process(siprouter_http: str,
                                                  sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", siprouter_http, "ps", env=sercmd_env)
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert all(pid.isdigit() for pid, _ in rows)
    descriptions = [d for _, d in rows]
    assert sum("SIP worker" in d for d in descriptions) == 2
    assert any("RPC" in d for d in descriptions)


def test_runtime_cfg_change_is_read_back(siprouter_http: str, sercmd_env: dict[str, str]) -> None:
    assert run_sercmd("-s", siprouter_http, "cfg.seti", "core", "debug", "3",
                      env=sercmd_env).returncode == 0
    r = run_sercmd("-s", siprouter_http, "cfg.get", "core", "debug", env=sercmd_env)
    assert r.stdout == "3\n"


def test_counter_reads_through_the_cnt_rpcs(siprouter_http: str,
                                            sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", siprouter_http, "--json", "cnt.grp_get_all", "script", env=sercmd_env)
    assert r.stdout.strip().startswith("{") and '"foo": 0' in r.stdout


def test_wrong_cfg_variable_is_a_fault(siprouter_http: str, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", siprouter_http, "cfg.get", "core", "nope", env=sercmd_env)
    assert r.returncode == 1 and r.stderr.startswith("error: 400 - ")
    assert r.stderr.count("\n") == 1

