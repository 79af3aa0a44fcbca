"""Kamailio's `xmlrpc` module: XML-RPC on the SIP TCP/TLS ports, answered from the script.

An HTTP request on a SIP stream port that this module takes (its `url_match`, `url_skip`
winning; without `url_match`, a POST with an XML body) runs the route named by the `route`
parameter, else the main route, like Kamailio; there `dispatch_rpc()` answers it from the one
RPC registry (core/rpc: the dispatcher of the management server and its XML-RPC codec) and
`xmlrpc_reply(code, reason)` answers without calling a method. The stand-alone management
listener (`http_listen`, docs/rpc.md) is served by the RPC process as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from siprouter.core.exports import ModuleEnv, ModuleExports, RouteType
from siprouter.core.rpc import xmlrpc as codec
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.transport.http_detect import HttpRequest, HttpResponse

from . import jsonrpcs, xhttp

exports = ModuleExports("xmlrpc", doc="XML-RPC transport for RPC commands")


@dataclass
class XmlrpcSettings:
    """xmlrpc's modparams that change what it does."""

    route: str | None = None
    url_match: str | None = None
    url_skip: str | None = None


exports.settings = XmlrpcSettings()

# Parameters
exports.param("route", str, None, doc="Name of the route called for XMLRPC messages.")
exports.param("autoconversion", int, 0, doc="Enable or disable automatic parameter type conversion globally, for all the methods...")
exports.param("escape_cr", int, 1, doc="Enable CR ('\\r') escaping in replies.")
exports.param("double_lf_to_crlf", int, 0, doc="When enabled double LFs ('\\n\\n') in the input xmlrpc strings will be replaced with CR LF...")
exports.param("mode", int, 0, doc="When set to 1, the xmlrpc module does not register to core the callback functions for...")
exports.param("url_match", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("url_skip", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")
exports.param("http_listen", str, None, multi=True, doc="siprouter: host:port of the HTTP management listener (same as jsonrpcs http_listen).")


def route_key(settings: XmlrpcSettings) -> str:
    """The route XML-RPC requests run: `route[NAME]` when `route` is set, else the main one."""
    return f"route:{settings.route}" if settings.route else "request_route"


def _selector(settings: XmlrpcSettings) -> xhttp.Selector:
    passes = xhttp.url_filter(settings.url_match, settings.url_skip)
    key = route_key(settings)

    def select(request: HttpRequest, script: Any) -> str | None:
        if not passes(request.target) or not script.has_route(key):
            return None
        if settings.url_match:
            return key
        # Without url_match only what looks like XML-RPC, so xhttp keeps the rest.
        ctype = (request.header("content-type") or "").lower()
        return key if request.method == "POST" and "xml" in ctype else None

    return select


def _init(env: ModuleEnv) -> None:
    try:
        xhttp.add_selector(0, _selector(exports.settings))
    except re.error as exc:
        raise ValueError(f"xmlrpc: bad url_match/url_skip regex: {exc}") from None


exports.init = _init


def _answer(ctx: Context, body: bytes, what: str) -> int:
    return xhttp.reply(ctx, HttpResponse(200, "OK", "text/xml", body), what)


# Functions
@exports.function("dispatch_rpc", args=0, routes=RouteType.REQUEST, doc="This function processes an XMLRPC request, found in the body of the request.")
def dispatch_rpc(ctx: Context) -> int:
    """Call the RPC method the XML-RPC request names and answer with its result or fault
    (always HTTP 200, as Kamailio)."""
    ex = xhttp.current(ctx)
    if ex is None:
        ctx.log.error("dispatch_rpc: not an HTTP request")
        return -1
    rcv = ctx.sip.rcv if ctx.sip is not None else None
    peer = f"{rcv.src_ip}:{rcv.src_port}" if rcv is not None else ""
    try:
        method, params = codec.decode_call(ex.request.body)
        result = jsonrpcs.call(method, params, "xmlrpc", peer)
        body = codec.encode_response(result)
    except RPCFault as fault:
        body = codec.encode_fault(fault.code, fault.message)
    return _answer(ctx, body, "dispatch_rpc")


@exports.function("xmlrpc_reply", args=2, routes=RouteType.REQUEST, formats=(1,), doc="This function can be called from the config script to directly generate an XML-RPC reply.")
def xmlrpc_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Answer without calling a method: a fault with `code` and `reason` when code >= 300,
    else a response carrying `reason`."""
    status = to_int(code)
    text = to_str(reason)
    body = (codec.encode_fault(status, text) if status >= 300
            else codec.encode_response(text))
    return _answer(ctx, body, "xmlrpc_reply")
