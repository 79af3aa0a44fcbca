"""HTTP on the SIP TCP/TLS ports (Kamailio's xhttp/xmlrpc "non-SIP messages"), sans-IO.

A connection whose first line is an HTTP/1.x request line (`GET / HTTP/1.1`, ...; SIP's
`OPTIONS sip:x SIP/2.0` is not) is HTTP for its whole life. `Sniffer` decides that from the
first octets; `HttpSide` then frames requests with h11 (keep-alive, chunked bodies, HTTP/1.0),
hands each whole request to the registered `HttpHandler` and writes the `HttpResponse` it
returns. Nothing a peer sends raises: malformed HTTP gets 400 (431, 413, 411) and the
connection is closed.

Modules (xhttp, xmlrpc) enable this with `set_http_handler` at start-up, before the workers
fork; without a handler every stream is SIP, as in Kamailio without those modules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import h11

from siprouter.core.runtime.sipstate import ReceiveInfo

log = logging.getLogger("siprouter.transport")

SERVER_HEADER = b"siprouter"
MAX_HEAD = 16384  # request line + headers; more gets 431
_MAX_SNIFF = 8192  # a first line longer than this is not ours to judge: SIP decides

_HTTP_METHODS = (b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"PATCH")
_REQUEST_LINE = re.compile(
    rb"(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) (?:/|\*|https?://)[^ \r\n]* HTTP/1\.[01]\r?\n")


def looks_like_http(head: bytes) -> bool | None:
    """Whether a stream starting with `head` is HTTP: True, False, or None (need more)."""
    eol = head.find(b"\n")
    if eol >= 0:
        return _REQUEST_LINE.match(head[:eol + 1]) is not None
    method, space, _ = head.partition(b" ")
    if space and method not in _HTTP_METHODS:
        return False
    if not space and not any(m.startswith(method) for m in _HTTP_METHODS):
        return False
    return None if len(head) < _MAX_SNIFF else False


class Sniffer:
    """Collects a connection's first octets until `looks_like_http` can tell."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> tuple[bool | None, bytes]:
        """(verdict, every octet so far) once decided; (None, b"") while undecided."""
        self._buf += data
        verdict = looks_like_http(self._buf)
        if verdict is None:
            return None, b""
        data, self._buf = self._buf, b""
        return verdict, data


@dataclass(frozen=True)
class HttpRequest:
    """One whole HTTP request (the body de-chunked)."""

    method: str
    target: str
    version: str  # "1.0" | "1.1"
    headers: list[tuple[str, str]]  # as sent (names in their original case)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        want = name.lower()
        return next((v for k, v in self.headers if k.lower() == want), None)


@dataclass
class HttpResponse:
    """What to answer; `Server`, `Content-Length` and `Content-Type` (when given) are added."""

    status: int
    reason: str
    content_type: str = ""
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class HttpError:
    """A request that cannot be served: answer `status` and close the connection."""

    status: int
    reason: str
    detail: str


# The handler the server calls for every request: (request, where from, the receive path).
HttpHandler = Callable[[HttpRequest, ReceiveInfo, Any], HttpResponse]
_handler: HttpHandler | None = None


def set_http_handler(handler: HttpHandler | None) -> None:
    """Serve HTTP on the SIP stream ports with `handler` (None: streams are SIP only)."""
    global _handler
    _handler = handler


def http_handler() -> HttpHandler | None:
    """The registered handler, None when HTTP is not served."""
    return _handler


