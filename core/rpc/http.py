"""HTTP/1.1 front of the management server (h11 does the framing): JSON-RPC on `POST /RPC`,
XML-RPC on `POST /RPC2` or any text/xml body. Keep-alive; each request must arrive whole within
the timeout; bodies over the size limit get 413; peers outside the access list 403."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import h11

from . import jsonrpc, xmlrpc
from .config import ManagementConfig
from .errors import RPCFault

log = logging.getLogger("siprouter.rpc.http")

Invoke = Callable[[str, list[Any], str, str], Awaitable[Any]]
SERVER_HEADER = b"siprouter-rpc"
MAX_HEADER_BYTES = 16384


class _Reject(Exception):  # noqa: N818 -- carries the status to answer with
    def __init__(self, status: int, reason: str, headers: list[tuple[bytes, bytes]] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or []


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for k, v in headers:
        if k == name:
            return v
    return None


class HttpConnection:
    """One client connection: read requests, answer them, until close or timeout."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 config: ManagementConfig, invoke: Invoke) -> None:
        self.reader = reader
        self.writer = writer
        self.config = config
        self.invoke = invoke
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        peer = writer.get_extra_info("peername")
        self.peer_ip = peer[0] if isinstance(peer, tuple) else ""
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "")

    async def run(self) -> None:
        try:
            if self.peer_ip and not self.config.access.allows(self.peer_ip):
                log.warning("management HTTP: refused %s (not in allow_from)", self.peer)
                await self._reject_early(403, "Forbidden")
                return
            while True:
                try:
                    async with asyncio.timeout(self.config.timeout):
                        request, body = await self._read_request()
                except _Reject as rej:
                    await self._send_status(rej.status, rej.reason, rej.headers, close=True)
                    return
                except TimeoutError:
                    return
                if request is None:
                    return
                await self._answer(request, body)
                if self.conn.our_state is h11.MUST_CLOSE or self.conn.their_state is h11.MUST_CLOSE:
                    return
                try:
                    self.conn.start_next_cycle()
                except h11.LocalProtocolError:
                    return
        except (ConnectionError, h11.LocalProtocolError):
            return
        finally:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def _reject_early(self, status: int, reason: str) -> None:
        # Answer without reading the request: a refused peer gets nothing else from us.
        body = f"{status} {reason}\n".encode()
        self.writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: "
            f"{len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        try:
            await asyncio.wait_for(self.writer.drain(), self.config.timeout)
        except (TimeoutError, ConnectionError):
            pass

    async def _next_event(self) -> Any:
        while True:
            try:
                event = self.conn.next_event()
            except h11.RemoteProtocolError as exc:
                status = exc.error_status_hint
                raise _Reject(status, "Request Header Fields Too Large" if status == 431
                              else "Bad Request") from None
            if event is h11.NEED_DATA:
                data = await self.reader.read(65536)
                self.conn.receive_data(data)
                continue
            return event

    async def _read_request(self) -> tuple[h11.Request | None, bytes]:
        event = await self._next_event()
        if isinstance(event, h11.ConnectionClosed):
            return None, b""
        if not isinstance(event, h11.Request):
            raise _Reject(400, "Bad Request")
        if sum(len(k) + len(v) + 4 for k, v in event.headers) + len(event.target) > (
                MAX_HEADER_BYTES):
            raise _Reject(431, "Request Header Fields Too Large")
        limit = self.config.max_request_size
        length = _header(event.headers, b"content-length")
        if length is not None and int(length) > limit:
            raise _Reject(413, "Content Too Large")
        chunks: list[bytes] = []
        size = 0
        while True:
            ev = await self._next_event()
            if isinstance(ev, h11.Data):
                size += len(ev.data)
                if size > limit:
                    raise _Reject(413, "Content Too Large")
                chunks.append(bytes(ev.data))
            elif isinstance(ev, h11.EndOfMessage):
                return event, b"".join(chunks)
            else:
                return None, b""

    async def _answer(self, request: h11.Request, body: bytes) -> None:
        try:
            status, ctype, payload = await self._route(request, body)
        except _Reject as rej:
            await self._send_status(rej.status, rej.reason, rej.headers)
            return
        await self._send(status, ctype, payload)

    async def _route(self, request: h11.Request, body: bytes) -> tuple[int, bytes, bytes]:
        if self.config.token is not None:
            auth = _header(request.headers, b"authorization") or b""
            want = b"Bearer " + self.config.token.encode()
            if not hmac.compare_digest(auth, want):
                raise _Reject(401, "Unauthorized", [(b"www-authenticate", b"Bearer")])
        path = request.target.split(b"?", 1)[0]
        ctype = (_header(request.headers, b"content-type") or b"").lower()
        is_xml = path == b"/RPC2" or b"xml" in ctype
        if path not in (b"/", b"/RPC", b"/RPC2"):
            raise _Reject(404, "Not Found")
        if request.method != b"POST":
            raise _Reject(405, "Method Not Allowed", [(b"allow", b"POST")])
        if is_xml:
            if not self.config.xml_enabled:
                raise _Reject(404, "Not Found")
            return 200, b"text/xml", await self._xmlrpc(body)
        if not self.config.json_enabled:
            raise _Reject(404, "Not Found")
        reply = await jsonrpc.handle(body, self._invoke, self.config.pretty)
        if reply is None:
            return 204, b"", b""
        return 200, b"application/json", reply

    async def _invoke(self, method: str, params: list[Any]) -> Any:
        return await self.invoke(method, params, "http", self.peer)

    async def _xmlrpc(self, body: bytes) -> bytes:
        try:
            method, params = xmlrpc.decode_call(body)
            result = await self.invoke(method, params, "xmlrpc", self.peer)
            return xmlrpc.encode_response(result)
        except RPCFault as fault:
            return xmlrpc.encode_fault(fault.code, fault.message)

    async def _send(self, status: int, ctype: bytes, payload: bytes,
                    extra: list[tuple[bytes, bytes]] | None = None, close: bool = False) -> None:
        headers = [(b"server", SERVER_HEADER), (b"content-length", str(len(payload)).encode())]
        if ctype:
            headers.append((b"content-type", ctype))
        headers += extra or []
        if close:
            headers.append((b"connection", b"close"))
        out = self.conn.send(h11.Response(status_code=status, headers=headers))
        if payload:
            out += self.conn.send(h11.Data(data=payload))
        out += self.conn.send(h11.EndOfMessage())
        self.writer.write(out)
        async with asyncio.timeout(self.config.timeout):
            await self.writer.drain()

    async def _send_status(self, status: int, reason: str,
                           extra: list[tuple[bytes, bytes]] | None = None,
                           close: bool = False) -> None:
        if self.conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        try:
            await self._send(status, b"text/plain", f"{status} {reason}\n".encode(), extra, close)
        except (h11.LocalProtocolError, TimeoutError):
            pass
