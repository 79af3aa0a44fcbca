"""Kamailio's `rr` module: Record-Route and loose routing (RFC 3261 s16.6 step 4, s16.12).

`record_route()` records the Record-Route line(s) to add as message edits, built from the
receiving socket (advertised address when set): `<sip:host[:port][;transport=p][;r2=on];lr
[;ftag=tag][;params]>`, the port left out when it is 5060, the transport when it is UDP. When the
next hop ($du, else the R-URI; or the forced socket) uses another transport than the one the
request came in on, two lines are added (enable_double_rr), both with `;r2=on`: the outbound
one on top. The outbound address is the server's socket for that transport on the receiving IP
(`SipState.forwarder.find_socket`), else the receiving address with the new transport.

`loose_route()` removes our Route entries (two with r2=on), then sets $du to the next loose
Route, or swaps in a strict router's URI as the R-URI; when the R-URI is ours and the first
Route is not, the previous hop was a strict router and the last Route becomes the R-URI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import REQ_FAIL, REQ_FAIL_BRANCH, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, PVIndex, register_pv_class
from siprouter.core.runtime.sip_pvs import (
    Getter,
    Setter,
    is_myself,
    is_myself_uri,
    marks,
    next_hop,
    request,
)
from siprouter.core.runtime.sip_transforms import try_uri, uri_param, uri_params_text
from siprouter.core.runtime.sipstate import ScriptMarks, SipState, SocketInfo
from siprouter.core.runtime.transforms import parse_params
from siprouter.core.runtime.values import ExprError, Value, compile_regex, to_str
from siprouter.core.sip import NameAddr, SIPError, SIPRequest, SipURI
from siprouter.core.sip.uri import is_valid_host

exports = ModuleExports("rr", doc="Record-Route and loose routing")

# Parameters
exports.param("append_fromtag", int, 1, doc="If turned on, request's from-tag is appended to record-route; that's useful for...")
exports.param("enable_double_rr", int, 1, doc="There are some situations when the server needs to insert two Record-Route header fields...")
exports.param("enable_full_lr", int, 0, doc="If set to 1 then “;lr=on” instead of just “;lr” will be used.")
exports.param("add_username", int, 0, doc="If set to a non 0 value (which means yes), the username part will be also added in the...")
exports.param("enable_socket_mismatch_warning", int, 1, doc="When a preset record-route header is forced in Kamailio config and the host from the...")
exports.param("custom_user_avp", str, None, doc="When enable_username is enabled, a call to record_route will add the username of the...")
exports.param("force_send_socket", int, 0, doc="If set to 1, local socket is forced even for single Record-Route, otherwise is done on...")
exports.param("ignore_sips", int, 0, doc="If set to 1, the Record-Route header are build with 'sip' schema always, ignoring the...")
exports.param("sockname_mode", int, 0, doc="If set to 1, the Record-Route URI is built to contain socket name in 'sn' parameter and...")

# Functions are declared with their implementations below.

# Pseudo-variables
exports.pv("route_uri", inner=False, doc="URI of the first Route header")
exports.pv("fti", inner=False, doc="From-tag of the initial request of the dialog")
exports.pv("tti", inner=False, doc="To-tag of the initial request of the dialog")
exports.pv("rdir", inner=True, doc="direction of an in-dialog request: id or name")


@dataclass
class RRSettings:
    """The module parameters (the server applies modparam values here)."""

    append_fromtag: int = 1
    enable_double_rr: int = 1
    enable_full_lr: int = 0
    add_username: int = 0
    ignore_sips: int = 0


settings = RRSettings()
exports.settings = settings


# --- Record-Route --------------------------------------------------------------------------------


def _lr() -> str:
    return ";lr=on" if settings.enable_full_lr else ";lr"


def _ftag(req: SIPRequest) -> str:
    if not settings.append_fromtag:
        return ""
    from_ = req.from_
    tag = from_.tag if from_ is not None else None
    return f";ftag={tag}" if tag else ""


def _scheme_user(req: SIPRequest) -> str:
    uri = req.new_ruri
    scheme = "sips" if uri.scheme == "sips" and not settings.ignore_sips else "sip"
    user = uri.user_raw if settings.add_username and isinstance(uri, SipURI) else None
    return f"{scheme}:" + (f"{user}@" if user else "")


_ADDRESSES: dict[tuple[str, str | None, int, int | None, str], str] = {}


def _address(sock: SocketInfo, proto: str) -> str:
    """host[:port][;transport=proto] of a socket (advertised address when set); kept per
    socket and transport (a worker has a handful)."""
    key = (sock.ip, sock.advertised_host, sock.port, sock.advertised_port, proto)
    got = _ADDRESSES.get(key)
    if got is None:
        host = sock.via_host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        port = "" if sock.via_port == 5060 else f":{sock.via_port}"
        transport = "" if proto == "udp" else f";transport={proto}"
        got = host + port + transport
        if len(_ADDRESSES) >= 256:  # sockets made up per message (see _outbound_socket)
            _ADDRESSES.clear()
        _ADDRESSES[key] = got
    return got


def _proto_of(uri: object) -> str:
    if isinstance(uri, SipURI):
        for name, value in uri.raw_params:  # uri_param(uri, "transport"), written out
            if name.lower() == "transport":
                if value:
                    return value.lower()
                break
        if uri.scheme == "sips":
            return "tls"
    return "udp"


# Outbound transport by $du text: scripts set $du from a constant or a small set of next hops.
_DST_PROTOS: dict[str, str] = {}


def _outbound_proto(ctx: Context, sip: SipState) -> str:
    if sip.force_socket is not None:
        return sip.force_socket.proto.lower()
    dst = sip.dst_uri
    if dst:
        got = _DST_PROTOS.get(dst)
        if got is None:
            got = _proto_of(try_uri(dst))
            if len(_DST_PROTOS) >= 256:
                _DST_PROTOS.clear()
            _DST_PROTOS[dst] = got
        return got
    return _proto_of(next_hop(ctx))


def _outbound_socket(sip: SipState, proto: str) -> SocketInfo:
    if sip.force_socket is not None:
        return sip.force_socket
    rcv = sip.rcv.socket
    forwarder = sip.forwarder
    found = forwarder.find_socket(f"{proto}:{rcv.ip}") if forwarder is not None else None
    return found or SocketInfo(proto, rcv.ip, rcv.port, rcv.advertised_host, rcv.advertised_port)


def _insert(ctx: Context, req: SIPRequest, sip: SipState, uris: list[str], params: str) -> None:
    m = marks(sip)
    extra = "".join(m.rr_params) + params if m.rr_params else params
    for uri in uris:
        value = f"<{uri}{extra}>"
        req.prepend_record_route(value)
        m.rr_added.append(f"Record-Route: {value}")


def _preconditions(ctx: Context, what: str) -> tuple[SIPRequest, SipState] | None:
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        ctx.log.error("%s: no request to record-route", what)
        return None
    return req, sip


def _record(ctx: Context, what: str, params: Value, advertised: str | None = None) -> int:
    # _preconditions, _scheme_user, _lr, _ftag, _outbound_proto, _address and _insert written
    # out: record_route() runs for every initial INVITE, and each helper was a call.
    req, sip = ctx.msg, ctx.sip
    if not isinstance(req, SIPRequest) or sip is None:
        ctx.log.error("%s: no request to record-route", what)
        return -1
    try:
        ruri = req.new_ruri
        head = "sips:" if ruri.scheme == "sips" and not settings.ignore_sips else "sip:"
        if settings.add_username and isinstance(ruri, SipURI) and ruri.user_raw:
            head += ruri.user_raw + "@"
        tail = ";lr=on" if settings.enable_full_lr else ";lr"
        if settings.append_fromtag:
            from_ = req.from_
            # from_.tag, without its call when the value is not quoted
            tag = from_.params.get("tag") if from_ is not None else None
            if tag and tag[0] == '"':
                tag = from_.tag
            if tag:
                tail += ";ftag=" + tag
        rcv = sip.rcv
        inbound = rcv.proto.lower()
        outbound = _outbound_proto(ctx, sip) if sip.force_socket is not None or sip.dst_uri \
            else _proto_of(ruri)  # next_hop() is the R-URI
        double = settings.enable_double_rr == 2 or (settings.enable_double_rr and
                                                    outbound != inbound)
        if advertised is not None:
            in_addr = out_addr = advertised
        else:
            sock = rcv.socket
            in_addr = _ADDRESSES.get(
                (sock.ip, sock.advertised_host, sock.port, sock.advertised_port, inbound)
            ) or _address(sock, inbound)
            # the outbound address is only written in the second line
            out_addr = _address(_outbound_socket(sip, outbound), outbound) if double else ""
        if double:
            if advertised is not None:
                out_addr += "" if outbound == "udp" else f";transport={outbound}"
                in_addr += "" if inbound == "udp" else f";transport={inbound}"
            uris = [head + out_addr + ";r2=on" + tail, head + in_addr + ";r2=on" + tail]
        else:
            uris = [head + in_addr + tail]
        m = sip.marks
        if m is None:
            m = sip.marks = ScriptMarks()
        extra = params if params.__class__ is str else to_str(params)
        if m.rr_params:
            extra = "".join(m.rr_params) + extra
        for uri in uris:
            value = f"<{uri}{extra}>"
            req.prepend_record_route(value)
            m.rr_added.append(f"Record-Route: {value}")
    except (SIPError, ValueError) as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


@exports.function("record_route", formats=(0,), args=(0, 1), routes=REQ_FAIL_BRANCH, doc="The function adds a new Record-Route header field.")
def record_route(ctx: Context, params: Value = "") -> int:
    """Add our Record-Route (two when the transport changes); `params` (";a=b") are appended
    to the URI."""
    return _record(ctx, "record_route", params)


@exports.function("record_route_advertised_address", formats=(0,), args=1, routes=REQ_FAIL_BRANCH, doc="The function adds a new Record-Route header field using the address given.")
def record_route_advertised_address(ctx: Context, address: Value) -> int:
    """Add a Record-Route with the given host[:port] instead of the socket's address."""
    return _record(ctx, "record_route_advertised_address", "", to_str(address))


