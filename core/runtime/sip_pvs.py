"""The pseudo-variables, old-style keywords and selects that read (and write) a SIP message.

Kamailio's pv module registers these (pv_core.c, pv_branch.c); `siprouter.modules.pv` imports
this file, so they exist once the pv module is loaded, as in Kamailio. They read
`Context.msg` (a parsed `SIPRequest`/`SIPResponse`) and `Context.sip` (receive info, `$du`,
branches).

As in Kamailio, the parsed views show the message as received: `$hdr(X)`, `$fu` ... read the
original even after an edit; `$ru`/`$rU`/`$rd`/`$rp` read the new R-URI (Kamailio keeps
`new_uri`), `$du` the current destination. A header that does not parse reads as null and logs
one line; no SIP error escapes into the script.

Writable: `$ru $rU $rd $rp $du $fu $fU $fd $fn $tu $tU $td $tn $br $branch(...) $bf $bF $sf
$sF $mf $mF`. From/To writes are recorded as edits of the header (built on earlier writes, so
`$fU = "a"; $fd = "b";` gives both).
"""

from __future__ import annotations

import os
import re
import time as _time
from collections.abc import Callable

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.sip import (
    LocalSIPError,
    NameAddr,
    SIPError,
    SIPMessage,
    SIPRequest,
    SIPResponse,
    SipURI,
    canonical_name,
)
from siprouter.core.sip.syntax import quote
from siprouter.core.sip.uri import URI

from .context import Context
from .fixups import assigns_constants
from .keywords import register_keyword, register_myself, register_select
from .pv import PVError, PVIndex, register_pv_class
from .sip_transforms import (
    raw_display,
    try_name_addr,
    try_uri,
    uri_default_port,
    uri_host,
    uri_port_text,
    uri_transport,
    uri_user,
)
from .sipstate import Branch, ScriptMarks, SipState
from .values import Value, to_int, to_str

Getter = Callable[[Context], Value]
Setter = Callable[[Context, Value], None]


# --- access to the SIP side of a context ---------------------------------------------------------


def message(ctx: Context) -> SIPMessage | None:
    """The SIP message the script runs for, or None."""
    msg = ctx.msg
    return msg if isinstance(msg, SIPMessage) else None


def request(ctx: Context) -> SIPRequest | None:
    """The request the script runs for, or None (a reply, or no message)."""
    msg = ctx.msg
    return msg if isinstance(msg, SIPRequest) else None


def marks(sip: SipState) -> ScriptMarks:
    """The `ScriptMarks` of this message, created on first use (most messages need none)."""
    got = sip.marks
    if got is None:
        got = sip.marks = ScriptMarks()
    return got


def safe(what: str, fn: Callable[[Context], Value]) -> Getter:
    """A getter that turns a header that does not parse into null and one log line."""

    def get(ctx: Context) -> Value:
        try:
            return fn(ctx)
        except (SIPError, ValueError) as exc:
            ctx.log.error("%s: %s", what, exc)
            return None

    return get


def current_header(msg: SIPMessage, name: str) -> str | None:
    """The first line of a header as it will be sent: an earlier edit's value or the original."""
    key = canonical_name(name)
    for i, h in enumerate(msg.headers):
        if h.key == key:
            if msg.has_changes and i in msg.edits.values:
                return msg.edits.values[i]
            return h.value
    return None


# --- registration helpers ---------------------------------------------------------------------


