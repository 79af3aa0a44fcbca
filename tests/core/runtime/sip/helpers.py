"""Run cfg snippets against a real parsed SIP message, with an in-memory sender (shared by
the SIP runtime tests and tests/modules/behaviour)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.sip import SIPMessage, parse_message

BODY = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"

INVITE = (
    b"INVITE sip:bob@biloxi.example.com:5070;transport=tcp SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n'
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"User-Agent: softphone/1.0\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
    b"\r\n" + BODY
)

REPLY = (
    b"SIP/2.0 180 Ringing\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKproxy\r\n"
    b"Via: SIP/2.0/TCP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

OUR_SOCKET = SocketInfo("udp", "192.0.2.10", 5060)
OUR_NAMES = {"192.0.2.10", "proxy.example.com"}


@dataclass
class MemorySender:
    """Records what would have been sent."""

    sent: list[tuple[str, str, int, bytes]] = field(default_factory=list)

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None) -> bool:
        self.sent.append((proto, host, port, data))
        return True


def sip_state(proto: str = "udp", src_ip: str = "198.51.100.7", src_port: int = 5062) -> SipState:
    """SIP state of a message received on OUR_SOCKET from src_ip:src_port."""
    rcv = ReceiveInfo(proto, src_ip, src_port, SocketInfo(proto, "192.0.2.10", 5060))
    return SipState(rcv=rcv, sender=MemorySender(),
                    is_myself=lambda host, port: host in OUR_NAMES and port in (None, 5060))


def message(data: bytes = INVITE) -> SIPMessage:
    return parse_message(data)


def with_headers(lines: Iterable[bytes], data: bytes = INVITE) -> bytes:
    """`data` with extra header lines added after the start line."""
    first, _, rest = data.partition(b"\r\n")
    return first + b"\r\n" + b"".join(line + b"\r\n" for line in lines) + rest


MODULES = ("pv", "textops", "textopsx", "siputils", "rr", "maxfwd", "sanity", "xlog", "kex",
           "corex", "sl")


@dataclass
class Run:
    """The outcome of one route run."""

    code: int
    ctx: Context

    @property
    def msg(self) -> SIPMessage:
        msg = self.ctx.msg
        assert isinstance(msg, SIPMessage)
        return msg

    @property
    def vars(self) -> dict[str, object]:
        return dict(self.ctx.vars)


def run(body: str, data: bytes = INVITE, *, sip: SipState | None = None,
        modparams: str = "", route: str = "request_route") -> Run:
    """Run `request_route { body }` (or `route` given a whole block) for the message."""
    loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
    text = loads + modparams + (f"{route} {{\n{body}\n}}\n" if "{" not in route else route)
    config, diags = parse_text(text, "t.cfg")
    assert not [d for d in diags if d.is_error], diags
    script = compile_config(config, default_registry().loaded(MODULES))
    ctx = Context(parse_message(data), worker=WorkerState(vars={}, shared={}),
                  sip=sip if sip is not None else sip_state())
    key = route if "{" not in route else config.routes[0].key
    return Run(script.run(key, ctx), ctx)


def value(expr: str, data: bytes = INVITE, **kw: object) -> object:
    """The value of one expression for the message (None when it is $null)."""
    avps = run(f"$avp(r) = {expr};", data, **kw).ctx.avps  # type: ignore[arg-type]
    return avps["r"][-1] if "r" in avps else None
