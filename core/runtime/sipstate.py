"""The SIP side of one message's run: where it came from, where it is going, its branches.

`Context.sip` holds a `SipState` when the script runs for a real SIP message (None in pure
interpreter tests). The server fills it when a message arrives; PV classes (`$si`, `$du`,
`$branch(...)`, `$nh(...)`) and module functions (`forward`, `sl_send_reply`, `record_route`,
`append_branch`...) read and change it. Sockets stay in core/transport: functions that send go
through the `Sender` protocol, so they can be tested with an in-memory sender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


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


@dataclass
class SipState:
    """Per-message SIP state the script changes; read by the code that sends the message on."""

    rcv: ReceiveInfo
    sender: Sender
    dst_uri: str = ""  # $du: next hop overriding the R-URI
    force_socket: SocketInfo | None = None  # force_send_socket()
    branches: list[Branch] = field(default_factory=list)
    ruri_q: int = -1  # q of branch 0 ($ru)
    path: str = ""  # Path vector of branch 0
    # Is host[:port] one of ours? (`myself`, is_uri_host_local); filled by the server.
    is_myself: Callable[[str, int | None], bool] = field(default=lambda host, port: False)
    replied: bool = False  # a stateless reply was sent for this request
    forwarded: bool = False  # the request or reply was sent on
