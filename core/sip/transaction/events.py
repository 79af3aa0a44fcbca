"""What a transaction hands back to its owner (h11-style event objects), and its error.

The owner (the tm module) performs them in order: it sends bytes, hands messages to the TU
(the routing script), reports timeouts, and forgets the transaction on `Terminated`.
"""

from __future__ import annotations

from dataclasses import dataclass

from siprouter.core.sip.errors import LocalSIPError
from siprouter.core.sip.message import SIPMessage
from siprouter.core.sip.parser import parse_message

from .timers import Timer


class SendToTransport:
    """Send `data` (the serialized `message`) to the transaction's peer.

    A client transaction's peer is where the owner sent the request; a server
    transaction's is where the request came from (RFC 3261 s18.2.2, `reply_target`).

    `message` may be left out when the owner made the octets itself (a relayed request or
    reply, a reply of its own): it is then parsed from `data` the first time it is read,
    which on the relay path is never, so a message crosses the proxy with one parse."""

    __slots__ = ("data", "_message")

    def __init__(self, data: bytes, message: SIPMessage | None = None) -> None:
        self.data = data
        self._message = message

    @property
    def message(self) -> SIPMessage:
        """The message `data` holds."""
        if self._message is None:
            self._message = parse_message(self.data)
        return self._message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SendToTransport):
            return NotImplemented
        return self.data == other.data

    def __hash__(self) -> int:
        return hash(self.data)

    def __repr__(self) -> str:
        return f"SendToTransport(data={self.data!r})"


@dataclass(frozen=True, slots=True)
class PassToTU:
    """Give `message` to the TU: a response (client) or the request or a 2xx ACK (server)."""

    message: SIPMessage


@dataclass(frozen=True, slots=True)
class TransactionTimeout:
    """`timer` (B, F or H) fired: the peer never answered (or never acknowledged)."""

    timer: Timer


@dataclass(frozen=True, slots=True)
class TransportError:
    """The owner reported a failed send; the TU is told (RFC 3261 s17.1.4, s17.2.4)."""


@dataclass(frozen=True, slots=True)
class Terminated:
    """The transaction has ended: remove it from every table and drop it."""


TransactionEvent = SendToTransport | PassToTU | TransactionTimeout | TransportError | Terminated
"""Anything a transaction method returns in its list."""


class TransactionError(LocalSIPError):
    """The TU asked a transaction for something its state forbids (a response after the
    final one, a second send of the request ...): our bug, never the peer's."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, None)
