"""One RPC client for sercmd, dbgtui and anything else that talks to a running siprouter.

`RPCClient.from_url(url).call(method, *params)` returns the result or raises `RPCFault` (the
server answered with an error) or `RPCConnectionError` (no usable answer). It prints nothing and
never exits: callers decide what a failure looks like.

Codecs and transports are separate: JSON-RPC 2.0 (requests built and replies read with
jsonrpcclient) travels over HTTP, UDP, a unix datagram socket or a unix stream socket (one
request per line, as the server's `stream_socket` expects); XML-RPC (xmlrpc.client's codec)
travels over HTTP.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import xmlrpc.client
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from jsonrpcclient import Error, parse, request

from .urls import Endpoint, local_candidates, parse_url

DEFAULT_TIMEOUT = 5.0
Matcher = Callable[[bytes], bool]
MAX_DATAGRAM = 4 * 1024 * 1024  # unix datagrams can be far bigger than UDP's 64 KiB


class RPCError(Exception):
    """Any failed call; `str()` is one readable line."""


class RPCFault(RPCError):
    """The server answered with an error (JSON-RPC error object, XML-RPC fault)."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{code} - {message}")
        self.code = code
        self.message = message


class RPCConnectionError(RPCError):
    """No usable answer: cannot connect, timed out, refused, or a reply that is not RPC."""


class RPCRequestError(RPCError):
    """The call cannot be expressed in the chosen protocol (e.g. an int too big for XML-RPC)."""


# --- transports: bytes out, bytes back -----------------------------------------------------------


class Transport(ABC):
    """Carries one encoded request to the server and brings back its reply."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    @abstractmethod
    def exchange(self, payload: bytes, matches: Matcher | None = None) -> bytes:
        """Send `payload`, return the reply; `matches` skips replies meant for older requests
        (a datagram that arrives after its request timed out)."""

    @abstractmethod
    def close(self) -> None:
        """Release sockets; the transport reconnects if used again."""

    def _fail(self, what: str, exc: BaseException) -> RPCConnectionError:
        if isinstance(exc, TimeoutError | socket.timeout):
            return RPCConnectionError(
                f"no reply from {self.endpoint.describe()} within {self.timeout:g} s")
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return RPCConnectionError(f"cannot {what} {self.endpoint.describe()}: {reason}")


class HTTPTransport(Transport):
    """POST to one URL over a kept-alive connection (re-opened once if the server closed it)."""

    def __init__(self, endpoint: Endpoint, timeout: float, content_type: str,
                 token: str | None = None) -> None:
        super().__init__(endpoint, timeout)
        self.content_type = content_type
        self.token = token
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            ep = self.endpoint
            if ep.tls:
                self._conn = http.client.HTTPSConnection(
                    ep.host, ep.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                self._conn = http.client.HTTPConnection(ep.host, ep.port, timeout=self.timeout)
        return self._conn

    def exchange(self, payload: bytes, matches: Matcher | None = None) -> bytes:
        headers = {"Content-Type": self.content_type, "Accept": self.content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._connection()
            try:
                conn.request("POST", self.endpoint.path, body=payload, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest) as exc:
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: open a new one
                raise self._fail("talk to", exc) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise self._fail("reach", exc) from None
            if response.will_close:
                self.close()
            return self._check_status(response.status, response.reason, body)
        raise AssertionError("unreachable")

    def _check_status(self, status: int, reason: str, body: bytes) -> bytes:
        where = self.endpoint.describe()
        if status == 200:
            return body
        if status == 401:
            raise RPCConnectionError(
                f"{where} wants a token (HTTP 401): give --token or set SERCMD_TOKEN")
        if status == 403:
            raise RPCConnectionError(
                f"{where} refused us (HTTP 403): the server's allow_from does not list this host")
        if status == 404:
            raise RPCConnectionError(f"no RPC service at {where} (HTTP 404)")
        if status == 204:
            raise RPCConnectionError(f"{where} sent no reply (HTTP 204)")
        raise RPCConnectionError(f"{where} answered HTTP {status} {reason}".rstrip())

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class DatagramTransport(Transport):
    """One datagram out, the matching datagram back (UDP, or a unix datagram socket)."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        super().__init__(endpoint, timeout)
        self._sock: socket.socket | None = None

    def _socket(self) -> socket.socket:
        if self._sock is not None:
            return self._sock
        ep = self.endpoint
        try:
            if ep.kind == "udp":
                infos = socket.getaddrinfo(ep.host, ep.port, type=socket.SOCK_DGRAM)
                family, _, _, _, addr = infos[0]
                sock = socket.socket(family, socket.SOCK_DGRAM)
                sock.connect(addr)
            else:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                # The server replies to the sender's address, so we must have one. Linux's
                # abstract namespace leaves no file behind, whatever happens to us.
                if sys.platform.startswith("linux"):
                    sock.bind(f"\0sercmd-{os.getpid()}-{id(self):x}")
                else:
                    sock.bind(os.path.join("/tmp", f"sercmd_{os.getpid()}_{id(self):x}"))
                sock.connect(ep.path)
        except socket.gaierror as exc:
            raise RPCConnectionError(f"cannot resolve {ep.host}: {exc.strerror}") from None
        except OSError as exc:
            raise self._fail("reach", exc) from None
        sock.settimeout(self.timeout)
        self._sock = sock
        return sock

    def exchange(self, payload: bytes, matches: Matcher | None = None) -> bytes:
        sock = self._socket()
        try:
            sock.send(payload)
            while True:
                reply = sock.recv(MAX_DATAGRAM)
                if matches is None or matches(reply):
                    return reply
        except OSError as exc:
            self.close()
            # UDP reports "connection refused" on the recv after an ICMP port unreachable.
            raise self._fail("reach", exc) from None

    def close(self) -> None:
        if self._sock is not None:
            addr = self._sock.getsockname()
            self._sock.close()
            self._sock = None
            if isinstance(addr, str) and addr and not addr.startswith("\0"):
                try:
                    os.unlink(addr)
                except OSError:
                    pass


