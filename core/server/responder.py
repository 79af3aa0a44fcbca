"""Sends stateless replies: the sl module's and the core's answers to broken requests."""

from __future__ import annotations

import logging

from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sipstate import ReceiveInfo
from siprouter.core.sip import SIPError, SIPRequest

from .forward import SendTransport, force_rport
from .replies import ReplyParts, build_reply, parts_of, reply_destination, to_tag

log = logging.getLogger("siprouter.core")


class Responder:
    """Builds a reply from a request's parts and sends it where RFC 3261 s18.2.2 says."""

    def __init__(self, transports: SendTransport, tag_prefix: str) -> None:
        self.transports = transports
        self.tag_prefix = tag_prefix

    def tag(self, parts: ReplyParts) -> str:
        """Our To-tag for the request these parts come from."""
        branch = parts.vias[0].rpartition("branch=")[2].split(";")[0] if parts.vias else ""
        return to_tag(self.tag_prefix, parts.call_id, parts.from_tag, branch)

    def build(self, parts: ReplyParts, code: int, reason: str, rcv: ReceiveInfo, *,
              force_rport: bool = False, headers: list[str] | None = None) -> bytes:
        """The reply's octets (for a stream that is about to close)."""
        data, _ = build_reply(parts, code, reason, src_ip=rcv.src_ip, src_port=rcv.src_port,
                              tag=self.tag(parts), force_rport=force_rport,
                              headers=headers or ())
        return data

    def send(self, parts: ReplyParts, code: int, reason: str, rcv: ReceiveInfo, *,
             force_rport: bool = False, headers: list[str] | None = None,
             no_connect: bool = False) -> bool:
        """Build and send a reply; False when it could not be built or sent (`no_connect`:
        over TCP/TLS only on an existing connection)."""
        try:
            data, top = build_reply(parts, code, reason, src_ip=rcv.src_ip,
                                    src_port=rcv.src_port, tag=self.tag(parts),
                                    force_rport=force_rport, headers=headers or ())
        except SIPError as exc:
            log.info("cannot build a %d reply: %s", code, exc.detail)
            return False
        dest = reply_destination(top, rcv.proto, rcv.src_ip, rcv.src_port)
        return self.transports.send(dest.proto, dest.host, dest.port, data, rcv.socket,
                                    no_connect=no_connect)

    def reply(self, ctx: Context, code: int, reason: str,
              headers: list[str] | None = None) -> bool:
        """A stateless reply to the request `ctx` runs for (sl_send_reply)."""
        msg, sip = ctx.msg, ctx.sip
        if not isinstance(msg, SIPRequest) or sip is None:
            return False
        try:
            parts = parts_of(msg)
        except SIPError as exc:
            log.info("cannot reply to %s: %s", msg.method, exc.detail)
            return False
        if not self.send(parts, code, reason, sip.rcv, force_rport=force_rport(sip),
                         headers=headers, no_connect=sip.reply_no_connect):
            return False
        sip.replied = True
        return True