@exports.function("record_route_preset", formats=(0, 1), args=(1, 2), routes=REQ_FAIL_BRANCH, doc="This function will put the string params into Record-Route, avoid to use it unless you...")
def record_route_preset(ctx: Context, first: Value, second: Value = None) -> int:
    """Add `<sip:first;ftag=..;lr>` (and a second line with `second`: first is the outbound,
    second the inbound interface)."""
    got = _preconditions(ctx, "record_route_preset")
    if got is None:
        return -1
    req, sip = got
    try:
        head, ftag = _scheme_user(req), _ftag(req)
        values = [to_str(first)] + ([to_str(second)] if second is not None else [])
        _insert(ctx, req, sip, [head + v + ftag + _lr() for v in values], "")
    except (SIPError, ValueError) as exc:
        ctx.log.error("record_route_preset: %s", exc)
        return -1
    return 1


@exports.function("add_rr_param", formats=(0,), args=1, routes=REQ_FAIL_BRANCH, doc="Adds a parameter to the Record-Route URI (param must be in “;name=value” format.")
def add_rr_param(ctx: Context, param: Value) -> int:
    """Add a ";name=value" parameter to our Record-Route URI, before or after record_route()."""
    sip = ctx.sip
    req = request(ctx)
    if sip is None or req is None:
        ctx.log.error("add_rr_param: no request")
        return -1
    text = to_str(param)
    if not text.startswith(";"):
        text = ";" + text
    m = marks(sip)
    m.rr_params.append(text)
    if m.rr_added:
        inserts = req.edits.inserts
        for i, line in enumerate(m.rr_added):
            new = line[:-1] + text + ">"
            for lines in inserts.values():
                if line in lines:
                    lines[lines.index(line)] = new
            m.rr_added[i] = new
    return 1


