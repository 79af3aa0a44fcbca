"""The ctl module's binrpc listeners in this process: settings, socket files, Kamailio's fault
wording, and what happens to bad or unlucky requests."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from siprouter.core.rpc import binrpc
from siprouter.core.rpc.access import AccessList
from siprouter.core.rpc.binrpc_server import (
    CtlConfig,
    CtlEndpoint,
    CtlServer,
    ctl_config,
    parse_binrpc_address,
)
from siprouter.core.rpc.config import ConfigError, from_settings

from .conftest import BASE, settings_for


@pytest.mark.parametrize("text,endpoint", [
    ("unix:/run/kamailio/kamailio_ctl", CtlEndpoint("unixs", path="/run/kamailio/kamailio_ctl")),
    ("unixs:/tmp/s", CtlEndpoint("unixs", path="/tmp/s")),
    ("unixd:/tmp/d", CtlEndpoint("unixd", path="/tmp/d")),
    ("/tmp/unix_test", CtlEndpoint("unixs", path="/tmp/unix_test")),
    ("udp:localhost:2046", CtlEndpoint("udp", "localhost", 2046)),
    ("tcp:127.0.0.1:2046", CtlEndpoint("tcp", "127.0.0.1", 2046)),
    ("tcp:3012", CtlEndpoint("tcp", "0.0.0.0", 3012)),
    ("udp:*:3012", CtlEndpoint("udp", "0.0.0.0", 3012)),
    ("localhost:3000", CtlEndpoint("udp", "localhost", 3000)),
    ("tcp:localhost", CtlEndpoint("tcp", "localhost", 2049)),
    ("tcp:[::1]:2050", CtlEndpoint("tcp", "::1", 2050)),
])
def test_binrpc_addresses_as_kamailio_reads_them(text, endpoint):
    assert parse_binrpc_address(text) == endpoint


@pytest.mark.parametrize("text", ["tcp:127.0.0.1:x", "unix:", "udp:host:99999"])
def test_bad_binrpc_address_is_a_config_error(text):
    with pytest.raises(ConfigError, match="bad ctl binrpc address"):
        parse_binrpc_address(text)


def _ctl(extra: str) -> CtlConfig | None:
    return ctl_config(settings_for(BASE.replace("request_route", extra + "\nrequest_route")),
                      AccessList())


def test_default_socket_when_no_binrpc_is_given():
    cfg = _ctl("")
    assert cfg is not None
    assert cfg.endpoints == [CtlEndpoint("unixs", path="/run/kamailio/kamailio_ctl",
                                         default=True)]
    assert cfg.mode == 0o600


def test_no_listener_without_ctl():
    assert ctl_config(settings_for(BASE.replace('loadmodule "ctl.so"\n', "")),
                      AccessList()) is None


def test_mode_written_with_a_leading_zero_is_octal():
    cfg = _ctl('modparam("ctl", "mode", 0660)')
    assert cfg is not None and cfg.mode == 0o660


def test_management_config_carries_the_ctl_listeners():
    mgmt = from_settings(settings_for(
        BASE.replace("request_route", 'modparam("ctl", "binrpc", "tcp:127.0.0.1:2049")\n'
                                      "request_route")))
    assert mgmt.ctl is not None
    assert mgmt.ctl.endpoints == [CtlEndpoint("tcp", "127.0.0.1", 2049)]


def test_listener_beyond_loopback_needs_an_access_list():
    with pytest.raises(ConfigError, match='modparam\\("ctl", "allow_from"'):
        _ctl('modparam("ctl", "binrpc", "tcp:3012")')
    allowed = _ctl('modparam("ctl", "binrpc", "tcp:3012")\n'
                   'modparam("ctl", "allow_from", "10.0.0.0/8")')
    assert allowed is not None and allowed.access.allows("10.1.2.3")
    via_jsonrpcs = ctl_config(
        settings_for(BASE.replace("request_route", 'modparam("ctl", "binrpc", "tcp:3012")\n'
                                                   "request_route")),
        AccessList(["192.0.2.0/24"]))
    assert via_jsonrpcs is not None and via_jsonrpcs.access.allows("192.0.2.9")


# --- serving, in this process ----------------------------------------------------------------

def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _server(mgmt: Any, *endpoints: CtlEndpoint, **kw: Any) -> CtlServer:
    return CtlServer(CtlConfig(endpoints=list(endpoints), **kw), mgmt.registry,
                     mgmt.dispatcher.call)


async def _ask(path: Path, data: bytes) -> bytes:
    """Send bytes on a unix stream connection; everything received until the server closes
    or one whole frame is in."""
    reader, writer = await asyncio.open_unix_connection(str(path))
    writer.write(data)
    await writer.drain()
    frames = binrpc.FrameReader(1 << 20)
    got = b""
    while True:
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        got += chunk
        if not chunk or frames.feed(chunk):
            break
    writer.close()
    return got


def _call(mgmt: Any, tmp_path: Path, method: str, *params: Any) -> Any:
    async def go() -> Any:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")))
        await server.start()
        try:
            raw = await _ask(tmp_path / "ctl", binrpc.encode_request(method, params, 3))
        finally:
            await server.close()
        return binrpc.decode_reply(binrpc.decode_frame(raw))
    return _run(go())


def test_extra_parameters_are_ignored_like_kamailio(mgmt, tmp_path):
    assert _call(mgmt, tmp_path, "cfg.get", "registrar", "default_expires", "extra") == [1800]


def test_stats_get_statistics_answers_kamailios_lines(mgmt, tmp_path):
    lines = _call(mgmt, tmp_path, "stats.get_statistics", "registrar:")
    assert "registrar:accepted_regs = 0" in lines


def test_declared_method_without_implementation_is_not_found(mgmt, tmp_path):
    declared = next(n for n in mgmt.registry._declared if n not in mgmt.registry)
    assert _call(mgmt, tmp_path, declared) == binrpc.Fault(500, f"command {declared} not found")


def test_fault_of_a_handler_keeps_kamailios_code(mgmt, tmp_path):
    fault = _call(mgmt, tmp_path, "cfg.get", "nope", "debug")
    assert isinstance(fault, binrpc.Fault) and fault.code == 400


def test_reply_over_binrpc_max_body_size_is_a_fault(mgmt, tmp_path):
    async def go() -> Any:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")),
                         max_reply_size=64)
        await server.start()
        try:
            return await _ask(tmp_path / "ctl", binrpc.encode_request("cfg.list", [], 4))
        finally:
            await server.close()
    fault = binrpc.decode_reply(binrpc.decode_frame(_run(go())))
    assert isinstance(fault, binrpc.Fault) and fault.code == 500
    assert "binrpc_max_body_size" in fault.message


def test_oversize_request_gets_a_fault_and_a_close(mgmt, tmp_path):
    async def go() -> bytes:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")),
                         max_request_size=100)
        await server.start()
        try:
            return await _ask(tmp_path / "ctl", binrpc.header(binrpc.REQUEST, 5000, 9))
        finally:
            await server.close()
    assert binrpc.decode_reply(binrpc.decode_frame(_run(go()))) == binrpc.Fault(
        400, "bad request: request too large")


def test_unix_socket_mode_and_cleanup(mgmt, tmp_path):
    path = tmp_path / "sub" / "ctl"

    async def go() -> int:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(path)), mode=0o640)
        await server.start()
        mode = stat.S_IMODE(os.stat(path).st_mode)
        await server.close()
        return mode
    assert _run(go()) == 0o640
    assert not path.exists()


def test_socket_owner_by_name(mgmt, tmp_path):
    import grp
    import pwd
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name

    async def go() -> tuple[int, int]:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")),
                         user=user, group=group)
        await server.start()
        st = os.stat(tmp_path / "ctl")
        await server.close()
        return st.st_uid, st.st_gid
    assert _run(go()) == (os.getuid(), os.getgid())


def test_unknown_user_is_a_start_error(mgmt, tmp_path):
    async def go() -> None:
        await _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")),
                      user="no-such-user-here").start()
    with pytest.raises(OSError, match="unknown user"):
        _run(go())
    assert not (tmp_path / "ctl").exists()


def test_stale_socket_file_is_replaced(mgmt, tmp_path):
    path = tmp_path / "ctl"
    with socket.socket(socket.AF_UNIX) as old:
        old.bind(str(path))  # bound, never listening: a dead server's leftover
    assert _call(mgmt, tmp_path, "cfg.get", "registrar", "default_expires") == [1800]


def test_live_server_socket_is_not_taken_over(mgmt, tmp_path):
    path = tmp_path / "ctl"

    async def go() -> Any:
        first = _server(mgmt, CtlEndpoint("unixs", path=str(path)))
        await first.start()
        try:
            second = _server(mgmt, CtlEndpoint("unixs", path=str(path)))
            with pytest.raises(OSError, match="another server listens"):
                await second.start()
            raw = await _ask(path, binrpc.encode_request("cfg.get",
                                                         ["registrar", "default_expires"], 1))
        finally:
            await first.close()
        return binrpc.decode_reply(binrpc.decode_frame(raw))
    assert _run(go()) == [1800]


def test_default_socket_that_cannot_open_is_one_log_line(mgmt, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    async def go() -> list[CtlEndpoint]:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(blocker / "kamailio_ctl"),
                                           default=True),
                         CtlEndpoint("unixs", path=str(tmp_path / "ctl")))
        await server.start()
        bound = list(server.bound)
        await server.close()
        return bound
    with caplog.at_level(logging.WARNING, logger="siprouter.rpc.ctl"):
        bound = _run(go())
    assert bound == [CtlEndpoint("unixs", path=str(tmp_path / "ctl"))]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert f"binrpc socket unixs:{blocker}/kamailio_ctl not opened" in warnings[0]


def test_explicit_socket_that_cannot_open_is_a_start_error(mgmt, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    async def go() -> None:
        await _server(mgmt, CtlEndpoint("unixs", path=str(blocker / "ctl"))).start()
    with pytest.raises(OSError, match="cannot listen on binrpc unixs:"):
        _run(go())


def test_listeners_and_connections_rows(mgmt, tmp_path):
    async def go() -> tuple[Any, Any]:
        server = _server(mgmt, CtlEndpoint("unixs", path=str(tmp_path / "ctl")),
                         CtlEndpoint("tcp", "127.0.0.1", 0))
        await server.start()
        try:
            reader, writer = await asyncio.open_unix_connection(str(tmp_path / "ctl"))
            writer.write(binrpc.encode_request("core.version", [], 1))
            await reader.read(65536)  # the reply: the connection is registered
            rows = [(c.kind, c.source, c.destination) for c in server.connections()]
            writer.close()
            return server.listeners(), rows
        finally:
            await server.close()
    listeners, rows = _run(go())
    assert listeners[0] == ("binrpc", "unix_stream", str(tmp_path / "ctl"), "")
    assert listeners[1][:3] == ("binrpc", "tcp", "127.0.0.1") and listeners[1][3].isdigit()
    assert rows == [("unix_stream", ("<anonymous unix socket>", ""),
                     (str(tmp_path / "ctl"), ""))]


def test_ctl_rpcs_list_binrpc_and_management_listeners_and_connections(mgmt, tmp_path):
    from siprouter.core.rpc.config import Endpoint, ManagementConfig
    from siprouter.core.rpc.server import ManagementServer

    ctl_path = str(tmp_path / "ctl")
    config = ManagementConfig(endpoints=[Endpoint("http", "127.0.0.1", 0)],
                              ctl=CtlConfig(endpoints=[CtlEndpoint("unixs", path=ctl_path)]))

    async def go() -> tuple[Any, Any, Any, int]:
        server = ManagementServer(config, mgmt.dispatcher)
        await server.start()
        port = server.bound[0].port
        try:
            _, http = await asyncio.open_connection("127.0.0.1", port)  # an idle HTTP client
            await asyncio.sleep(0.05)
            reader, writer = await asyncio.open_unix_connection(ctl_path)
            replies = []
            for method in ("ctl.listen", "ctl.who", "ctl.connections"):
                writer.write(binrpc.encode_request(method, [], 1))
                frames = binrpc.FrameReader()
                got: list[binrpc.Frame] = []
                while not got:
                    got = frames.feed(await asyncio.wait_for(reader.read(65536), 5))
                replies.append(binrpc.decode_reply(got[0]))
            writer.close()
            http.close()
            return replies[0], replies[1], replies[2], port
        finally:
            await server.close()
    listen, who, count, port = _run(go())
    assert listen == ["binrpc", "unix_stream", ctl_path, "",
                      "http", "tcp", "127.0.0.1", str(port)]
    assert who[:6] == ["binrpc", "unix_stream", "<anonymous unix socket>", "", ctl_path, ""]
    assert who[6:8] == ["http", "tcp"] and who[10:] == ["127.0.0.1", str(port)]
    assert count == [2]
