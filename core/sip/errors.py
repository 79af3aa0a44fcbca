"""Errors of the SIP message layer, in h11's style: they say whose fault it is.

`RemoteSIPError` means the peer sent something RFC 3261 forbids; it carries the status a
server should answer with, the reason phrase for that answer, and the byte offset of the
offending octet in the message as received. `LocalSIPError` means *we* asked for something
illegal (a header value with a CR in it, a port out of range); its status is what a peer
would have answered had we sent it.

A response is never answered, so an error found in a response carries ``status=None``:
the only thing to do with a broken response is to drop it.
"""

from __future__ import annotations

REASONS: dict[int, str] = {
    400: "Bad Request",
    413: "Request Entity Too Large",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    483: "Too Many Hops",
    505: "Version Not Supported",
    513: "Message Too Large",
}


class SIPError(Exception):
    """A violation of the SIP grammar or rules; abstract, see the two subclasses.

    Attributes:
        detail: what is wrong, for logs (not sent to the peer).
        status: the status code to answer with, or None when nothing may be answered
            (the faulty message was a response).
        reason: the reason phrase to answer with, e.g. ``"Bad Request"``.
        position: byte offset of the offending octet in the message, when known.
        header: canonical name of the header at fault, when there is one.
        unsupported: for 420 Bad Extension, the option tags to list in ``Unsupported``.
    """

    def __init__(
        self,
        detail: str,
        status: int | None = 400,
        *,
        position: int | None = None,
        header: str | None = None,
        reason: str | None = None,
        unsupported: tuple[str, ...] = (),
    ) -> None:
        if type(self) is SIPError:
            raise TypeError("instantiate RemoteSIPError or LocalSIPError, not SIPError")
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.reason = reason or (REASONS.get(status, "Bad Request") if status else "")
        self.position = position
        self.header = header
        self.unsupported = unsupported

    def locate(self, data: bytes) -> tuple[int, int] | None:
        """Return the 1-based (line, column) of `position` within `data`, or None."""
        if self.position is None:
            return None
        pos = min(self.position, len(data))
        line = data.count(b"\n", 0, pos) + 1
        column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
        return line, column

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.detail!r}, status={self.status!r}, "
            f"position={self.position!r}, header={self.header!r})"
        )


class RemoteSIPError(SIPError):
    """The peer's fault: the message we received breaks the rules."""


class LocalSIPError(SIPError):
    """Our fault: the caller asked this layer to build or edit something illegal."""