@exports.function("remove_record_route", args=0, routes=REQ_FAIL, doc="The function removes the internal lumps added by record_route() functions.")
def remove_record_route(ctx: Context) -> int:
    """Take back the Record-Route lines record_route() & co added."""
    sip, req = ctx.sip, request(ctx)
    if sip is None or req is None:
        return -1
    m = marks(sip)
    if req.has_changes:
        for lines in req.edits.inserts.values():
            lines[:] = [line for line in lines if line not in m.rr_added]
    m.rr_added.clear()
    return 1


# --- loose routing -------------------------------------------------------------------------------


def _ours(ctx: Context, route: NameAddr) -> bool:
    uri = route.uri
    return isinstance(uri, SipURI) and is_myself_uri(ctx, uri)


# The usual Route set of an in-dialog request through us: one Route line holding only our own
# `<sip:host[:port];lr...>` (what record_route() wrote), no display name, no header parameters,
# plain token parameters. Groups: host, port, parameters (with their leading ";").
_OWN_ROUTE_RE = re.compile(
    r"<sip:([A-Za-z0-9.\-]+)(?::([0-9]{1,5}))?((?:;[A-Za-z0-9\-_.!~*'+]+"
    r"(?:=[A-Za-z0-9\-_.!~*'+]+)?)*)>")