class StreamTransport(Transport):
    """JSON-RPC over a unix stream socket: one request per line, one reply per line."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        super().__init__(endpoint, timeout)
        self._sock: socket.socket | None = None
        self._buffer = b""

    def connect(self) -> None:
        """Open the connection now (the unix auto-detection needs to know if it works)."""
        if self._sock is not None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.endpoint.path)
        except OSError:
            sock.close()
            raise
        self._sock, self._buffer = sock, b""

    def exchange(self, payload: bytes, matches: Matcher | None = None) -> bytes:
        for attempt in (1, 2):
            reused = self._sock is not None
            try:
                self.connect()
                assert self._sock is not None
                self._sock.sendall(payload.rstrip(b"\n") + b"\n")
                while True:
                    line = self._read_line()
                    if matches is None or matches(line):
                        return line
            except (BrokenPipeError, ConnectionResetError, EOFError) as exc:
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle connection: open a new one
                raise self._fail("talk to", exc) from None
            except OSError as exc:
                self.close()
                raise self._fail("reach", exc) from None
        raise AssertionError("unreachable")

    def _read_line(self) -> bytes:
        assert self._sock is not None
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed by the server")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class UnixTransport(Transport):
    """`unix:/path`: the stream protocol if the socket is a stream socket, else datagrams."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        super().__init__(endpoint, timeout)
        self._inner: Transport | None = None

    def _pick(self) -> Transport:
        if self._inner is None:
            stream = StreamTransport(self.endpoint, self.timeout)
            try:
                stream.connect()
                self._inner = stream
            except OSError as exc:
                if exc.errno != errno.EPROTOTYPE:  # "wrong type": it is a datagram socket
                    raise self._fail("reach", exc) from None
                self._inner = DatagramTransport(self.endpoint, self.timeout)
        return self._inner

    def exchange(self, payload: bytes, matches: Matcher | None = None) -> bytes:
        return self._pick().exchange(payload, matches)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None


# --- codecs and the client -----------------------------------------------------------------------


