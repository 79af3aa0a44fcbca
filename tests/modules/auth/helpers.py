"""A compiled script with auth/auth_db loaded, requests with credentials computed the way a UA
does, and the challenge parameters of a reply."""

from __future__ import annotations

import re
from dataclasses import dataclass

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState
from siprouter.core.sip import SIPRequest, digest, parse_message
from tests.modules.registrar.helpers import OUR_SOCKET, FakeForwarder, Reply

MODULES = ("sl", "pv", "textops", "xlog", "auth", "auth_db", "alias_db", "domain")
REALM = "example.com"


def request(method: str = "REGISTER", *, user: str = "alice", ruri: str | None = None,
            authorization: str | None = None, header: str = "Authorization",
            from_user: str | None = None, body: str = "", extra: tuple[str, ...] = ()) -> bytes:
    """A request from `user`@example.com (To: the same for REGISTER, else the R-URI)."""
    ruri = ruri or ("sip:example.com" if method == "REGISTER" else "sip:bob@example.com")
    to = f"sip:{user}@example.com" if method == "REGISTER" else ruri
    lines = [
        f"{method} {ruri} SIP/2.0",
        "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-a1",
        "Max-Forwards: 70",
        f"From: <sip:{from_user or user}@example.com>;tag=f1",
        f"To: <{to}>",
        "Call-ID: auth-1",
        f"CSeq: 1 {method}",
        *extra,
    ]
    if authorization is not None:
        lines.append(f"{header}: {authorization}")
    lines += [f"Content-Length: {len(body)}", "", body]
    return "\r\n".join(lines).encode()


def credentials(nonce: str, *, user: str = "alice", password: str = "secret",
                realm: str = REALM, method: str = "REGISTER", uri: str = "sip:example.com",
                algorithm: str = "MD5", qop: str = "", nc: int = 1, cnonce: str = "c0ffee",
                ha1: str | None = None, body: bytes = b"") -> str:
    """The Authorization value a UA computes for `nonce`."""
    h1 = ha1 or digest.ha1(algorithm, user, realm, password)
    h2 = digest.ha2(algorithm, method, uri, qop, body)
    ncs = f"{nc:08x}"
    resp = digest.response(algorithm, h1, nonce, h2, qop=qop, nc=ncs, cnonce=cnonce)
    text = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{resp}", algorithm={algorithm}')
    if qop:
        text += f', qop={qop}, nc={ncs}, cnonce="{cnonce}"'
    return text


def challenge_params(reply: Reply, name: str = "WWW-Authenticate") -> dict[str, str]:
    """The parameters of a reply's challenge header, quotes removed."""
    value = reply.header(name)
    assert value is not None and value.startswith("Digest "), reply
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', value)}


@dataclass
class Run:
    code: int
    ctx: Context
    forwarder: FakeForwarder

    @property
    def replies(self) -> list[Reply]:
        return self.forwarder.replies

    @property
    def reply(self) -> Reply:
        (r,) = self.forwarder.replies
        return r

    @property
    def msg(self) -> SIPRequest:
        assert isinstance(self.ctx.msg, SIPRequest)
        return self.ctx.msg


class Script:
    """A compiled request_route around `body`; `run(data)` runs it for one message and gives
    `$rc`-like code of the route (the return of its last statement)."""

    def __init__(self, body: str) -> None:
        loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
        config, diags = parse_text(loads + f"request_route {{\n{body}\n}}\n", "t.cfg")
        assert not [d for d in diags if d.is_error], diags
        self.script = compile_config(config, default_registry().loaded(MODULES))
        self.worker = WorkerState(vars={}, shared={})

    def run(self, data: bytes) -> Run:
        fwd = FakeForwarder()
        rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
        sip = SipState(rcv=rcv, sender=None, forwarder=fwd)
        ctx = Context(parse_message(data), worker=self.worker, sip=sip)
        code = self.script.run("request_route", ctx)
        return Run(code if not ctx.exited else ctx.last_retcode, ctx, fwd)


def context(data: bytes) -> tuple[Context, FakeForwarder]:
    """A request route context for `data`, with a forwarder that records replies."""
    fwd = FakeForwarder()
    rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
    sip = SipState(rcv=rcv, sender=None, forwarder=fwd)
    return Context(parse_message(data), worker=WorkerState(vars={}, shared={}), sip=sip), fwd