# Route values seen lately (a dialog's requests carry the same one): the value -> (host, port,
# parameters) when it has the usual shape, False when not. Bounded.
_ROUTE_SHAPES: dict[str, tuple[str, int | None, str] | bool] = {}
_ROUTE_SHAPES_MAX = 1024


def _route_shape(value: str) -> tuple[str, int | None, str] | bool:
    """(host lower-cased, port or None, parameters with their leading ";") of a Route value
    of the usual shape (`_OWN_ROUTE_RE`, a valid host and port), else False; kept in
    _ROUTE_SHAPES."""
    m = _OWN_ROUTE_RE.fullmatch(value)
    shape: tuple[str, int | None, str] | bool = False
    if m is not None:
        host, port_text, params = m.groups()
        port = int(port_text) if port_text is not None else None
        host = host.lower()
        if (port is None or port <= 65535) and is_valid_host(host):
            shape = (host, port, params)
    if len(_ROUTE_SHAPES) >= _ROUTE_SHAPES_MAX:
        _ROUTE_SHAPES.clear()
    _ROUTE_SHAPES[value] = shape
    return shape


def _lone_own_route(req: SIPRequest, sip: SipState) -> int | None:
    """loose_route() for the usual shape (`_OWN_ROUTE_RE`, the URI ours): the line goes and
    the result is that of the general path; None when the shape is another (the general path
    decides then). Same effects as `_route`: route params kept for check_route_param &co,
    the element removed, true only for a request with a To tag."""
    keys = req.header_keys
    if keys.count("route") != 1:  # none, or more than one line
        return None
    i = keys.index("route")
    line = req.header_line(i)
    value = line[line.find(":") + 1:].strip(" \t")
    shape = _ROUTE_SHAPES.get(value)
    if shape is None:
        shape = _route_shape(value)
    if shape is False:
        return None
    host, port, params = shape  # type: ignore[misc]
    if not sip.is_myself(host, port):
        return None
    m_ = sip.marks
    if m_ is None:
        m_ = sip.marks = ScriptMarks()
    m_.route_params = params[1:]
    # remove_header_value("route", 0) for a line holding one element
    edits = req.edits
    edits.elements[("route", 0)] = None
    edits.values[i] = None
    to = req.to
    if to is None or to.params.get("tag") is None:  # to.tag, without the unquoting
        return -1  # an initial request with only our Route: not loose routed
    return 1


def _route(ctx: Context, mode: int, what: str, fast: bool = True) -> int:
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        ctx.log.error("%s: not a request", what)
        return -1
    try:
        done = _lone_own_route(req, sip) if fast else None
        if done is not None:
            return done
        routes = req.routes
        if not routes:
            return -1
        m = marks(sip)
        if not _ours(ctx, routes[0]):
            ruri = req.new_ruri
            if mode == 0 and (is_myself_uri(ctx, ruri) if isinstance(ruri, SipURI)
                              else is_myself(ctx, str(ruri))):
                return _from_strict_router(req, routes)
            return _next_hop(req, sip, routes, 0)
        m.route_params = uri_params_text(routes[0].uri)
        removed = 1
        if uri_param(routes[0].uri, "r2") is not None and len(routes) > 1 and _ours(
                ctx, routes[1]):
            removed = 2
        for k in range(removed):  # element indexes count the Routes as received
            req.remove_header_value("route", k)
        if removed == len(routes):
            to = req.to
            if to is None or to.tag is None:
                return -1  # an initial request with only our Route: not loose routed
            return 1
        m.route_next = True
        return _next_hop(req, sip, routes, removed)
    except (SIPError, ValueError) as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1


def _next_hop(req: SIPRequest, sip: SipState, routes: list[NameAddr], k: int) -> int:
    """Send towards Route k: loose -> $du; strict -> it becomes the R-URI, which goes last."""
    nxt = routes[k]
    if uri_param(nxt.uri, "lr") is not None:
        sip.dst_uri = str(nxt.uri)
        return 1
    old = req.new_ruri
    req.set_ruri(nxt.uri)
    # Edits index elements as received: the ones removed before k are already gone.
    req.remove_header_value("route", k)
    req.add_header("Route", f"<{old}>")
    return 1


def _from_strict_router(req: SIPRequest, routes: list[NameAddr]) -> int:
    """The previous hop put us in the R-URI: the last Route is the real R-URI."""
    last = routes[-1]
    req.set_ruri(last.uri)
    req.remove_header_value("route", len(routes) - 1)
    return 1