def error_bytes(err: HttpError) -> bytes:
    """A complete `Connection: close` response for a request that could not be read."""
    body = f"{err.status} {err.reason}\n".encode()
    return (f"HTTP/1.1 {err.status} {err.reason}\r\nServer: siprouter\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode() + body


class HttpSession:
    """h11 framing of one connection: `receive` octets, take requests with `next_request`,
    answer each with `respond` before the next one is read (pipelined requests wait in h11)."""

    def __init__(self, *, max_body: int, accept_no_cl: bool) -> None:
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self.max_body = max_body
        self.accept_no_cl = accept_no_cl  # tcp_accept_no_cl, as Kamailio requires for HTTP
        self._request: h11.Request | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self.closing = False  # the connection is to be closed after what was sent

    def receive(self, data: bytes) -> None:
        """Octets from the peer."""
        self.conn.receive_data(data)

    def next_request(self) -> HttpRequest | HttpError | None:
        """The next whole request, an error (then close), or None until more octets come."""
        if self.closing:
            return None
        while True:
            try:
                event = self.conn.next_event()
            except h11.RemoteProtocolError as exc:
                status = exc.error_status_hint
                return self._fail(status, "Request Header Fields Too Large" if status == 431
                                  else "Bad Request", str(exc))
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return None
            if isinstance(event, h11.ConnectionClosed):
                self.closing = True
                return None
            if isinstance(event, h11.Request):
                problem = self._check_head(event)
                if problem is not None:
                    return problem
                self._request, self._chunks, self._size = event, [], 0
            elif isinstance(event, h11.Data):
                self._size += len(event.data)
                if self._size > self.max_body:
                    return self._fail(413, "Content Too Large", "body over the size limit")
                self._chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage) and self._request is not None:
                req, self._request = self._request, None
                return HttpRequest(
                    req.method.decode("ascii", "replace"),
                    req.target.decode("utf-8", "surrogateescape"),
                    req.http_version.decode("ascii"),
                    [(k.decode("latin-1"), v.decode("utf-8", "surrogateescape"))
                     for k, v in req.headers.raw_items()],
                    b"".join(self._chunks))

    def _check_head(self, req: h11.Request) -> HttpError | None:
        names = {k for k, _ in req.headers}
        length = next((v for k, v in req.headers if k == b"content-length"), None)
        if length is not None and int(length) > self.max_body:
            return self._fail(413, "Content Too Large", "Content-Length over the size limit")
        if length is None and b"transfer-encoding" not in names and not self.accept_no_cl:
            # Kamailio frames stream messages by Content-Length; a request without one is
            # only taken with tcp_accept_no_cl=yes (chunked bodies carry their own framing).
            return self._fail(411, "Length Required",
                              "no Content-Length (set tcp_accept_no_cl=yes)")
        return None

    def _fail(self, status: int, reason: str, detail: str) -> HttpError:
        self.closing = True
        return HttpError(status, reason, detail)

    def respond(self, resp: HttpResponse, *, head_only: bool = False) -> bytes:
        """The octets of `resp` for the request just returned; starts the next cycle (or
        sets `closing` when the connection ends after it: HTTP/1.0, `Connection: close`)."""
        headers = [(b"server", SERVER_HEADER)]
        if resp.content_type:
            headers.append((b"content-type", resp.content_type.encode("utf-8", "replace")))
        headers += [(k.encode("latin-1", "replace"), v.encode("utf-8", "replace"))
                    for k, v in resp.headers]
        headers.append((b"content-length", str(len(resp.body)).encode()))
        try:
            out = self.conn.send(h11.Response(status_code=resp.status, headers=headers,
                                              reason=resp.reason.encode("utf-8", "replace")))
            if resp.body and not head_only:
                out = (out or b"") + (self.conn.send(h11.Data(data=resp.body)) or b"")
            out = (out or b"") + (self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError as exc:
            # A reply h11 will not write (a bad status or header from the script).
            self.closing = True
            return error_bytes(HttpError(500, "Internal Server Error", str(exc)))
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            self.conn.start_next_cycle()
        else:
            self.closing = True
        return out


class HttpSide:
    """The HTTP life of one stream connection: requests in, the handler, responses out."""

    def __init__(self, handler: HttpHandler, rcv: ReceiveInfo, sink: Any,
                 write: Callable[[bytes], object], close: Callable[[], None], *,
                 max_body: int, accept_no_cl: bool) -> None:
        self.handler = handler
        self.rcv = rcv
        self.sink = sink
        self.write = write
        self.close = close
        self.session = HttpSession(max_body=max_body, accept_no_cl=accept_no_cl)

    def received(self, data: bytes) -> None:
        """Serve every request `data` completes; close after an error or a last response."""
        session = self.session
        session.receive(data)
        while True:
            item = session.next_request()
            if isinstance(item, HttpError):
                self.write(error_bytes(item))
                self.close()
                return
            if item is None:
                if session.closing:
                    self.close()
                return
            try:
                resp = self.handler(item, self.rcv, self.sink)
            except Exception:  # a bug must cost one request, never the worker
                log.exception("http: error while handling %s %s", item.method, item.target)
                resp = HttpResponse(500, "Internal Server Error", "text/plain",
                                    b"500 Internal Server Error\n")
            self.write(session.respond(resp, head_only=item.method == "HEAD"))
            if session.closing:
                self.close()
                return
