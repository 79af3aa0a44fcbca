"""The receive path: octets from a transport -> parsed message -> the script -> on its way.

Requests: parse; a request that does not parse or fails the core's checks (`checks`) gets the
status its error carries (400, 416, 420, 505, 513 ...) when a reply can be routed, else it is dropped with
one log line; an ACK for one of our stateless replies is absorbed (Kamailio's sl does that
before the script); everything else runs `request_route`. Replies: a valid one runs
`reply_route` (the core `onreply_route`), and unless that drops it, goes upstream by the next
Via. Nothing a peer sends makes this raise: a worker loses at most the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from siprouter.core.exports import RouteType
from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState
from siprouter.core.sip import (
    MAX_MESSAGE_SIZE,
    SIPError,
    SIPRequest,
    SIPResponse,
    parse_message,
    validate_response,
)
from siprouter.core.transport.framing import Broken

from .checks import check_request
from .forward import StatelessForwarder
from .hooks import ReplyHook
from .identity import LocalIdentity
from .replies import ReplyParts, parts_of, salvage_parts
from .responder import Responder

log = logging.getLogger("siprouter.core")

REQUEST_ROUTE = "request_route"
REPLY_ROUTE = "reply_route"
ONSEND_ROUTE = "onsend_route"


class Pipeline:
    """One worker's receive path (the transports' `MessageSink`)."""

    def __init__(self, script: Script, worker: WorkerState, identity: LocalIdentity,
                 forwarder: StatelessForwarder, responder: Responder, *,
                 max_size: int = MAX_MESSAGE_SIZE) -> None:
        self.script = script
        self.worker = worker
        self.identity = identity
        self.forwarder = forwarder
        self.responder = responder
        self.max_size = max_size
        self.is_myself: Callable[[str, int | None], bool] = identity.is_myself
        self.has_request_route = script.has_route(REQUEST_ROUTE)
        self.has_reply_route = script.has_route(REPLY_ROUTE)
        # Modules that own replies (tm's transactions), asked before the stateless relay.
        self.reply_hooks: list[ReplyHook] = []
        if script.has_route(ONSEND_ROUTE):
            forwarder.onsend = self.run_onsend

    # --- MessageSink --------------------------------------------------------------------

    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        """Handle one message from a transport."""
        try:
            msg = parse_message(data, max_size=self.max_size)
        except SIPError as err:
            self._unparsable(data, err, rcv)
            return
        if isinstance(msg, SIPRequest):
            self._request(msg, rcv)
        elif isinstance(msg, SIPResponse):
            self._reply(msg, rcv)

    def on_broken(self, broken: Broken, rcv: ReceiveInfo) -> bytes | None:
        """A stream that lost its framing: the reply to write before closing, if any."""
        if not broken.head or broken.head[:4].upper() == b"SIP/":
            return None
        parts = salvage_parts(broken.head)
        if parts is None:
            return None
        try:
            return self.responder.build(parts, broken.status, broken.reason, rcv,
                                        force_rport=True)
        except SIPError:
            return None

    # --- requests -----------------------------------------------------------------------

    def _unparsable(self, data: bytes, err: SIPError, rcv: ReceiveInfo) -> None:
        where = f"{rcv.proto}:{rcv.src_ip}:{rcv.src_port}"
        if err.status is None or data[:4].upper() == b"SIP/":
            log.info("dropping malformed reply from %s: %s", where, err.detail)
            return
        parts = salvage_parts(data)
        if parts is None or data[:4] == b"ACK ":
            log.info("dropping malformed request from %s (no reply possible): %s", where,
                     err.detail)
            return
        log.info("malformed request from %s: %s -> %d", where, err.detail, err.status)
        # The Via of a broken message cannot be trusted: answer whoever sent it.
        self.responder.send(parts, err.status, err.reason, rcv, force_rport=True)

    def _request(self, msg: SIPRequest, rcv: ReceiveInfo) -> None:
        err = check_request(msg)
        if err is not None:
            self._reject(msg, err, rcv)
            return
        if msg.method == "ACK" and self._is_our_ack(msg):
            return  # the ACK of a negative stateless reply of ours ends here
        if not self.has_request_route:
            return
        # for_message: the same objects, without packing keyword arguments (every request)
        sip = SipState.for_message(rcv, self.forwarder.transports, self.is_myself,
                                   self.forwarder)
        ctx = Context.for_message(msg, RouteType.REQUEST, self.worker, sip)
        try:
            self.script.run(REQUEST_ROUTE, ctx)
        except SIPError as exc:
            # A part of the message that nobody had read turned out malformed.
            log.info("%s %s from %s:%d: %s", msg.method, msg.ruri_text, rcv.src_ip,
                     rcv.src_port, exc.detail)
            if exc.status and not sip.replied and msg.method != "ACK":
                self._reject(msg, exc, rcv)
        except Exception:
            log.exception("error while running request_route for %s", msg.method)

    def _reject(self, msg: SIPRequest, err: SIPError, rcv: ReceiveInfo) -> None:
        where = f"{rcv.proto}:{rcv.src_ip}:{rcv.src_port}"
        if msg.method == "ACK" or err.status is None:
            log.info("dropping bad %s from %s: %s", msg.method, where, err.detail)
            return
        parts: ReplyParts | None
        try:
            parts = parts_of(msg)
        except SIPError:
            parts = salvage_parts(msg.raw)
        if parts is None:
            log.info("dropping bad %s from %s (no reply possible): %s", msg.method, where,
                     err.detail)
            return
        headers = []
        if err.status == 420 and err.unsupported:
            headers.append("Unsupported: " + ", ".join(err.unsupported))
        log.info("bad %s from %s: %s -> %d", msg.method, where, err.detail, err.status)
        self.responder.send(parts, err.status, err.reason, rcv, force_rport=True,
                            headers=headers)

    def _is_our_ack(self, msg: SIPRequest) -> bool:
        # Most ACKs are for 2xx and carry the UAS's tag: when our prefix is nowhere in the To
        # text (and no escape could hide it), its tag cannot start with it; no parse needed.
        # The checks passed, so To is there once: its whole line will do (the name is a
        # token, neither the hex prefix nor a backslash can come from it or the colon).
        raw = msg.header_line(msg.header_keys.index("to"))
        if self.responder.tag_prefix not in raw and "\\" not in raw:
            return False
        try:
            to = msg.to
        except SIPError:
            return False
        tag = to.tag if to is not None else None
        return tag is not None and tag.startswith(self.responder.tag_prefix)

    # --- replies ------------------------------------------------------------------------

    def _reply(self, msg: SIPResponse, rcv: ReceiveInfo) -> None:
        # A reply is only relayed: its Vias are checked on the way (a bad one drops it); the
        # other headers are the endpoints' business (Kamailio parses no more either). With a
        # reply_route, the script may read them: then the reply must be sound.
        if not self.has_reply_route and not self.reply_hooks:
            # Nobody but the relay looks at it (a stateless relay's every reply): no Context
            # and SipState to build, the forwarder's verdict is all there is.
            try:
                self.forwarder.relay_reply(msg)
            except SIPError as exc:
                log.info("dropping reply from %s:%d: %s", rcv.src_ip, rcv.src_port,
                         exc.detail)
            except Exception:
                log.exception("error while handling a reply")
            return
        if self.has_reply_route:
            err = validate_response(msg, strict=False)
            if err is not None:
                log.info("dropping bad reply from %s:%d: %s", rcv.src_ip, rcv.src_port,
                         err.detail)
                return
        sip = SipState.for_message(rcv, self.forwarder.transports, self.is_myself,
                                   self.forwarder)
        ctx = Context.for_message(msg, RouteType.CORE_ONREPLY, self.worker, sip)
        try:
            if self.has_reply_route:
                self.script.run(REPLY_ROUTE, ctx)
                if ctx.dropped:
                    return
            for hook in self.reply_hooks:
                if hook.on_reply(ctx):
                    return
            if not sip.forwarded:
                self.forwarder.forward_reply(ctx)
        except SIPError as exc:
            log.info("dropping reply from %s:%d: %s", rcv.src_ip, rcv.src_port, exc.detail)
        except Exception:
            log.exception("error while handling a reply")

    # --- onsend_route ---------------------------------------------------------------------

    def run_onsend(self, ctx: Context) -> bool:
        """Run onsend_route for a request about to be sent; False when it dropped it."""
        octx = Context(ctx.msg, route_type=RouteType.ONSEND, worker=self.worker, sip=ctx.sip,
                       flags=ctx.flags)
        try:
            self.script.run(ONSEND_ROUTE, octx)
        except SIPError as exc:
            log.info("onsend_route: %s", exc.detail)
        return not octx.dropped

