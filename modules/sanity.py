"""Kamailio's `sanity` module: RFC sanity checks on incoming requests.

`sanity_check([msg_checks[, uri_checks]])` runs the checks whose bits are set (default_checks,
3047) and stops at the first failure. Then, unless `noreply` is set, it answers with Kamailio's
status and reason through the sl module's send_reply() (the server builds and sends the reply);
with `noreply` the reply is kept for `sanity_reply()`. It returns 0 (the script stops) when
`autodrop` is set, else -1. Bits: 1 R-URI SIP version, 2 R-URI scheme, 4 required headers,
32 CSeq method, 64 CSeq number, 128 Content-Length, 256 Expires, 512 Proxy-Require, 1024 URIs
(uri_checks: 1 R-URI, 2 From, 4 To, 8 Contact), 2048/8192 digest credentials, 4096 duplicated
To/From tags, 16384 first Via. Replies are checked for what applies to them and never answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sip_pvs import marks, message
from siprouter.core.runtime.sip_transforms import try_name_addr, try_uri
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.sip import SIPError, SIPMessage, SIPRequest

exports = ModuleExports("sanity", doc="Sanity checks on incoming requests")

# Parameters
exports.param("default_checks", int, 3047, doc="This parameter determines which of the checks from the sanity module are executed if no...")
exports.param("uri_checks", int, 7, doc="This parameter determines which URIs are going to be checked if the 'parse uri' will be...")
exports.param("proxy_require", str, None, doc="This parameter sets the list of supported SIP extensions for this Kamailio.")
exports.param("autodrop", int, 1, doc="This parameter controls whether the module drops the SIP message automatically if the...")
exports.param("noreply", int, 0, doc="If set to 1, then the module does not send a SIP reply internally in case there is an...")

# Functions: declared with their implementation below


@dataclass
class SanitySettings:
    """The module parameters (the server applies modparam values here)."""

    default_checks: int = 3047
    uri_checks: int = 7
    proxy_require: str = ""
    autodrop: int = 1
    noreply: int = 0


settings = SanitySettings()
exports.settings = settings
T = TypeVar("T")


class Failed(Exception):  # noqa: N818 -- a check's verdict, carried to sanity_check
    """A check failed: the status and reason to answer with, and extra reply header lines."""

    def __init__(self, status: int, reason: str, headers: tuple[str, ...] = ()) -> None:
        super().__init__(f"{status} {reason}")
        self.status, self.reason, self.headers = status, reason, headers


def _ruri_version(msg: SIPMessage, uri_checks: int) -> None:
    if isinstance(msg, SIPRequest) and msg.version.upper() != "SIP/2.0":
        raise Failed(505, "Version Not Supported")


def _ruri_scheme(msg: SIPMessage, uri_checks: int) -> None:
    if isinstance(msg, SIPRequest):
        scheme = msg.ruri_text.partition(":")[0].lower()
        if scheme not in ("sip", "sips", "tel", "tels"):
            raise Failed(416, "Unsupported URI Scheme in Request URI")


def _required_headers(msg: SIPMessage, uri_checks: int) -> None:
    if not all(msg.has_header(h) for h in ("to", "from", "cseq", "call-id", "via")):
        raise Failed(400, "Missing Required Header in Request")


def _cseq_method(msg: SIPMessage, uri_checks: int) -> None:
    cseq = _parsed(lambda: msg.cseq, "CSeq")
    if isinstance(msg, SIPRequest) and cseq is not None and cseq.method != msg.method:
        raise Failed(400, "CSeq method does not match request method")


def _cseq_value(msg: SIPMessage, uri_checks: int) -> None:
    text = (msg.header("cseq") or "").split()
    if not text or not text[0].isdigit() or int(text[0]) > 0xFFFFFFFF:
        raise Failed(400, "CSeq number is illegal")


def _content_length(msg: SIPMessage, uri_checks: int) -> None:
    length = _parsed(lambda: msg.content_length, "Content-Length")
    if length is not None and length != len(msg.body):
        raise Failed(400, "Content-Length mis-match")


def _expires(msg: SIPMessage, uri_checks: int) -> None:
    text = msg.header("expires")
    if text is not None and not (text.strip().isdigit() and int(text) <= 0xFFFFFFFF):
        raise Failed(400, "Expires value is illegal")


def _proxy_require(msg: SIPMessage, uri_checks: int) -> None:
    supported = {t.strip().lower() for t in settings.proxy_require.split(",") if t.strip()}
    wanted = [t.strip() for t in msg.header_values("proxy-require") if t.strip()]
    unsupported = [t for t in wanted if t.lower() not in supported]
    if unsupported:
        raise Failed(420, "Bad Extension", (f"Unsupported: {', '.join(unsupported)}",))


def _uris(msg: SIPMessage, uri_checks: int) -> None:
    if uri_checks & 1 and isinstance(msg, SIPRequest) and try_uri(msg.ruri_text) is None:
        raise Failed(400, "Bad Request URI")
    for bit, name, reason in ((2, "from", "Bad From URI"), (4, "to", "Bad To URI")):
        text = msg.header(name)
        if uri_checks & bit and (text is None or try_name_addr(text) is None):
            raise Failed(400, reason)
    if uri_checks & 8 and msg.has_header("contact"):
        try:
            msg.contacts  # noqa: B018 -- parsing is the check
        except SIPError:
            raise Failed(400, "Bad Contact URI") from None


def _digest(msg: SIPMessage, uri_checks: int) -> None:
    for name in ("authorization", "proxy-authorization"):
        for text in msg.header_all(name):
            scheme, _, rest = text.strip().partition(" ")
            if scheme.lower() != "digest":
                continue
            present = {p.split("=")[0].strip().lower() for p in rest.split(",") if "=" in p}
            if not {"username", "realm", "nonce", "uri", "response"} <= present:
                raise Failed(400, "Bad Authorization Header")


def _duplicate_tags(msg: SIPMessage, uri_checks: int) -> None:
    for name in ("from", "to"):
        text = msg.header(name) or ""
        params = text[text.rfind(">") + 1:] if ">" in text else text
        if params.lower().replace(" ", "").count(";tag=") > 1:
            raise Failed(400, "Duplicated To/From tag")


def _first_via(msg: SIPMessage, uri_checks: int) -> None:
    via = _parsed(lambda: msg.top_via, "Via")
    if via is None or not via.host:
        raise Failed(400, "Via header missing or invalid")


def _parsed(get: Callable[[], T], name: str) -> T:
    try:
        return get()
    except SIPError:
        raise Failed(400, f"Bad {name} header") from None


_CHECKS: tuple[tuple[int, Callable[[SIPMessage, int], None]], ...] = (
    (1, _ruri_version), (2, _ruri_scheme), (4, _required_headers), (32, _cseq_method),
    (64, _cseq_value), (128, _content_length), (256, _expires), (512, _proxy_require),
    (1024, _uris), (2048, _digest), (4096, _duplicate_tags), (8192, _digest),
    (16384, _first_via),
)


def check(msg: SIPMessage, msg_checks: int, uri_checks: int) -> Failed | None:
    """The first failing check among `msg_checks`, or None when the message passes."""
    for bit, run in _CHECKS:
        if msg_checks & bit:
            try:
                run(msg, uri_checks)
            except Failed as failed:
                return failed
    return None


def _send(ctx: Context, status: int, reason: str, headers: tuple[str, ...]) -> int:
    """Reply through sl's send_reply (the server's responder)."""
    from siprouter.modules import sl

    if ctx.sip is not None:
        marks(ctx.sip).reply_headers.extend(headers)
    return int(sl.send_reply(ctx, status, reason))


@exports.function("sanity_check", formats=(0, 1), args=(0, 1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function makes a row of sanity checks over the given SIP request.")
def sanity_check(ctx: Context, msg_checks: Value = None, uri_checks: Value = None) -> int:
    """Run the checks; on failure reply (unless noreply) and stop the script (autodrop) or
    return -1."""
    msg = message(ctx)
    if msg is None:
        return -1
    checks = settings.default_checks if msg_checks is None else to_int(msg_checks)
    uris = settings.uri_checks if uri_checks is None else to_int(uri_checks)
    failed = check(msg, checks, uris)
    if failed is None:
        return 1
    ctx.log.info("sanity_check: %s %s (%s)", failed.status, failed.reason, to_str(checks))
    if msg.is_request and not (isinstance(msg, SIPRequest) and msg.method == "ACK"):
        if settings.noreply:
            if ctx.sip is not None:
                marks(ctx.sip).sanity_reply = (failed.status, failed.reason)
                marks(ctx.sip).reply_headers.extend(failed.headers)
        else:
            _send(ctx, failed.status, failed.reason, failed.headers)
    return 0 if settings.autodrop else -1


@exports.function("sanity_reply", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Send a SIP reply using the code and reason text set internally by the module when...")
def sanity_reply(ctx: Context) -> int:
    """Send the reply sanity_check() kept (with noreply set)."""
    kept = None if ctx.sip is None else marks(ctx.sip).sanity_reply
    if kept is None:
        return -1
    return _send(ctx, kept[0], kept[1], ())
