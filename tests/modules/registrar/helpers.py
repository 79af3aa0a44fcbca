"""REGISTER and INVITE builders, a fake clock and an in-memory forwarder that records replies,
for registrar/usrloc tests that run the real script functions without a network."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.sip import SIPRequest, parse_message

OUR_SOCKET = SocketInfo("udp", "192.0.2.10", 5060)
MODULES = ("sl", "pv", "usrloc", "registrar", "textops", "xlog")


class FakeClock:
    """Wall-clock seconds the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Reply:
    status: int
    reason: str
    headers: list[str]

    def header(self, name: str) -> str | None:
        for h in self.headers:
            if h.lower().startswith(name.lower() + ":"):
                return h.split(":", 1)[1].strip()
        return None

    @property
    def contacts(self) -> list[str]:
        value = self.header("Contact")
        return [] if value is None else [c.strip() for c in value.split(", ")]


@dataclass
class FakeForwarder:
    """The server's Forwarder as far as the registrar uses it: replies are recorded."""

    replies: list[Reply] = field(default_factory=list)

    def reply(self, ctx: Any, code: int, reason: str, headers: list[str] | None = None) -> bool:
        self.replies.append(Reply(code, reason, list(headers or [])))
        return True

    def find_socket(self, spec: str) -> SocketInfo | None:
        return OUR_SOCKET if spec == str(OUR_SOCKET) else None

    def forward(self, *a: Any, **k: Any) -> int:
        return 1

    def send(self, *a: Any, **k: Any) -> int:
        return 1

    def forward_reply(self, ctx: Any) -> int:
        return 1


def register(user: str = "alice", contacts: Iterable[str] = ("<sip:alice@198.51.100.7:5062>",),
             *, expires: int | str | None = None, callid: str = "reg-1", cseq: int = 1,
             extra: Iterable[str] = (), to_uri: str | None = None) -> bytes:
    """A REGISTER for `user` at example.com with the given Contact values."""
    lines = [
        "REGISTER sip:example.com SIP/2.0",
        "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-" + callid + str(cseq),
        "Max-Forwards: 70",
        f"From: <sip:{user}@example.com>;tag=f1",
        f"To: <{to_uri or f'sip:{user}@example.com'}>",
        f"Call-ID: {callid}",
        f"CSeq: {cseq} REGISTER",
    ]
    lines += [f"Contact: {c}" for c in contacts]
    if expires is not None:
        lines.append(f"Expires: {expires}")
    lines += list(extra)
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def invite(ruri: str = "sip:alice@example.com", *, to_tag: str | None = None,
           method: str = "INVITE") -> bytes:
    tag = f";tag={to_tag}" if to_tag else ""
    return (f"{method} {ruri} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 203.0.113.5;branch=z9hG4bK-inv\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:bob@example.org>;tag=b1\r\n"
            f"To: <{ruri}>{tag}\r\n"
            "Call-ID: call-1\r\n"
            f"CSeq: 1 {method}\r\n"
            "Content-Length: 0\r\n\r\n").encode()


@dataclass
class Run:
    code: int
    ctx: Context
    forwarder: FakeForwarder

    @property
    def reply(self) -> Reply:
        (r,) = self.forwarder.replies
        return r

    @property
    def msg(self) -> SIPRequest:
        assert isinstance(self.ctx.msg, SIPRequest)
        return self.ctx.msg

    @property
    def sip(self) -> SipState:
        assert self.ctx.sip is not None
        return self.ctx.sip


class Script:
    """A compiled request_route around `body`; `run(data)` runs it for one message."""

    def __init__(self, body: str, modparams: str = "") -> None:
        loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
        text = loads + modparams + f"request_route {{\n{body}\n}}\n"
        config, diags = parse_text(text, "t.cfg")
        assert not [d for d in diags if d.is_error], diags
        self.script = compile_config(config, default_registry().loaded(MODULES))
        self.worker = WorkerState(vars={}, shared={})

    def run(self, data: bytes, *, src: tuple[str, int] = ("198.51.100.7", 5062),
            bflags: int = 0) -> Run:
        fwd = FakeForwarder()
        rcv = ReceiveInfo("udp", src[0], src[1], OUR_SOCKET)
        sip = SipState(rcv=rcv, sender=None, forwarder=fwd)  # type: ignore[arg-type]
        ctx = Context(parse_message(data), worker=self.worker, sip=sip, bflags=bflags)
        code = self.script.run("request_route", ctx)
        return Run(code if not ctx.exited else ctx.last_retcode, ctx, fwd)