def _json_reply(data: bytes, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise RPCConnectionError(f"{where} sent a reply that is not JSON") from None
    if isinstance(doc, list) and len(doc) == 1:
        doc = doc[0]
    if not isinstance(doc, dict) or not ("result" in doc or "error" in doc):
        raise RPCConnectionError(f"{where} sent a reply that is not JSON-RPC")
    return doc


class RPCClient:
    """Calls methods on one server. Thread-safe (one call at a time), reusable after errors."""

    def __init__(self, endpoint: Endpoint, timeout: float = DEFAULT_TIMEOUT,
                 token: str | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._lock = threading.Lock()
        self._xml = endpoint.kind == "xmlrpc"
        self.transport: Transport
        if endpoint.kind in ("http", "xmlrpc"):
            ctype = "text/xml" if self._xml else "application/json"
            self.transport = HTTPTransport(endpoint, timeout, ctype, token)
        elif endpoint.kind in ("udp", "unixd"):
            self.transport = DatagramTransport(endpoint, timeout)
        elif endpoint.kind == "unixs":
            self.transport = StreamTransport(endpoint, timeout)
        else:
            self.transport = UnixTransport(endpoint, timeout)

    @classmethod
    def from_url(cls, url: str, timeout: float = DEFAULT_TIMEOUT,
                 token: str | None = None) -> RPCClient:
        """A client for `url` (see urls.py for the forms); URLError if it is not one."""
        return cls(parse_url(url), timeout, token)

    @property
    def url(self) -> str:
        """The server's address, spelled the way sercmd shows it."""
        return self.endpoint.describe()

    def call(self, method: str, *params: Any) -> Any:
        """The result of `method(*params)`; RPCFault or RPCConnectionError on failure."""
        with self._lock:
            if self._xml:
                return self._call_xml(method, params)
            return self._call_json(method, params)

    def _call_json(self, method: str, params: tuple[Any, ...]) -> Any:
        req = request(method, params=params) if params else request(method)
        want_id = req["id"]

        def matches(data: bytes) -> bool:
            try:
                doc = json.loads(data)
            except (ValueError, UnicodeDecodeError):
                return True  # let the caller report it
            return not isinstance(doc, dict) or doc.get("id") in (want_id, None)

        data = self.transport.exchange(json.dumps(req).encode(), matches)
        doc = _json_reply(data, self.url)
        if "error" in doc and not isinstance(doc["error"], dict):
            raise RPCFault(None, str(doc["error"]))
        doc.setdefault("id", None)  # Kamailio omits it in some replies
        try:
            reply = parse(doc)
        except (KeyError, TypeError):
            raise RPCConnectionError(f"{self.url} sent a malformed JSON-RPC reply") from None
        if isinstance(reply, Error):
            raise RPCFault(reply.code, str(reply.message))
        return reply.result  # type: ignore[union-attr]

    def _call_xml(self, method: str, params: tuple[Any, ...]) -> Any:
        try:
            body = xmlrpc.client.dumps(params, methodname=method, allow_none=True,
                                       encoding="utf-8").encode()
        except (OverflowError, TypeError) as exc:
            raise RPCRequestError(f"cannot send these parameters over XML-RPC: {exc}") from None
        data = self.transport.exchange(body)
        try:
            values, _ = xmlrpc.client.loads(data, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            raise RPCFault(fault.faultCode, str(fault.faultString)) from None
        except (ExpatError, ValueError, TypeError, IndexError):
            raise RPCConnectionError(f"{self.url} sent a reply that is not XML-RPC") from None
        return values[0] if values else None

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        with self._lock:
            self.transport.close()

    def __enter__(self) -> RPCClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def find_local(timeout: float = DEFAULT_TIMEOUT, token: str | None = None) -> RPCClient:
    """A client for the local siprouter: `$SERCMD_URL` if set, else the first default address
    that answers `core.version` (the HTTP listener when none does, so errors name it)."""
    candidates = local_candidates()
    clients = [RPCClient.from_url(url, timeout, token) for url in candidates]
    if len(clients) == 1:
        return clients[0]
    for client in clients:
        try:
            client.call("core.version")
        except RPCConnectionError:
            client.close()
            continue
        except RPCFault:
            pass  # it answers: that is all we wanted to know
        return client
    return clients[0]