def _plain(name: str, get: Getter, set_: Setter | None = None) -> None:
    """Register `$name` (no inner name); the getter is wrapped by `safe`."""
    getter = safe(f"${name}", get)

    def factory(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
        return getter, set_

    register_pv_class(name, factory)


def _need_inner(ref: PVRef) -> str:
    if not ref.inner:
        raise PVError(f"${ref.name} needs a name: ${ref.name}(name)")
    return ref.inner.strip()


def _none_if_empty(s: str | None) -> Value:
    return s if s else None


# --- Request-URI ------------------------------------------------------------------------------


def ruri(ctx: Context) -> URI | None:
    """The R-URI as it will be sent (after seturi & co), None for a reply."""
    req = request(ctx)
    return None if req is None else req.new_ruri


def _ru(ctx: Context) -> Value:
    req = request(ctx)
    if req is None:
        return None
    edits = req.edits if req.has_changes else None
    if edits is not None and edits.start_line is not None:
        return edits.start_line.split(" ")[1]
    return req.ruri_text


def _ruri_part(part: Callable[[URI], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        uri = ruri(ctx)
        return None if uri is None else part(uri)

    return get


def _rp(uri: URI) -> Value:
    return uri.port if isinstance(uri, SipURI) and uri.port is not None else uri_default_port(uri)


def _rewrite(what: str, change: Callable[[SIPRequest, Value], None]) -> Setter:
    """A setter for an R-URI part; bad values log one line and change nothing."""

    def set_(ctx: Context, v: Value) -> None:
        req = request(ctx)
        if req is None:
            ctx.log.error("%s: not a request", what)
            return
        try:
            change(req, v)
        except (SIPError, ValueError) as exc:
            ctx.log.error("%s: %s", what, exc)

    return set_


def _set_ru(req: SIPRequest, v: Value) -> None:
    if v is None:
        raise LocalSIPError("cannot set the R-URI to $null")
    uri = try_uri(to_str(v))
    req.set_ruri(uri if uri is not None else to_str(v))


def _set_ru_user(req: SIPRequest, v: Value) -> None:
    req.set_ruri_user(None if v is None or v == "" else to_str(v))


def _set_ru_host(req: SIPRequest, v: Value) -> None:
    if v is None or v == "":
        raise LocalSIPError("the R-URI host cannot be empty")
    req.set_ruri_host(to_str(v))


def _set_ru_port(req: SIPRequest, v: Value) -> None:
    req.set_ruri_port(None if v is None or v == "" else to_int(v))


_plain("ru", _ru, _rewrite("$ru", _set_ru))
_plain("ruri", _ru, _rewrite("$ruri", _set_ru))
for _n in ("rU", "ruri.user"):
    _plain(_n, _ruri_part(lambda u: _none_if_empty(uri_user(u))), _rewrite("$rU", _set_ru_user))
for _n in ("rd", "ruri.domain"):
    _plain(_n, _ruri_part(lambda u: _none_if_empty(uri_host(u))), _rewrite("$rd", _set_ru_host))
_plain("rp", _ruri_part(_rp), _rewrite("$rp", _set_ru_port))
_plain("rP", _ruri_part(lambda u: uri_transport(u) or "udp"))
_plain("rz", _ruri_part(lambda u: u.scheme))
_plain("rUl", _ruri_part(lambda u: len(uri_user(u))))


def _ou(ctx: Context) -> Value:
    req = request(ctx)
    return None if req is None else req.ruri_text


def _ouri_part(part: Callable[[URI], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        req = request(ctx)
        return None if req is None else part(req.ruri)

    return get


_plain("ou", _ou)
_plain("ouri", _ou)
_plain("oU", _ouri_part(lambda u: _none_if_empty(uri_user(u))))
_plain("od", _ouri_part(lambda u: _none_if_empty(uri_host(u))))
_plain("op", _ouri_part(_rp))
_plain("oP", _ouri_part(lambda u: uri_transport(u) or "udp"))


# --- first line, method, reply status -----------------------------------------------------------


def _rm(ctx: Context) -> Value:
    msg = message(ctx)
    if isinstance(msg, SIPRequest):
        return msg.method
    if msg is None:
        return None
    cseq = msg.cseq
    return None if cseq is None else cseq.method


def _reply_part(part: Callable[[SIPResponse], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        msg = ctx.msg
        return part(msg) if isinstance(msg, SIPResponse) else None

    return get


_plain("rm", _rm)
_plain("rs", _reply_part(lambda r: str(r.status_code)))
_plain("rsi", _reply_part(lambda r: r.status_code))
_plain("rr", _reply_part(lambda r: r.reason))
_plain("rv", lambda ctx: m.version if (m := message(ctx)) is not None and isinstance(
    m, (SIPRequest, SIPResponse)) else None)
_plain("mt", lambda ctx: None if (m := message(ctx)) is None else (1 if m.is_request else 2))
_plain("mts", lambda ctx: None if (m := message(ctx)) is None else (
    "request" if m.is_request else "reply"))


# --- whole-message values ---------------------------------------------------------------------


def _msg_part(part: Callable[[SIPMessage], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        msg = message(ctx)
        return None if msg is None else part(msg)

    return get


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


_plain("mb", _msg_part(lambda m: _text(m.raw)))
_plain("mbu", _msg_part(lambda m: _text(m.serialize())))
_plain("ml", _msg_part(lambda m: len(m.raw)))
_plain("rb", _msg_part(lambda m: _text(m.body) if m.body else None))
_plain("bs", _msg_part(lambda m: len(m.body)))
_plain("ci", _msg_part(lambda m: m.call_id))
_plain("cs", _msg_part(lambda m: None if m.cseq is None else m.cseq.number))
_plain("csb", _msg_part(lambda m: m.header("cseq")))
_plain("cl", _msg_part(lambda m: m.content_length))
_plain("cT", _msg_part(lambda m: m.content_type))
_plain("ct", _msg_part(lambda m: m.header("contact")))
_plain("ua", _msg_part(lambda m: m.header("user-agent")))
_plain("mi", _msg_part(lambda m: id(m) & 0x7FFFFFFF))  # unique while the message lives
_plain("pp", lambda ctx: os.getpid())


# --- From / To ---------------------------------------------------------------------------------


def _addr(name: str, part: Callable[[str, NameAddr], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        msg = message(ctx)
        if msg is None:
            return None
        text = msg.header(name)
        if text is None:
            return None
        na = msg.from_ if name == "from" else msg.to if name == "to" else try_name_addr(text)
        return None if na is None else part(text, na)

    return get


def _uri_of(text: str, na: NameAddr) -> Value:
    lt, gt = text.find("<"), text.rfind(">")
    return text[lt + 1:gt].strip() if 0 <= lt < gt else str(na.uri)


def _addr_uri_part(part: Callable[[URI], str]) -> Callable[[str, NameAddr], Value]:
    return lambda text, na: _none_if_empty(part(na.uri))


def _split_addr(text: str) -> tuple[str, str, str]:
    """(display part, URI, rest) of a name-addr value as written."""
    lt = text.find("<")
    if lt >= 0:
        gt = text.find(">", lt)
        if gt > lt:
            return text[:lt].strip(" \t"), text[lt + 1:gt].strip(" \t"), text[gt + 1:]
    semi = text.find(";")
    if semi < 0:
        return "", text.strip(" \t"), ""
    return "", text[:semi].strip(" \t"), text[semi:]


def _join_addr(display: str, uri: str, rest: str) -> str:
    return (f"{display} <{uri}>" if display else f"<{uri}>") + rest


def _addr_setter(name: str, what: str,
                 change: Callable[[str, str, str, Value], tuple[str, str, str]]) -> Setter:
    """A From/To setter: `change(display, uri, rest, value)` gives the new three parts; the
    header is rewritten from its current (maybe already edited) value."""

    def set_(ctx: Context, v: Value) -> None:
        msg = message(ctx)
        if msg is None:
            ctx.log.error("%s: no SIP message", what)
            return
        text = current_header(msg, name)
        if text is None:
            ctx.log.error("%s: the message has no %s header", what, name.capitalize())
            return
        try:
            display, uri, rest = change(*_split_addr(text), v)
            msg.replace_header(name, _join_addr(display, uri, rest))
        except (SIPError, ValueError) as exc:
            ctx.log.error("%s: %s", what, exc)

    return set_


def _new_uri(display: str, uri: str, rest: str, v: Value) -> tuple[str, str, str]:
    if v is None or try_uri(to_str(v)) is None:
        raise LocalSIPError(f"not a URI: {to_str(v)!r}")
    return display, to_str(v), rest


def _uri_change(**what: bool) -> Callable[[str, str, str, Value], tuple[str, str, str]]:
    def change(display: str, uri: str, rest: str, v: Value) -> tuple[str, str, str]:
        parsed = try_uri(uri)
        if not isinstance(parsed, SipURI):
            raise LocalSIPError(f"not a SIP URI: {uri!r}")
        if what.get("user"):
            new = parsed.replace(user=None if v is None or v == "" else to_str(v))
        else:
            if v is None or v == "":
                raise LocalSIPError("the host cannot be empty")
            new = parsed.replace(host=to_str(v))
        return display, str(new), rest

    return change


def _new_display(display: str, uri: str, rest: str, v: Value) -> tuple[str, str, str]:
    if v is None or v == "":
        return "", uri, rest
    text = to_str(v)
    return (text if text.startswith('"') else quote(text)), uri, rest


for _hname, _p in (("from", "f"), ("to", "t")):
    for _n in (f"{_p}u", "from" if _hname == "from" else "to"):
        _plain(_n, _addr(_hname, _uri_of), _addr_setter(_hname, f"${_n}", _new_uri))
    for _n in (f"{_p}U", f"{_hname}.user"):
        _plain(_n, _addr(_hname, _addr_uri_part(uri_user)),
               _addr_setter(_hname, f"${_n}", _uri_change(user=True)))
    for _n in (f"{_p}d", f"{_hname}.domain"):
        _plain(_n, _addr(_hname, _addr_uri_part(uri_host)),
               _addr_setter(_hname, f"${_n}", _uri_change(host=True)))
    _plain(f"{_p}n", _addr(_hname, lambda text, na: _none_if_empty(raw_display(text))),
           _addr_setter(_hname, f"${_p}n", _new_display))
    _plain(f"{_p}t", _addr(_hname, lambda text, na: na.tag))
    _plain(f"{_p}Ul", _addr(_hname, lambda text, na: len(uri_user(na.uri))))


def _hdr_uri(name: str, part: Callable[[URI], Value] | None = None) -> Getter:
    """The URI of the first `name` header (P-Asserted-Identity, Diversion ...), or a part."""

    def get(ctx: Context) -> Value:
        msg = message(ctx)
        text = None if msg is None else msg.header(name)
        if text is None:
            return None
        first = text.split(",")[0] if "<" not in text else text[:text.find(">") + 1]
        na = try_name_addr(first)
        if na is None:
            raise LocalSIPError(f"cannot parse the {name} header")
        return _uri_of(first.strip(), na) if part is None else part(na.uri)

    return get


_plain("ai", _hdr_uri("p-asserted-identity"))
_plain("pu", _hdr_uri("p-preferred-identity"))
_plain("pU", _hdr_uri("p-preferred-identity", lambda u: _none_if_empty(uri_user(u))))
_plain("pd", _hdr_uri("p-preferred-identity", lambda u: _none_if_empty(uri_host(u))))
_plain("pn", _msg_part(lambda m: _none_if_empty(raw_display(m.header("p-preferred-identity")
                                                            or ""))))
_plain("di", _hdr_uri("diversion"))
_plain("re", _hdr_uri("remote-party-id"))
_plain("rt", _hdr_uri("refer-to"))


# --- credentials ($au $ar $ad $aU $adu) --------------------------------------------------------

_DIGEST_PARAM = re.compile(r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^,\s]+)')


def credentials(msg: SIPMessage) -> dict[str, str] | None:
    """The digest parameters of the credentials (Authorization for REGISTER and PUBLISH, else
    Proxy-Authorization; the other one when that is absent), names lower-cased."""
    method = msg.method if isinstance(msg, SIPRequest) else ""
    order = ("authorization", "proxy-authorization")
    if method not in ("REGISTER", "PUBLISH"):
        order = order[::-1]
    text = next((t for t in (msg.header(h) for h in order) if t), None)
    if text is None:
        return None
    scheme, _, rest = text.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    out = {}
    for m in _DIGEST_PARAM.finditer(rest):
        value = m.group(2)
        out[m.group(1).lower()] = value[1:-1] if value.startswith('"') else value
    return out


def _auth(part: Callable[[dict[str, str]], str | None]) -> Getter:
    def get(ctx: Context) -> Value:
        msg = message(ctx)
        cred = None if msg is None else credentials(msg)
        return None if cred is None else part(cred)

    return get


_plain("aU", _auth(lambda c: c.get("username")))
_plain("au", _auth(lambda c: c["username"].partition("@")[0] if "username" in c else None))
_plain("ad", _auth(lambda c: c["username"].partition("@")[2] or None if "username" in c
                   else None))
_plain("ar", _auth(lambda c: c.get("realm")))
_plain("adu", _auth(lambda c: c.get("uri")))
_plain("adn", _auth(lambda c: c.get("nonce")))
_plain("adr", _auth(lambda c: c.get("response")))


# --- $hdr(Name), $hdrc(Name) ------------------------------------------------------------------


def _hdr(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)
    kind = index.kind

    def get(ctx: Context) -> Value:
        msg = message(ctx)
        if msg is None:
            return None
        if kind == "none":
            return msg.header(name)
        values = msg.header_all(name)
        if not values:
            return None
        if kind == "all":
            return ",".join(values)
        i = index.resolve(ctx)
        if i < 0:
            i += len(values)
        return values[i] if 0 <= i < len(values) else None

    return safe(f"$hdr({name})", get), None


def _hdrc(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)

    def get(ctx: Context) -> Value:
        msg = message(ctx)
        return 0 if msg is None else msg.header_count(name)

    return get, None


register_pv_class("hdr", _hdr)
register_pv_class("hdrc", _hdrc)


# --- receive info ------------------------------------------------------------------------------


def _rcv(part: Callable[[SipState], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        sip = ctx.sip
        return None if sip is None else part(sip)

    return get


def _bracketed(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


for _n in ("si", "src_ip"):
    _plain(_n, _rcv(lambda s: s.rcv.src_ip))
_plain("siz", _rcv(lambda s: _bracketed(s.rcv.src_ip)))
_plain("sp", _rcv(lambda s: s.rcv.src_port))
for _n in ("pr", "proto"):
    _plain(_n, _rcv(lambda s: s.rcv.proto.lower()))
_plain("Ri", _rcv(lambda s: s.rcv.socket.ip))
_plain("Rp", _rcv(lambda s: s.rcv.socket.port))
_plain("Ru", _rcv(lambda s: f"sip:{_bracketed(s.rcv.socket.ip)}:{s.rcv.socket.port}"))
_plain("Rut", _rcv(lambda s: f"sip:{_bracketed(s.rcv.socket.ip)}:{s.rcv.socket.port}"
                   f";transport={s.rcv.proto.lower()}"))
_plain("RAi", _rcv(lambda s: s.rcv.socket.via_host))
_plain("RAp", _rcv(lambda s: s.rcv.socket.via_port))
_plain("su", _rcv(lambda s: f"sip:{_bracketed(s.rcv.src_ip)}:{s.rcv.src_port}"))
_plain("sut", _rcv(lambda s: f"sip:{_bracketed(s.rcv.src_ip)}:{s.rcv.src_port}"
                   f";transport={s.rcv.proto.lower()}"))
_plain("conid", _rcv(lambda s: s.rcv.connection_id))
_plain("fs", _rcv(lambda s: None if s.force_socket is None else str(s.force_socket)))


# --- destination URI and next hop ----------------------------------------------------------------


def _set_du(ctx: Context, v: Value) -> None:
    sip = ctx.sip
    if sip is None:
        ctx.log.error("$du: no SIP state")
        return
    if v is None or v == "":
        sip.dst_uri = ""
        return
    text = to_str(v)
    if try_uri(text) is None:
        ctx.log.error("$du: not a URI: %r", text)
        return
    sip.dst_uri = text


@assigns_constants(_set_du)
def _set_du_const(v: Value) -> Callable[[Context], int] | None:
    """`$du = "sip:..."`: the URI checked once; a value that is not a URI keeps the setter
    (and its error log at each run)."""
    if v is None or v == "":
        return None
    text = to_str(v)
    if try_uri(text) is None:
        return None

    def set_du_const(ctx: Context) -> int:
        sip = ctx.sip
        if sip is None:
            ctx.log.error("$du: no SIP state")
        else:
            sip.dst_uri = text
        return 1

    return set_du_const


def _du_part(part: Callable[[URI], Value]) -> Getter:
    def get(ctx: Context) -> Value:
        sip = ctx.sip
        if sip is None or not sip.dst_uri:
            return None
        uri = try_uri(sip.dst_uri)
        return None if uri is None else part(uri)

    return get


for _n in ("du", "duri"):
    _plain(_n, _rcv(lambda s: s.dst_uri or None), _set_du)
_plain("dd", _du_part(lambda u: _none_if_empty(uri_host(u))))
_plain("dp", _du_part(uri_default_port))
_plain("dP", _du_part(lambda u: uri_transport(u) or "udp"))


def next_hop(ctx: Context) -> URI | None:
    """Where the request goes next: `$du` when set, else the R-URI. For a reply, the sent-by
    of the second Via as a URI."""
    sip = ctx.sip
    if sip is not None and sip.dst_uri:
        return try_uri(sip.dst_uri)
    msg = message(ctx)
    if isinstance(msg, SIPRequest):
        return msg.new_ruri
    if msg is None:
        return None
    vias = msg.vias
    if len(vias) < 2:
        return None
    via = vias[1]
    port = f":{via.port}" if via.port else ""
    return try_uri(f"sip:{via.host}{port};transport={via.transport.lower()}")


_NH_PARTS: dict[str, Callable[[URI], Value]] = {
    "u": str,
    "U": lambda u: _none_if_empty(uri_user(u)),
    "d": lambda u: _none_if_empty(uri_host(u)),
    "p": lambda u: _none_if_empty(uri_port_text(u)),
    "P": lambda u: _none_if_empty(uri_transport(u)),
}


def _nh(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    what = _need_inner(ref)
    part = _NH_PARTS.get(what)
    if part is None:
        raise PVError(f"$nh({what}): expected u, U, d, p or P")

    def get(ctx: Context) -> Value:
        uri = next_hop(ctx)
        return None if uri is None else part(uri)

    return safe(f"$nh({what})", get), None


register_pv_class("nh", _nh)


# --- flags -------------------------------------------------------------------------------------


def _flags_pv(read: Callable[[Context], int | None], write: Callable[[Context, int], None],
              hexa: bool) -> tuple[Getter, Setter]:
    def get(ctx: Context) -> Value:
        v = read(ctx)
        if v is None:
            return None
        return f"0x{v:08X}" if hexa else v

    def set_(ctx: Context, v: Value) -> None:
        write(ctx, to_int(v) & 0xFFFFFFFF)

    return get, set_


def _set_bflags(ctx: Context, v: int) -> None:
    ctx.bflags = v


def _set_flags(ctx: Context, v: int) -> None:
    ctx.flags = v


def _read_sflags(ctx: Context) -> int | None:
    return None if ctx.sip is None else marks(ctx.sip).sflags


def _set_sflags(ctx: Context, v: int) -> None:
    if ctx.sip is None:
        ctx.log.error("$sf: script flags need the SIP state")
        return
    marks(ctx.sip).sflags = v


for _n, _read, _write in (("b", lambda c: c.bflags, _set_bflags),
                          ("s", _read_sflags, _set_sflags),
                          ("m", lambda c: c.flags, _set_flags)):
    for _hexa in (False, True):
        _g, _s = _flags_pv(_read, _write, _hexa)
        _plain(f"{_n}{'F' if _hexa else 'f'}", _g, _s)


# --- branches ----------------------------------------------------------------------------------


def branches(ctx: Context) -> list[Branch]:
    """The additional branches (not branch 0, the R-URI); empty without SIP state."""
    return [] if ctx.sip is None else ctx.sip.branches


def q_text(q: int) -> str:
    """Kamailio's q2str: 1000 -> "1", 500 -> "0.5"."""
    return f"{q / 1000:g}"


def parse_q(v: Value) -> int:
    """A q value given as an int 0..1000, or as "0.5"; ValueError when out of range."""
    q = v if isinstance(v, int) else round(float(to_str(v).strip()) * 1000)
    if not -1 <= q <= 1000:
        raise ValueError(f"q value {to_str(v)} out of range")
    return q


def _dset(ctx: Context) -> Value:
    items = []
    if (uri := _ru(ctx)) is not None:
        q = ctx.sip.ruri_q if ctx.sip is not None else -1
        items.append(f"<{uri}>" + (f";q={q_text(q)}" if q >= 0 else ""))
    for b in branches(ctx):
        items.append(f"<{b.uri}>" + (f";q={q_text(b.q)}" if b.q >= 0 else ""))
    return ", ".join(items) if len(items) > 1 else None


def _append_branch_uri(ctx: Context, v: Value) -> None:
    if ctx.sip is None:
        ctx.log.error("$br: no SIP state")
        return
    if v is None:
        ctx.sip.branches.clear()
        return
    ctx.sip.branches.append(Branch(to_str(v)))


_plain("ds", _dset)
_plain("br", lambda ctx: b[0].uri if (b := branches(ctx)) else None, _append_branch_uri)


def _branch_uris(ctx: Context) -> Value:
    # As Kamailio 5.6 prints $bR: a branch with a q value bracketed with it, else bare
    # ("<sip:b@host>;q=0.5, sip:c@host")
    bs = branches(ctx)
    if not bs:
        return None
    return ", ".join(f"<{b.uri}>;q={q_text(b.q)}" if b.q >= 0 else b.uri for b in bs)


_plain("bR", _branch_uris)


_BRANCH_ATTRS = ("uri", "dst_uri", "path", "q", "send_socket", "flags", "count")


def _branch_get(attr: str, b: Branch) -> Value:
    if attr == "q":
        return None if b.q < 0 else b.q
    if attr == "flags":
        return b.flags
    value: str = getattr(b, attr)
    return value or None


def _branch_set(attr: str, b: Branch, v: Value) -> None:
    if attr == "q":
        b.q = -1 if v is None else parse_q(v)
    elif attr == "flags":
        b.flags = to_int(v) & 0xFFFFFFFF
    else:
        setattr(b, attr, "" if v is None else to_str(v))


def _branch(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    attr = _need_inner(ref)
    if attr not in _BRANCH_ATTRS:
        raise PVError(f"$branch({attr}): expected one of {', '.join(_BRANCH_ATTRS)}")
    if attr == "count":
        return (lambda ctx: len(branches(ctx))), None

    def get(ctx: Context) -> Value:
        bs = branches(ctx)
        i = index.resolve(ctx)
        if i < 0:
            i += len(bs)
        return _branch_get(attr, bs[i]) if 0 <= i < len(bs) else None

    def set_(ctx: Context, v: Value) -> None:
        bs = branches(ctx)
        i = index.resolve(ctx)
        if i < 0:
            i += len(bs)
        if not 0 <= i < len(bs):
            ctx.log.error("$branch(%s): no branch at index %d", attr, index.resolve(ctx))
            return
        if attr == "uri" and v is None:
            del bs[i]  # `$branch(uri)[i] = $null` drops the branch
            return
        try:
            _branch_set(attr, bs[i], v)
        except ValueError as exc:
            ctx.log.error("$branch(%s): %s", attr, exc)

    return get, set_


register_pv_class("branch", _branch)


# --- environment, time ------------------------------------------------------------------------


def _env(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)
    return (lambda ctx: os.environ.get(name)), None


def _envn(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)
    return (lambda ctx: None if (v := os.environ.get(name)) is None else to_int(v)), None


register_pv_class("env", _env)
register_pv_class("envn", _envn)
_plain("Tf", lambda ctx: _time.ctime(ctx.msg_time))
_plain("TF", lambda ctx: _time.ctime(ctx.now()))
_plain("TS", lambda ctx: int(ctx.now()))
_plain("true", lambda ctx: 1)


# --- old-style keywords, myself, selects ---------------------------------------------------------

# Kamailio's PROTO_* and AF_* numbers, as the keywords `proto` and `af` compare them.
PROTO_NUMBERS = {"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}


def _host_port_of(v: Value) -> tuple[str, int | None] | None:
    """Host and port of a URI, `host[:port]` or IP, for the `myself` test."""
    text = to_str(v).strip()
    if not text:
        return None
    uri = try_uri(text) if ":" in text and not text[0].isdigit() and not text.startswith(
        "[") else None
    if uri is not None:
        return (uri_host(uri), uri.port if isinstance(uri, SipURI) else None) if uri_host(
            uri) else None
    if text.startswith("["):
        host, _, port = text.partition("]")
        return host + "]", int(port[1:]) if port.startswith(":") and port[1:].isdigit() else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, int(port) if port.isdigit() else None
    return text, None


def is_myself(ctx: Context, v: Value) -> bool:
    """Kamailio's check_self: is the URI/host one of our addresses or aliases?"""
    sip = ctx.sip
    if sip is None:
        return False
    hp = _host_port_of(v)
    return hp is not None and sip.is_myself(hp[0], hp[1])


def is_myself_uri(ctx: Context, uri: SipURI) -> bool:
    """`is_myself` for a parsed SIP URI, without writing it out and parsing it again."""
    sip = ctx.sip
    return sip is not None and bool(uri.host) and sip.is_myself(uri.host, uri.port)


register_myself(is_myself)

_KEYWORDS: dict[str, Getter] = {
    "method": _rm,
    "uri": _ru,
    "status": _reply_part(lambda r: str(r.status_code)),
    "from_uri": _addr("from", _uri_of),
    "to_uri": _addr("to", _uri_of),
    "src_ip": _rcv(lambda s: s.rcv.src_ip),
    "src_port": _rcv(lambda s: s.rcv.src_port),
    "dst_ip": _rcv(lambda s: s.rcv.socket.ip),
    "dst_port": _rcv(lambda s: s.rcv.socket.port),
    "proto": _rcv(lambda s: PROTO_NUMBERS.get(s.rcv.proto.lower(), 0)),
    "af": _rcv(lambda s: 10 if ":" in s.rcv.src_ip else 2),
    "msg:len": _msg_part(lambda m: len(m.raw)),
}
for _n, _get in _KEYWORDS.items():
    register_keyword(_n, safe(_n, _get))


def _unavailable(text: str) -> Getter:
    def get(ctx: Context) -> Value:
        ctx.log.error("select %s is not available", text)
        return None

    return get


def _select_from_to(text: str) -> Getter:
    """`@from`, `@from.uri`, `@from.tag`, `@from.name`, `@from.uri.user` ... (and `@to`)."""
    parts = text.lstrip("@").split(".")
    hdr = parts[0]
    rest = ".".join(parts[1:])
    pieces: dict[str, Callable[[str, NameAddr], Value]] = {
        "": lambda t, na: t,
        "uri": _uri_of,
        "tag": lambda t, na: na.tag,
        "name": lambda t, na: _none_if_empty(raw_display(t)),
        "uri.user": _addr_uri_part(uri_user),
        "uri.host": _addr_uri_part(uri_host),
        "uri.port": _addr_uri_part(uri_port_text),
    }
    piece = pieces.get(rest)
    if piece is None:
        return _unavailable(text)
    return safe(text, _addr(hdr, piece))


def _select_ruri(text: str) -> Getter:
    rest = text.lstrip("@").partition(".")[2]
    pieces: dict[str, Getter] = {
        "": _ru,
        "user": _ruri_part(lambda u: _none_if_empty(uri_user(u))),
        "host": _ruri_part(lambda u: _none_if_empty(uri_host(u))),
        "port": _ruri_part(lambda u: _none_if_empty(uri_port_text(u))),
    }
    got = pieces.get(rest)
    if got is None:
        return _unavailable(text)
    return safe(text, got)


register_select("from", _select_from_to)
register_select("to", _select_from_to)
register_select("ruri", _select_ruri)
register_select("call_id", lambda text: _msg_part(lambda m: m.call_id))
register_select("method", lambda text: _rm)
