"""The SIP side of one message's run: where it came from, where it is going, its branches.

`Context.sip` holds a `SipState` when the script runs for a real SIP message (None in pure
interpreter tests). The server fills it when a message arrives; PV classes (`$si`, `$du`,
`$branch(...)`, `$nh(...)`) and module functions (`forward`, `sl_send_reply`, `record_route`,
`append_branch`...) read and change it. Sockets stay in core/transport: functions that send go
through the `Sender` protocol, so they can be tested with an in-memory sender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True, slots=True)
class SocketInfo:
    """A listening socket as Kamailio names it: `udp:127.0.0.1:5060`."""

    proto: str  # "udp" | "tcp" | "tls"
    ip: str
    port: int
    advertised_host: str | None = None
    advertised_port: int | None = None

    def __str__(self) -> str:
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{self.proto}:{host}:{self.port}"

    @property
    def via_host(self) -> str:
        return self.advertised_host or self.ip

    @property
    def via_port(self) -> int:
        return self.advertised_port or self.port


@dataclass(frozen=True, slots=True)
class ReceiveInfo:
    """Where a message came from and on which of our sockets (`$si $sp $Ri $Rp $pr`)."""

    proto: str
    src_ip: str
    src_port: int
    socket: SocketInfo
    connection_id: int = 0  # TCP/TLS connection ($conid); 0 for UDP


@dataclass(slots=True)
class Branch:
    """An additional branch (Kamailio's branch array; branch 0 is the R-URI/$du itself)."""

    uri: str
    dst_uri: str = ""
    path: str = ""
    q: int = -1  # -1: not set; else 0..1000
    send_socket: str = ""
    flags: int = 0


class Sender(Protocol):
    """How the runtime hands bytes to the transport layer."""

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None) -> bool:
        """Send `data`; False when it could not be sent (no route, connect failure...)."""
        ...


class Forwarder(Protocol):
    """The server's stateless forwarding, for the core actions that send (`forward()`,
    `send()`, `force_send_socket()`, `sl_forward_reply()`); lives in core/server."""

    def forward(self, ctx: Context, proto: str | None = None, host: str | None = None,
                port: int | None = None) -> int:
        """Forward the request statelessly (our Via on top) to host:port, or to $du, or to
        the R-URI; returns the action code (>0 sent, <0 failed)."""
        ...

    def send(self, ctx: Context, proto: str, host: str | None = None,
             port: int | None = None) -> int:
        """Send the message as it is (no Via added) to host:port or the next hop."""
        ...

    def forward_reply(self, ctx: Context) -> int:
        """Forward the reply being processed upstream (our Via removed)."""
        ...

    def reply(self, ctx: Context, code: int, reason: str,
              headers: list[str] | None = None) -> bool:
        """Send a stateless reply to the request being processed (sl_send_reply)."""
        ...

    def find_socket(self, spec: str) -> SocketInfo | None:
        """Our listening socket named by `[proto:]addr[:port]`, or None."""
        ...


def _not_myself(host: str, port: int | None) -> bool:
    return False


class ScriptMarks:
    """What the script asked for that the code sending the message must honour, and per-message
    module state (rr, textops, sanity, kex); created on first use by `sip_pvs.marks`.

    A plain class rather than a dataclass: made for every in-dialog request (loose_route), and
    a call without keyword processing is cheaper."""

    def __init__(self) -> None:
        self.local_rport = False  # add_local_rport(): ;rport on our own Via
        self.reply_headers: list[str] = []  # append_to_reply(), lines w/o CRLF
        self.reply_body: tuple[bytes, str] | None = None  # set_reply_body(body, content type)
        self.sflags = 0  # script flags (kex setsflag)
        self.rr_added: list[str] = []  # Record-Route lines rr inserted
        self.rr_params: list[str] = []  # add_rr_param() values
        self.route_params: str | None = None  # parameters of our Route after loose_route()
        self.route_next = False  # loose_route() left a Route header for the next hop
        self.sanity_reply: tuple[int, str] | None = None  # what sanity_check() would reply


class SipState:
    """Per-message SIP state the script changes; read by the code that sends the message on.

    Made for every message that runs a route (often more than once per message), so a plain
    class whose constructor takes only what the server passes; every attribute is set in
    `__init__` so that reads stay plain instance-dict hits. Modules may keep their own
    per-message state in the instance dict (tm does: `vars(sip)`)."""

    def __init__(self, rcv: ReceiveInfo, sender: Sender, *,
                 is_myself: Callable[[str, int | None], bool] = _not_myself,
                 forwarder: Forwarder | None = None) -> None:
        self.rcv = rcv
        self.sender = sender
        self.dst_uri = ""  # $du: next hop overriding the R-URI
        self.force_socket: SocketInfo | None = None  # force_send_socket()
        self.branches: list[Branch] = []
        self.ruri_q = -1  # q of branch 0 ($ru)
        self.path = ""  # Path vector of branch 0
        # Is host[:port] one of ours? (`myself`, is_uri_host_local); filled by the server.
        self.is_myself = is_myself
        self.replied = False  # a stateless reply was sent for this request
        self.forwarded = False  # the request or reply was sent on
        # Added for the server (core/server): how forward()/send() reach the transports, the
        # Via and connection options the script set, and the last internal error that
        # sl_reply_error() answers with (Kamailio's prev_ser_error as status and reason).
        self.forwarder = forwarder
        self.force_rport = False  # force_rport(): fill rport of the received Via
        self.forward_no_connect = False  # set_forward_no_connect()
        self.reply_no_connect = False  # set_reply_no_connect(): replies only on an open connection
        self.error_status = 0
        self.error_reason = ""
        self.marks: ScriptMarks | None = None  # per-message module state, made on first use

    @classmethod
    def for_message(cls, rcv: ReceiveInfo, sender: Sender,
                    is_myself: Callable[[str, int | None], bool],
                    forwarder: Forwarder | None) -> SipState:
        """`SipState(rcv, sender, is_myself=..., forwarder=...)` for the server's per-message
        path, ≈ 1,400 instructions cheaper (callgrind): no keyword packing."""
        self = _new(cls)
        self.rcv = rcv
        self.sender = sender
        self.dst_uri = ""
        self.force_socket = None
        self.branches = []
        self.ruri_q = -1
        self.path = ""
        self.is_myself = is_myself
        self.replied = False
        self.forwarded = False
        self.forwarder = forwarder
        self.force_rport = False
        self.forward_no_connect = False
        self.reply_no_connect = False
        self.error_status = 0
        self.error_reason = ""
        self.marks = None
        return self

    def __repr__(self) -> str:
        return f"SipState(rcv={self.rcv!r}, dst_uri={self.dst_uri!r})"


_new = object.__new__
