"""Cut a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 s18.3). Sans-IO.

`StreamFramer.feed(data)` returns what the new bytes completed: whole messages, keep-alive
pings (RFC 5626 s3.5.1: a CRLFCRLF ping gets a CRLF pong) and, once, a `Broken` event when the
stream can no longer be framed (no, several or a malformed Content-Length, a message larger
than the limit). After `Broken` the connection is to be closed: no later byte can be trusted to
start a message. A short body is not an error: the framer waits for the rest (RFC 4475 clerr).
"""

from __future__ import annotations

from dataclasses import dataclass

_CL_NAMES = (b"content-length", b"l")


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete message: start line, headers, empty line and Content-Length body octets."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    """A CRLFCRLF keep-alive; answer with a single CRLF."""


@dataclass(frozen=True, slots=True)
class Broken:
    """The stream cannot be framed any more. `head` holds the header block when one was read,
    so a reply can still be built from it; `status` is what to answer (400, 513)."""

    status: int
    reason: str
    detail: str
    head: bytes


Event = Frame | Ping | Broken
PING = Ping()


class StreamFramer:
    """Frames one connection's stream; feed it the bytes as they arrive."""

    __slots__ = ("_buf", "max_size", "accept_no_cl", "broken")

    def __init__(self, *, max_size: int = 65535, accept_no_cl: bool = False) -> None:
        self._buf = bytearray()
        self.max_size = max_size
        self.accept_no_cl = accept_no_cl  # tcp_accept_no_cl: no Content-Length means no body
        self.broken = False

    @property
    def pending(self) -> int:
        """Octets received but not yet part of a complete message."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        """Add received octets; return the events they complete, in order."""
        if self.broken:
            return []
        buf = self._buf
        buf += data
        events: list[Event] = []
        while buf:
            # Keep-alives between messages: CRLFCRLF is a ping, a lone CRLF is ignored.
            if buf[:1] in (b"\r", b"\n"):
                if buf[:4] == b"\r\n\r\n":
                    del buf[:4]
                    events.append(PING)
                    continue
                if buf[:2] == b"\r\n":
                    if len(buf) < 4 and b"\r\n\r\n".startswith(bytes(buf)):
                        break  # maybe the start of a ping: wait
                    del buf[:2]
                    continue
                if buf[:1] == b"\n":
                    del buf[:1]
                    continue
                if len(buf) == 1:
                    break
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > self.max_size:
                    events.append(self._break(513, "Message Too Large",
                                              "header block larger than the limit", b""))
                break
            head = bytes(buf[:end + 4])
            length, problem = content_length(head)
            if problem:
                events.append(self._break(400, "Bad Request", problem, head))
                break
            if length is None:
                if not self.accept_no_cl:
                    events.append(self._break(400, "Bad Request",
                                              "Content-Length missing on a stream", head))
                    break
                length = 0
            total = end + 4 + length
            if total > self.max_size:
                events.append(self._break(513, "Message Too Large",
                                          f"message of {total} octets over the limit", head))
                break
            if len(buf) < total:
                break
            events.append(Frame(bytes(buf[:total])))
            del buf[:total]
        return events

    def _break(self, status: int, reason: str, detail: str, head: bytes) -> Broken:
        self.broken = True
        self._buf.clear()
        return Broken(status, reason, detail, head)


def content_length(head: bytes) -> tuple[int | None, str]:
    """(Content-Length, problem) of a header block: (None, "") when absent; a problem text
    when it is malformed or given more than once (the framing is then unknown)."""
    found: int | None = None
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if not colon or line[:1] in (b" ", b"\t"):
            continue
        if name.strip().lower() not in _CL_NAMES:
            continue
        if found is not None:
            return None, "more than one Content-Length"
        text = value.strip()
        if not text.isdigit():
            return None, "malformed Content-Length"
        found = int(text)
    return found, ""
