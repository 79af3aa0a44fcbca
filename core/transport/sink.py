"""What the transports hand received messages to (the server's receive path)."""

from __future__ import annotations

from typing import Protocol

from siprouter.core.runtime.sipstate import ReceiveInfo

from .framing import Broken


class MessageSink(Protocol):
    """Receives the messages of every transport."""

    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        """One whole message (a datagram, or one framed stream message)."""
        ...

    def on_broken(self, broken: Broken, rcv: ReceiveInfo) -> bytes | None:
        """A stream that can no longer be framed: return a reply to write before the
        connection is closed, or None."""
        ...
