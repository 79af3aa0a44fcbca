"""Stateless forwarding: `forward()`, `send()` and the replies going back upstream.

A request goes to the host:port given to the action, else to `$du`, else to the R-URI (its
`transport` parameter or `sips` choosing the protocol). On the way: Max-Forwards 0 is refused
(483, RFC 3261 s16.3), a destination that is one of our own sockets is a loop (refused with
483: forwarding it would only come back until Max-Forwards ran out), the sender's Via gets
`received`/`rport` (always over TCP/TLS, so replies find the connection again), and our Via
goes on top with a branch that is the same for retransmissions (RFC 3261 s16.11). Then
`onsend_route` may drop it. A reply loses our top Via and goes where the next Via says.

Failures set Kamailio's error status on the message, so `sl_reply_error()` answers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple, Protocol

from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sipstate import SipState, SocketInfo
from siprouter.core.sip import (
    BRANCH_MAGIC,
    SIPError,
    SIPRequest,
    SIPResponse,
    SipURI,
    build_via,
    fill_received_rport,
    parse_uri,
    parse_via,
    reply_target,
)
from siprouter.core.sip.branch import branch_suffix, stateless_branch_with
from siprouter.core.sip.forwarding import via_reply_target
from siprouter.core.transport.listen import ListenError, is_ip, split_host_port

from .identity import LocalIdentity
from .via_pop import sent_by

log = logging.getLogger("siprouter.core")

STREAM_PROTOS = ("tcp", "tls")

# Kamailio's error codes as reply status and reason (error.c, err2reason_phrase).
E_BAD_URI = (400, "Regretfully, we were not able to process the URI")
E_SEND = (477, "Unfortunately error on sending to next hop occurred")
E_BAD_ADDRESS = (478, "Unresolvable destination")
E_TOO_MANY_HOPS = (483, "Too Many Hops")
E_LOOP = (483, "Too Many Hops")
E_UNSPEC = (500, "Server Internal Error")


class SendTransport(Protocol):
    """What forwarding needs from the transports (core/transport's `Transports`)."""

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool: ...

    def socket_for(self, proto: str, ip: str) -> SocketInfo | None: ...


class Hop(NamedTuple):
    """A next hop: protocol, host (an address or a name to resolve), port."""

    proto: str
    host: str
    port: int


Error = tuple[int, str]

_SEND_FAILED = -2  # relay_reply: the transport could not send (E_SEND for the script)


class Prepared(NamedTuple):
    """A request ready to go: where to, through which of our sockets, and its octets."""

    hop: Hop
    socket: SocketInfo
    data: bytes


def force_rport(sip: SipState) -> bool:
    """Did the script ask for rport on the received Via (force_rport())?"""
    return sip.force_rport


def _fail(sip: SipState, error: tuple[int, str]) -> int:
    sip.error_status, sip.error_reason = error
    return -1


_CRLF = b"\r\n"
_RPORT_CRLF = b";rport\r\n"


class StatelessForwarder:
    """Implements the runtime's `Forwarder` over the worker's transports."""

    def __init__(self, transports: SendTransport, identity: LocalIdentity, *,
                 onsend: Callable[[Context], bool] | None = None, secret: str = "") -> None:
        self.transports = transports
        self.identity = identity
        self.onsend = onsend
        self.secret = secret
        # Sends stateless replies (set by the worker: the responder needs the transports too).
        self.replier: Callable[[Context, int, str, list[str] | None], bool] | None = None
        self._via_heads: dict[tuple[str, SocketInfo], str] = {}
        # id(socket) -> (socket, proto, b"Via: " + the head)
        self._via_starts: dict[int, tuple[SocketInfo, str, bytes]] = {}
        self._our_heads: tuple[str, ...] = ()  # the heads of our Vias that is_myself accepts
        for sock in identity.sockets:  # known before any reply comes back
            try:
                self._via_head(sock.proto, sock)
            except SIPError:
                pass
        self._hops: dict[tuple[str | None, str, int | None], Hop | Error] = {}
        self._uri_hops: dict[tuple[str, str | None], Hop | Error] = {}  # see _next_hop
        self._hop_info: dict[Hop, tuple[bool, bool, bytes]] = {}

    # --- destinations -----------------------------------------------------------------------

    def _next_hop(self, ctx: Context, proto: str | None, host: str | None,
                  port: int | None) -> Hop | Error:
        """(proto, host, port) to send to, or the error to fail with."""
        msg = ctx.msg
        sip = ctx.sip
        assert isinstance(msg, SIPRequest) and sip is not None
        if host:
            # forward(host, port) is nearly always called with the script's constants: the
            # hop depends on the arguments alone, so it is worked out once per argument set.
            key = (proto, host, port)
            hop = self._hops.get(key)
            if hop is None:
                hop = self._hop_of(proto, host, port)
                if len(self._hops) >= 1024:
                    self._hops.clear()
                self._hops[key] = hop
            return hop
        uri = sip.dst_uri
        if not uri:
            try:
                uri = msg.new_ruri
            except SIPError:
                return E_BAD_URI
        return self._hop_for_uri(uri, proto)

    def _hop_for_uri(self, uri: object, proto: str | None) -> Hop | Error:
        """`_uri_hop`, kept per URI text: a hop depends on the text alone ($du as written, a
        parsed URI's text), and the same few next hops come back all the time."""
        text = uri if uri.__class__ is str else getattr(uri, "text", None)
        if text is None:  # a URI changed by the script: no text to know it by
            return self._uri_hop(uri, proto)
        hop = self._uri_hops.get((text, proto))
        if hop is None:
            hop = self._uri_hop(uri, proto)
            if len(self._uri_hops) >= 1024:
                self._uri_hops.clear()
            self._uri_hops[(text, proto)] = hop
        return hop

    def _hop_of(self, proto: str | None, host: str, port: int | None) -> Hop | Error:
        """The hop for explicit forward() arguments (a URI, or host[:port])."""
        if host.lower().startswith(("sip:", "sips:")):
            return self._uri_hop(host, proto)
        try:
            hp = split_host_port(host)
        except ListenError:
            return E_BAD_URI
        chosen = proto or "udp"
        return Hop(chosen, hp.host, port or hp.port or (5061 if chosen == "tls" else 5060))

    @staticmethod
    def _uri_hop(uri: object, proto: str | None) -> Hop | Error:
        if isinstance(uri, str):
            try:
                uri = parse_uri(uri)
            except SIPError:
                return E_BAD_URI
        if not isinstance(uri, SipURI):
            return E_BAD_URI
        transport = (uri.params.get("transport") or "").lower()
        chosen = proto or transport or ("tls" if uri.scheme == "sips" else "udp")
        if chosen not in ("udp", "tcp", "tls"):
            return E_BAD_URI
        host = uri.host[1:-1] if uri.host.startswith("[") else uri.host
        return Hop(chosen, host, uri.port or (5061 if chosen == "tls" else 5060))

    # --- Forwarder ----------------------------------------------------------------------------

    def forward(self, ctx: Context, proto: str | None = None, host: str | None = None,
                port: int | None = None) -> int:
        """Forward the request statelessly; see the module docstring."""
        msg, sip = ctx.msg, ctx.sip
        if sip is None or not isinstance(msg, SIPRequest):
            if isinstance(msg, SIPResponse) and sip is not None:
                return self.forward_reply(ctx)
            return -1
        prepared = self._prepare(ctx, proto, host, port, None)
        if len(prepared) == 2:
            return _fail(sip, prepared)
        hop, sock, data = prepared
        return self._send(ctx, *hop, data, sock)

    def prepare(self, ctx: Context, proto: str | None = None, host: str | None = None,
                port: int | None = None, *, branch: str | None = None) -> Prepared | Error:
        """The next hop, our socket and the octets of the request with our Via on top, or the
        error to fail with. `branch` is the Via branch; by default the stateless one (the
        same for retransmissions); tm gives a fresh one per client transaction."""
        prepared = self._prepare(ctx, proto, host, port, branch)
        if len(prepared) == 2:
            return prepared
        return Prepared(*prepared)

    def _prepare(self, ctx: Context, proto: str | None, host: str | None, port: int | None,
                 branch: str | None) -> tuple[Hop, SocketInfo, bytes] | Error:
        """`prepare` as a plain tuple (no NamedTuple to make on forward()'s path)."""
        msg, sip = ctx.msg, ctx.sip
        assert isinstance(msg, SIPRequest) and sip is not None
        # forward(host, port) with the script's constants, or $du / the R-URI as received:
        # the hop worked out before (_next_hop's answer, without its calls)
        if host:
            hop = self._hops.get((proto, host, port))
        else:
            text = sip.dst_uri or msg.ruri_text_as_sent
            hop = self._uri_hops.get((text, proto)) if text else None
        if hop is None:
            hop = self._next_hop(ctx, proto, host, port)
        if not isinstance(hop, Hop):
            return hop
        proto, host, port = hop
        try:
            if msg.max_forwards == 0:
                log.info("not forwarding %s %s: Max-Forwards is 0", msg.method, msg.ruri_text)
                return E_TOO_MANY_HOPS
        except SIPError:
            return E_UNSPEC
        info = self._hop_info.get(hop)
        if info is None:
            info = self._hop_info_of(hop)
        numeric, loop, suffix = info
        if loop:
            log.error("loop: %s %s would be forwarded to ourselves (%s:%s:%d)", msg.method,
                      msg.ruri_text, proto, host, port)
            return E_LOOP
        forced = sip.force_socket
        sock = forced if forced is not None and forced.proto == proto else \
            self.transports.socket_for(proto, host if numeric else "0.0.0.0")
        if sock is None:
            log.error("no %s socket to forward to %s:%d", proto, host, port)
            return E_SEND
        rcv = sip.rcv
        try:
            force = sip.force_rport or rcv.proto in STREAM_PROTOS
            via = msg.top_via
            # Nothing to record (fill_received_rport's first test, without its call): no
            # rport asked for or forced, and the sent-by is the source address as written.
            if via is None or force or "rport" in via.params or via.host != rcv.src_ip:
                fill_received_rport(msg, rcv.src_ip, rcv.src_port, force_rport=force)
            if branch is None:  # hashes the top Via as received (`via`), not as filled
                branch = stateless_branch_with(msg, suffix, via)
            # Our Via's head per socket, found by the socket's identity (hashing a
            # SocketInfo runs its dataclass __hash__); the socket is kept to check it.
            via_start = self._via_starts.get(id(sock))
            if via_start is not None and via_start[0] is sock and via_start[1] == proto:
                head = via_start[2]
            else:
                head = ("Via: " + self._via_head(proto, sock)).encode()
                if len(self._via_starts) >= 64:
                    self._via_starts.clear()
                self._via_starts[id(sock)] = (sock, proto, head)
            marks = sip.marks
            line = b"".join((head, branch.encode(),
                             _RPORT_CRLF if marks is not None and marks.local_rport else _CRLF))
            # Our Via goes first among the headers: above every other Via, which is all that
            # ordering rules ask (RFC 3261 s7.3.1); no need to find where the Vias are.
            data = msg.serialize_with_first_line(line)
        except SIPError as exc:
            log.error("cannot forward %s: %s", msg.method, exc.detail)
            return E_UNSPEC
        return hop, sock, data

    def _hop_info_of(self, hop: Hop) -> tuple[bool, bool, bytes]:
        """What prepare() needs to know of a next hop, worked out once per hop: is its host
        an address, is it one of our own sockets (a loop), and the branch hash's suffix."""
        proto, host, port = hop
        numeric = is_ip(host)
        loop = numeric and self.identity.is_listen_address(proto, host, port)
        info = (numeric, loop, branch_suffix(f"{proto}:{host}:{port}", self.secret))
        if len(self._hop_info) >= 1024:
            self._hop_info.clear()
        self._hop_info[hop] = info
        return info

    def send(self, ctx: Context, proto: str, host: str | None = None,
             port: int | None = None) -> int:
        """Send the message as it is (3.1 `send()`/`send_tcp()`): no Via of ours."""
        msg, sip = ctx.msg, ctx.sip
        if sip is None or not isinstance(msg, SIPRequest | SIPResponse):
            return -1
        if isinstance(msg, SIPRequest):
            hop = self._next_hop(ctx, proto, host, port)
        elif host:
            try:
                hp = split_host_port(host)
            except ListenError:
                return _fail(sip, E_BAD_URI)
            hop = Hop(proto, hp.host, port or hp.port or 5060)
        else:
            return _fail(sip, E_BAD_URI)
        if not isinstance(hop, Hop):
            return _fail(sip, hop)
        return self._send(ctx, hop.proto, hop.host, hop.port, msg.serialize(),
                          sip.force_socket)

    def send_prepared(self, ctx: Context, prepared: Prepared) -> int:
        """Send what `prepare` built (through onsend_route), as forward() does."""
        return self._send(ctx, *prepared.hop, prepared.data, prepared.socket)

    def _send(self, ctx: Context, proto: str, host: str, port: int, data: bytes,
              sock: SocketInfo | None) -> int:
        sip = ctx.sip
        assert sip is not None
        if self.onsend is not None and not self.onsend(ctx):
            log.debug("onsend_route dropped the message to %s:%s:%d", proto, host, port)
            return -1
        if not self.transports.send(proto, host, port, data, sock,
                                    no_connect=sip.forward_no_connect):
            return _fail(sip, E_SEND)
        sip.forwarded = True
        return 1

    def forward_reply(self, ctx: Context) -> int:
        """Send the reply on to the next Via, after checking the top one is ours and taking
        it off (a reply whose top Via is not ours is dropped: RFC 4475 bcast)."""
        msg, sip = ctx.msg, ctx.sip
        if sip is None or not isinstance(msg, SIPResponse):
            return -1
        ret = self.relay_reply(msg)
        if ret == _SEND_FAILED:
            return _fail(sip, E_SEND)
        if ret > 0:
            sip.forwarded = True
        return ret

    def relay_reply(self, msg: SIPResponse) -> int:
        """`forward_reply` without a script around it: 1 when sent, -1 when dropped, -2 when
        the send failed. The receive path calls this directly when no route and no module
        looks at replies, so that a relayed reply needs no Context or SipState."""
        # Our Via cut off the octets as received (None: edits or a layout for the general path).
        split = msg.split_top_via()
        if split is not None:
            return self._forward_popped(msg, *split)
        try:
            vias = msg.vias
        except SIPError as exc:
            log.info("dropping reply with a bad Via: %s", exc.detail)
            return -1
        if not vias or not self.identity.is_myself(vias[0].host, vias[0].port or
                                                     vias[0].default_port):
            log.debug("dropping reply %d: top Via is not ours", msg.status_code)
            return -1
        if len(vias) < 2:
            log.debug("dropping reply %d: it was for us (one Via)", msg.status_code)
            return -1
        msg.remove_header_value("via", 0)
        target = reply_target(vias[1])
        proto = target.transport.lower()
        if proto not in ("udp", "tcp", "tls"):
            log.info("dropping reply %d: cannot send over %s", msg.status_code, proto)
            return -1
        data = msg.serialize()
        if not self.transports.send(proto, target.host, target.port, data, None,
                                    no_connect=False):
            return _SEND_FAILED
        return 1

    def _forward_popped(self, msg: SIPResponse, top: str, second: str | None,
                        data: bytes) -> int:
        # A top Via that starts as the ones we write (`SIP/2.0/UDP our-addr:port;branch=`)
        # is ours without looking further; anything else is parsed and compared.
        mine = top.startswith(self._our_heads)
        try:
            ours = None if mine else sent_by(top)
            if not mine and ours is None:
                via = parse_via(top)
                ours = (via.host, via.port or via.default_port)
            target = via_reply_target(second) if second else None
        except SIPError as exc:
            log.info("dropping reply %d with a bad Via: %s", msg.status_code, exc.detail)
            return -1
        if not mine and ours is not None and not self.identity.is_myself(ours[0],
                                                                         ours[1] or 5060):
            log.debug("dropping reply %d: top Via is not ours", msg.status_code)
            return -1
        if target is None:
            log.debug("dropping reply %d: it was for us (one Via)", msg.status_code)
            return -1
        proto = target.transport.lower()
        if proto not in ("udp", "tcp", "tls"):
            log.info("dropping reply %d: cannot send over %s", msg.status_code, proto)
            return -1
        if not self.transports.send(proto, target.host, target.port, data, None,
                                    no_connect=False):
            return _SEND_FAILED
        return 1

    def reply(self, ctx: Context, code: int, reason: str,
              headers: list[str] | None = None) -> bool:
        """A stateless reply to the current request (sl_send_reply)."""
        return self.replier is not None and self.replier(ctx, code, reason, headers)

    def _via_head(self, proto: str, sock: SocketInfo) -> str:
        """`SIP/2.0/UDP host:port;branch=` of our Via through `sock`, built (and checked by
        build_via) once per socket: the per-message part is only the branch."""
        key = (proto, sock)
        head = self._via_heads.get(key)
        if head is None:
            via = str(build_via(proto, sock.via_host, sock.via_port, branch=BRANCH_MAGIC))
            head = via[:via.index(";branch=") + len(";branch=")]
            self._via_heads[key] = head
            # A reply's top Via starting with this head is ours, if the general test agrees.
            found = sent_by(head)
            if found is not None and self.identity.is_myself(found[0], found[1] or 5060):
                self._our_heads += (head,)
        return head

    def find_socket(self, spec: str) -> SocketInfo | None:
        """Our socket named by `[proto:]addr[:port]`."""
        return self.identity.find_socket(spec)
