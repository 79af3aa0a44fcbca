"""Kamailio's `xhttp` module: HTTP requests on the SIP TCP/TLS ports run a route.

The transport tells HTTP from SIP per connection and frames the requests
(core/transport/http_detect.py); this module is the handler it calls in the worker. As in
Kamailio, each request becomes a SIP-shaped message: the HTTP request line with `SIP/2.0`, a
fake `Via: SIP/2.0/TCP peer` on top, the HTTP headers, and the de-chunked body with its
Content-Length. So every existing PV reads it (`$rm` the HTTP method, `$rb` the body,
`$hdr(Name)` the headers, `$si`/`$sp` the peer) and `$hu` gives the URL.

Who takes a request: the modules that registered a selector (`add_selector`), in order: xmlrpc
(its `url_match`, or a text/xml POST) then xhttp (`url_match`; `url_skip` wins). The chosen
route answers with `xhttp_reply()` (or `dispatch_rpc()`, `jsonrpc_dispatch()`); a route that
ends without an answer gets `500 Internal Server Error`, a request nobody takes `404 Not
Found` (our choice: no client is left waiting for an answer).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import ModuleEnv, ModuleExports, RouteType
from siprouter.core.rpc.embed import before_message
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import Getter, PVIndex, register_pv_class
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.sip import SIPError, SIPRequest, parse_message
from siprouter.core.transport.http_detect import (
    HttpRequest,
    HttpResponse,
    set_http_handler,
)

log = logging.getLogger("siprouter.xhttp")

EVENT_ROUTE = "event_route:xhttp:request"
# Framing headers of the HTTP request: the fake message carries its own Content-Length.
_DROPPED = {"content-length", "transfer-encoding"}

exports = ModuleExports("xhttp", doc="Minimal HTTP server on the SIP ports")


@dataclass
class XhttpSettings:
    """xhttp's modparams."""

    url_match: str | None = None
    url_skip: str | None = None
    event_callback: str | None = None


exports.settings = XhttpSettings()