@exports.function("loose_route", args=0, routes=RouteType.REQUEST, doc="The function performs routing of SIP requests which contain a route set.")
def loose_route(ctx: Context) -> int:
    """Route by the Route headers (RFC 3261 s16.12): 1 when done, -1 when there are none (or
    only ours on an initial request)."""
    req, sip = ctx.msg, ctx.sip
    if req.__class__ is SIPRequest and sip is not None:  # _route's fast path, two calls less
        try:
            done = _lone_own_route(req, sip)
        except (SIPError, ValueError) as exc:
            ctx.log.error("%s: %s", "loose_route", exc)
            return -1
        if done is not None:
            return done
        return _route(ctx, 0, "loose_route", fast=False)
    return _route(ctx, 0, "loose_route")


@exports.function("loose_route_mode", args=1, routes=RouteType.REQUEST, doc="The function is similar to `loose_route()`, but it does only loose routing processing if...")
def loose_route_mode(ctx: Context, vmode: Value) -> int:
    """loose_route(); with vmode 1 the R-URI is not tested for a strict-routing previous hop."""
    return _route(ctx, 1 if to_str(vmode).strip() == "1" else 0, "loose_route_mode")


@exports.function("loose_route_preloaded", args=0, routes=RouteType.REQUEST, doc="The function is similar to `loose_route()`, but it returns 1 (true) when the Route header...")
def loose_route_preloaded(ctx: Context) -> int:
    """loose_route() for initial requests only: true when the Route set was preloaded."""
    req = request(ctx)
    to = None if req is None else req.to
    if to is not None and to.tag is not None:
        return -1
    return 1 if _route(ctx, 0, "loose_route_preloaded") > 0 else -1


@exports.function("check_route_param", args=1, routes=RouteType.REQUEST, doc="The function checks if the URI parameters of the local Route header (corresponding to the...")
def check_route_param(ctx: Context, regex: Value) -> int:
    """True when the parameters of our Route URI (after loose_route) match the regex."""
    sip = ctx.sip
    params = None if sip is None else marks(sip).route_params
    if params is None:
        return -1
    try:
        return 1 if compile_regex(to_str(regex)).search(params) else -1
    except ExprError as exc:
        ctx.log.error("check_route_param: %s", exc)
        return -1


def direction(ctx: Context) -> str | None:
    """ "downstream" when our Route's ftag is the From tag, "upstream" otherwise, None without
    loose_route or ftag."""
    sip, req = ctx.sip, request(ctx)
    params = None if sip is None else marks(sip).route_params
    if params is None or req is None:
        return None
    ftag = next((v for k, v in parse_params(params) if k.lower() == "ftag"), None)
    if ftag is None:
        return None
    from_tag = req.from_.tag if req.from_ is not None else None
    return "downstream" if ftag == from_tag else "upstream"


@exports.function("is_direction", args=1, routes=RouteType.REQUEST, doc="The function checks the flow direction of in-dialog requests.")
def is_direction(ctx: Context, dir_: Value) -> int:
    """True when the in-dialog request flows in `dir` ("downstream": caller to callee)."""
    try:
        got = direction(ctx)
    except SIPError as exc:
        ctx.log.error("is_direction: %s", exc)
        return -1
    return 1 if got is not None and got == to_str(dir_).strip().lower() else -1


@exports.function("rr_next_hop_route", args=0, routes=RouteType.ANY, doc="The function returns 1 (true) if there is a Route header for the next hop address.")
def rr_next_hop_route(ctx: Context) -> int:
    """True when loose_route() left a Route header for the next hop."""
    return 1 if ctx.sip is not None and marks(ctx.sip).route_next else -1


# --- pseudo-variables ---------------------------------------------------------------------------


def _route_uri(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    def get(ctx: Context) -> Value:
        req = request(ctx)
        try:
            routes = [] if req is None else req.routes
        except SIPError as exc:
            ctx.log.error("$route_uri: %s", exc)
            return None
        return str(routes[0].uri) if routes else None

    return get, None


def _rdir(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    what = (ref.inner or "id").strip()
    if what not in ("id", "name"):
        raise PVError(f"$rdir({what}): expected id or name")

    def get(ctx: Context) -> Value:
        try:
            got = direction(ctx)
        except SIPError:
            return None
        if got is None:
            return None
        return got if what == "name" else (1 if got == "downstream" else 2)

    return get, None


register_pv_class("route_uri", _route_uri)
register_pv_class("rdir", _rdir)

