"""An in-memory stream connection and a compiled script for the HTTP-on-SIP-ports tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import ModuleEnv, default_registry
from siprouter.core.rpc.bootstrap import attach_core_handlers
from siprouter.core.rpc.context import ServerInfo
from siprouter.core.rpc.dispatch import Dispatcher
from siprouter.core.rpc.registry import RPCRegistry
from siprouter.core.runtime.compiler import Script, compile_config
from siprouter.core.runtime.context import WorkerState
from siprouter.core.runtime.modinit import apply_modparams
from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.transport.connections import Connections, StreamLimits
from siprouter.core.transport.framing import Broken
from siprouter.core.transport.stream import StreamConnection
from siprouter.modules import jsonrpcs, xhttp, xmlrpc

LOCAL = SocketInfo("tcp", "127.0.0.1", 5060)
PEER = ("192.0.2.7", 40123)
RCV = ReceiveInfo("tcp", PEER[0], PEER[1], LOCAL, 1)
MODULES = ("sl", "pv", "xlog", "cfg_rpc", "jsonrpcs", "xmlrpc", "xhttp")


class FakeTransport:
    """What asyncio gives a protocol, in memory: written octets are collected."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return PEER if name == "peername" else default

    def write(self, data: bytes) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True


@dataclass
class FakeForwarder:
    """Enough of the server's forwarder for a script that only answers HTTP."""

    transports: Any = None
    replies: list[tuple[int, str]] = field(default_factory=list)

    def reply(self, ctx: Any, code: int, reason: str, headers: list[str] | None = None) -> bool:
        self.replies.append((code, reason))
        return True


class Pipeline:
    """The receive path as xhttp sees it, plus a record of SIP messages."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.worker = WorkerState()
        self.forwarder = FakeForwarder()
        self.sip: list[bytes] = []

    def is_myself(self, host: str, port: int | None) -> bool:
        return False

    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        self.sip.append(data)

    def on_broken(self, broken: Broken, rcv: ReceiveInfo) -> bytes | None:
        return None


def load(cfg: str, **params: dict[str, Any]) -> Pipeline:
    """Compile `cfg` with the xhttp modules, set their modparams (`xhttp={"url_skip": ..}`)
    and run their init hooks, as the server does before forking."""
    config, _ = parse_text(cfg, "t.cfg")
    loaded = default_registry().loaded(MODULES)
    xhttp.reset_selectors()
    xhttp.exports.settings = xhttp.XhttpSettings()
    xmlrpc.exports.settings = xmlrpc.XmlrpcSettings()
    for module in (xhttp, xmlrpc):
        given = params.get(module.exports.name, {})
        apply_modparams(module.exports, {k: [v] for k, v in given.items()})
        assert module.exports.init is not None
        module.exports.init(ModuleEnv(config, {}))
    attach_core_handlers()
    jsonrpcs.use_dispatcher(Dispatcher(RPCRegistry(loaded.modules), ServerInfo()))
    return Pipeline(compile_config(config, loaded))


def connect(pipeline: Pipeline, *, accept_no_cl: bool = True) -> tuple[StreamConnection,
                                                                       FakeTransport]:
    """An accepted connection whose octets go to `pipeline`."""
    table = Connections(pipeline, StreamLimits(accept_no_cl=accept_no_cl), lambda: 0.0)
    conn = StreamConnection(table, LOCAL, outgoing=False)
    transport = FakeTransport()
    conn.connection_made(transport)
    return conn, transport


def reset() -> None:
    xhttp.reset_selectors()
    jsonrpcs.use_dispatcher(None)
