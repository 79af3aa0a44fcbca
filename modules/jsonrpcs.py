"""Kamailio's `jsonrpcs` module: JSON-RPC 2.0 from the script, on the SIP ports.

The module's listeners (HTTP, datagram, stream) are served by the management server's own
process (core/rpc, docs/rpc.md). This part runs in the SIP workers:

- `jsonrpc_dispatch()` in `event_route[xhttp:request]` answers the HTTP request's body as
  JSON-RPC (`if ($hu =~ "^/RPC") jsonrpc_dispatch();`);
- `jsonrpc_exec(json)` runs a JSON-RPC request given as text; `$jsonrpl(code|text|body)` then
  reads the reply (per process, the last call's, as Kamailio keeps it).

Both go through the one dispatcher and codec of core/rpc (`call` below). The handlers' state
is shared memory (counters, cfg framework, process table), so `cnt.*`, `cfg.*`, `stats.*`,
`core.*` answer the same in a worker as in the RPC process; `ctl.listen`/`ctl.connections`
list the management listeners only in the RPC process, and a handler that would have to wait
(`async` or `@blocking`: none so far) answers -32000 in a worker, whose loop it may not stop.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.rpc import embed
from siprouter.core.rpc import jsonrpc as codec
from siprouter.core.rpc.dispatch import Dispatcher
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.modinit import module_env
from siprouter.core.runtime.pv import Getter, PVError, PVIndex, register_pv_class
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.transport.http_detect import HttpResponse

from . import xhttp

exports = ModuleExports("jsonrpcs", doc="JSON-RPC server for RPC commands (FIFO, datagram, HTTP)")

# Parameters
exports.param("pretty_format", int, 1, doc="Pretty format for JSON-RPC response document if set to 1.")
exports.param("transport", int, 6, doc="Control what transports are enabled.")
exports.param("fifo_name", str, "kamailio_rpc.fifo", doc="The name of the FIFO file to be created for listening and reading external commands.")
exports.param("fifo_mode", int, 0o660, doc="Permission to be used for creating the listening FIFO file.")
# fifo_/dgram_ user and group take a name or a numeric id (Kamailio registers both types).
exports.param("fifo_group", (str, int), None, doc="System Group to be used for creating the listening FIFO file.")
exports.param("fifo_user", (str, int), None, doc="System User to be used for creating the listening FIFO file.")
exports.param("fifo_reply_dir", str, "/tmp/", doc="Directory to be used for creating the reply FIFO files.")
exports.param("dgram_socket", str, "kamailio_rpc.sock", doc="The name of a Unix socket file or an IP address.")
exports.param("dgram_workers", int, 1, doc="The number of worker processes to be created.")
exports.param("dgram_timeout", int, 2000, doc="The reply will expire after trying to sent it for socket_timeout milliseconds.")
exports.param("dgram_mode", int, 0o660, doc="Permission to be used for creating the listening UNIX datagram socket.")
exports.param("dgram_group", (str, int), None, doc="Group to be used for creating the listening UNIX socket.")
exports.param("dgram_user", (str, int), None, doc="User to be used for creating the listening UNIX socket.")
# siprouter: the stand-alone management listener and its safety settings (docs/rpc.md).
exports.param("http_listen", str, None, multi=True, doc="siprouter: host:port of the HTTP management listener (JSON-RPC on /RPC, XML-RPC on /RPC2).")
exports.param("stream_socket", str, None, doc="siprouter: path of a unix stream socket serving JSON-RPC, one request per line.")
exports.param("allow_from", str, None, multi=True, doc="siprouter: address or network (besides loopback) allowed to use a non-loopback management listener.")
exports.param("http_token", str, None, doc="siprouter: when set, HTTP requests need 'Authorization: Bearer <token>'.")
exports.param("max_request_size", int, 65536, doc="siprouter: largest request accepted, in bytes.")
exports.param("http_timeout", int, 10, doc="siprouter: seconds a management connection may be idle or slow before it is closed.")

WOULD_BLOCK = -32000  # JSON-RPC's server-error range: the handler cannot run here

_dispatcher: Dispatcher | None = None


def use_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Call RPCs with `dispatcher` (tests); None: the server's, from core/rpc/embed."""
    global _dispatcher
    _dispatcher = dispatcher