# Parameters
exports.param("url_match", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("url_skip", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")


# --- which route takes a request ------------------------------------------------------------

# (priority, selector): a selector returns the route key to run, or None to pass.
Selector = Callable[[HttpRequest, Any], str | None]
_selectors: list[tuple[int, Selector]] = []


def add_selector(priority: int, selector: Selector) -> None:
    """Let `selector` take requests (lower priority asks first) and serve HTTP on the SIP
    stream ports. Called by the modules' init hooks, before the workers fork."""
    if all(s is not selector for _, s in _selectors):
        _selectors.append((priority, selector))
        _selectors.sort(key=lambda item: item[0])
    set_http_handler(handle_http)


def reset_selectors() -> None:
    """Forget every selector and stop serving HTTP (tests; a server starting again)."""
    _selectors.clear()
    set_http_handler(None)


def url_filter(match: str | None, skip: str | None) -> Callable[[str], bool]:
    """Whether a URL passes `url_match`/`url_skip` (skip wins; no match regex takes all).
    re.error for a bad regex."""
    match_re = re.compile(match) if match else None
    skip_re = re.compile(skip) if skip else None

    def passes(url: str) -> bool:
        if skip_re is not None and skip_re.search(url):
            return False
        return match_re is None or match_re.search(url) is not None

    return passes


def _xhttp_selector(settings: XhttpSettings) -> Selector:
    passes = url_filter(settings.url_match, settings.url_skip)

    def select(request: HttpRequest, script: Any) -> str | None:
        if not script.has_route(EVENT_ROUTE) or not passes(request.target):
            return None
        return EVENT_ROUTE

    return select


def _init(env: ModuleEnv) -> None:
    try:
        add_selector(10, _xhttp_selector(exports.settings))
    except re.error as exc:
        raise ValueError(f"xhttp: bad url_match/url_skip regex: {exc}") from None


exports.init = _init


# --- running a request -------------------------------------------------------------------------


@dataclass
class Exchange:
    """One HTTP request being run through the script, and the answer it got."""

    ctx: Context
    request: HttpRequest
    reply: HttpResponse | None = None


_running: list[Exchange] = []  # the worker runs one route at a time; nested runs stack


def current(ctx: Context) -> Exchange | None:
    """The HTTP exchange `ctx` runs for, or None (a SIP message)."""
    for ex in reversed(_running):
        if ex.ctx is ctx:
            return ex
    return None


def fake_sip_message(request: HttpRequest, rcv: ReceiveInfo) -> bytes:
    """The request as Kamailio shows it to the script: a SIP request with a fake Via."""
    host = f"[{rcv.src_ip}]" if ":" in rcv.src_ip else rcv.src_ip
    lines = [f"{request.method} {request.target} SIP/2.0",
             f"Via: SIP/2.0/{rcv.proto.upper()} {host}:{rcv.src_port}"]
    lines += [f"{k}: {v}" for k, v in request.headers if k.lower() not in _DROPPED]
    lines.append(f"Content-Length: {len(request.body)}")
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("utf-8", "surrogateescape") + request.body


def _text_reply(status: int, reason: str) -> HttpResponse:
    return HttpResponse(status, reason, "text/plain", f"{status} {reason}\n".encode())


def handle_http(request: HttpRequest, rcv: ReceiveInfo, pipeline: Any) -> HttpResponse:
    """Run the route that takes `request` (the transports' HTTP handler); its answer."""
    before_message()  # committed cfg changes count from this request on, as for SIP
    script = pipeline.script
    key = next((k for _, select in _selectors if (k := select(request, script)) is not None),
               None)
    if key is None:
        return _text_reply(404, "Not Found")
    try:
        msg = parse_message(fake_sip_message(request, rcv), max_size=1 << 30)
    except SIPError as exc:
        log.info("http %s from %s:%d: not representable: %s", request.method, rcv.src_ip,
                 rcv.src_port, exc.detail)
        return _text_reply(400, "Bad Request")
    forwarder = pipeline.forwarder
    sip = SipState(rcv, forwarder.transports, is_myself=pipeline.is_myself,
                   forwarder=forwarder)
    ctx = Context(msg, route_type=RouteType.EVENT, worker=pipeline.worker, sip=sip)
    ex = Exchange(ctx, request)
    _running.append(ex)
    try:
        script.run(key, ctx)
    except SIPError as exc:
        log.info("http %s %s: %s", request.method, request.target, exc.detail)
    finally:
        _running.remove(ex)
    if ex.reply is None:
        log.warning("http %s %s: %s ended without a reply", request.method, request.target,
                    key)
        return _text_reply(500, "Internal Server Error")
    return ex.reply


def reply(ctx: Context, response: HttpResponse, what: str) -> int:
    """Answer the HTTP request `ctx` runs for (the first answer counts); -1 without one."""
    ex = current(ctx)
    if ex is None:
        ctx.log.error("%s: not an HTTP request", what)
        return -1
    if ex.reply is not None:
        ctx.log.error("%s: the request was already answered", what)
        return -1
    ex.reply = response
    return 1


# --- script interface ----------------------------------------------------------------------------


@exports.function("xhttp_reply", args=4, routes=RouteType.REQUEST, formats=(0, 1, 2, 3), doc="Send back a reply with content-type and body.")
def xhttp_reply(ctx: Context, code: Value, reason: Value, ctype: Value, body: Value) -> int:
    """Answer the HTTP request with status `code`, `reason`, Content-Type `ctype` and `body`."""
    status = to_int(code)
    if not 100 <= status <= 999:
        ctx.log.error("xhttp_reply: bad status code %s", to_str(code))
        return -1
    text = to_str(body).encode("utf-8", "surrogateescape")
    return reply(ctx, HttpResponse(status, to_str(reason), to_str(ctype), text), "xhttp_reply")


def _hu(ref: PVRef, index: PVIndex) -> tuple[Getter, None]:
    def get(ctx: Context) -> Value:
        ex = current(ctx)
        if ex is not None:
            return ex.request.target
        msg = ctx.msg  # outside xhttp, Kamailio's $hu is the request line's URI
        return msg.ruri_text if isinstance(msg, SIPRequest) else None

    return get, None


# Pseudo-variables
exports.pv("hu", inner=False, doc="URL of the HTTP request")
register_pv_class("hu", _hu)

exports.event_routes = ("xhttp:request",)