def dispatcher() -> Dispatcher:
    """The dispatcher this process calls RPCs with: the one `siprouter -f` built before
    forking (its registry and ServerInfo, with the shared counters and cfg)."""
    if _dispatcher is not None:
        return _dispatcher
    mgmt = embed.current_management()
    if mgmt is None:
        raise RPCFault(WOULD_BLOCK, "no RPC registry in this process")
    return mgmt.dispatcher


def run_now(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that does not wait to its end, here and now. The worker's event loop
    is busy running the script: one that would wait is closed and answers WOULD_BLOCK."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RPCFault(WOULD_BLOCK, "this RPC cannot run in a SIP worker; use the RPC listener")


def call(method: str, params: list[Any], transport: str = "internal", peer: str = "") -> Any:
    """The result of one RPC through the server's dispatcher; RPCFault on failure."""
    return run_now(dispatcher().call(method, params, transport, peer))


def answer(body: bytes, peer: str, pretty: bool = True) -> bytes | None:
    """The JSON-RPC reply to `body` (a request or a batch); None for notifications."""

    async def invoke(method: str, params: list[Any]) -> Any:
        return call(method, params, "http", peer)

    return run_now(codec.handle(body, invoke, pretty))


def _pretty() -> bool:
    env = module_env("jsonrpcs")
    return bool(int(env.param("pretty_format", 1))) if env is not None else True


# Functions
@exports.function("jsonrpc_dispatch", args=0, routes=RouteType.REQUEST, doc="Handle the JSONRPC request and generate a response.")
def jsonrpc_dispatch(ctx: Context) -> int:
    """Answer the HTTP request's body as JSON-RPC 2.0 (204 for a notification)."""
    ex = xhttp.current(ctx)
    if ex is None:
        ctx.log.error("jsonrpc_dispatch: not an HTTP request")
        return -1
    rcv = ctx.sip.rcv if ctx.sip is not None else None
    peer = f"{rcv.src_ip}:{rcv.src_port}" if rcv is not None else ""
    reply = answer(ex.request.body, peer, _pretty())
    response = (HttpResponse(204, "No Content") if reply is None
                else HttpResponse(200, "OK", "application/json", reply))
    return xhttp.reply(ctx, response, "jsonrpc_dispatch")


@dataclass
class PlainReply:
    """The last jsonrpc_exec() reply of this process ($jsonrpl)."""

    code: int = 0
    text: str = ""
    body: str = ""


last_reply = PlainReply()


@exports.function("jsonrpc_exec", args=1, routes=RouteType.ANY, formats=(0,), doc="Execute a JSON-RPC command given as a parameter.")
def jsonrpc_exec(ctx: Context, request: Value) -> int:
    """Run a JSON-RPC request; `$jsonrpl(code)` is 200 or the error code, `text` "OK" or the
    error message, `body` the reply document."""
    reply = answer(to_str(request).encode("utf-8", "surrogateescape"), "", _pretty())
    body = reply.decode() if reply is not None else ""
    code, text = 200, "OK"
    try:
        doc = json.loads(body) if body else {}
    except ValueError:
        doc = {}
    error = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(error, dict):
        code, text = int(error.get("code", 500)), str(error.get("message", ""))
    last_reply.code, last_reply.text, last_reply.body = code, text, body
    return 1


def _jsonrpl(ref: PVRef, index: PVIndex) -> tuple[Getter, None]:
    key = (ref.inner or "").strip()
    if key not in ("code", "text", "body"):
        raise PVError("$jsonrpl takes code, text or body")

    def get(ctx: Context) -> Value:
        value: Value = getattr(last_reply, key)
        return value

    return get, None


# Pseudo-variables
exports.pv("jsonrpl", inner=True, doc="JSON-RPC reply of jsonrpc_exec(): code, text, body")
register_pv_class("jsonrpl", _jsonrpl)
