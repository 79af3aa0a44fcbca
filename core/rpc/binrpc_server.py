"""The ctl module's binrpc listeners (what kamcmd talks to), served by the management process.

Settings (Kamailio's ctl modparams):
- `binrpc` (repeatable): `unix:/path`, `unixs:/path` (stream), `unixd:/path` (datagram),
  `tcp:host:port`, `udp:host:port` (`tcp:port`, `udp:*:port`: every address; no port: 2049);
  a bare path is a unix stream socket, a bare `host:port` UDP. Default, when none is given:
  `unix:/run/kamailio/kamailio_ctl` -- when that cannot be opened (no /run/kamailio, or a live
  server owns the socket) one line is logged and the server runs without it.
- `mode` (0600), `user`, `group`: the unix socket files' permissions and owner.
- `binrpc_max_body_size` (KiB, 32): bigger replies are a 500 fault, as in Kamailio.
- siprouter: `allow_from` (repeatable), with jsonrpcs' `allow_from`: who besides loopback may
  use a TCP/UDP listener. Like the other management listeners, one bound beyond loopback
  without it is refused at start-up.

Each request goes through the management dispatcher, like JSON-RPC's. Replies take Kamailio's
shape (see `binrpc.reply_values`), faults Kamailio's codes and wording: 500 "command X not
found", 400 "error at parameter N: expected T type but ...". A malformed frame gets a 400 fault
and the connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import grp
import logging
import os
import pwd
import socket
import stat
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from . import binrpc
from .access import AccessError, AccessList, is_loopback_host
from .config import ConfigError
from .errors import INVALID_PARAMS, RPCFault
from .registry import RPCRegistry, convert
from .settings import ConfigSettings

log = logging.getLogger("siprouter.rpc.ctl")

DEFAULT_BINRPC = "unix:/run/kamailio/kamailio_ctl"
DEFAULT_PORT = 2049
MAX_CONNECTIONS = 256
KINDS = {"unixs": "unix_stream", "unixd": "unix_dgram", "tcp": "tcp", "udp": "udp"}

Invoke = Callable[[str, list[Any], str, str], Awaitable[Any]]


@dataclass(frozen=True)
class CtlEndpoint:
    """One binrpc listener: kind is "unixs", "unixd", "tcp" or "udp"."""

    kind: str
    host: str = ""
    port: int = 0
    path: str = ""
    default: bool = False  # the built-in default socket: trouble opening it is not fatal

    def describe(self) -> str:
        if self.kind in ("unixs", "unixd"):
            return f"{self.kind}:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.kind}:{host}:{self.port}"


@dataclass
class CtlConfig:
    """Everything the binrpc listeners need."""

    endpoints: list[CtlEndpoint] = field(default_factory=list)
    mode: int = 0o600
    user: str | None = None
    group: str | None = None
    access: AccessList = field(default_factory=AccessList)
    max_request_size: int = 65536
    max_reply_size: int = 32 * 1024
    timeout: float = 10.0


def parse_binrpc_address(text: str) -> CtlEndpoint:
    """A `binrpc` modparam value as an endpoint; ConfigError when it does not parse."""
    text = text.strip()
    proto, sep, rest = text.partition(":")
    proto = proto.lower()
    if not sep or proto not in ("unix", "unixs", "unixd", "tcp", "udp"):
        if text.startswith("/") or text.startswith("."):
            proto, rest = "unixs", text
        else:
            proto, rest = "udp", text
    if proto in ("unix", "unixs", "unixd"):
        if not rest:
            raise ConfigError(f"bad ctl binrpc address {text!r}: no socket path")
        return CtlEndpoint("unixd" if proto == "unixd" else "unixs", path=rest)
    host, port = rest, DEFAULT_PORT
    if rest.startswith("["):
        inner, _, tail = rest[1:].partition("]")
        host = inner
        if tail.startswith(":"):
            port = _port(tail[1:], text)
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
        port = _port(port_text, text)
    elif rest.isdigit():
        host, port = "", _port(rest, text)
    if host in ("", "*"):
        host = "0.0.0.0"
    return CtlEndpoint(proto, host, port)


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise ConfigError(f"bad ctl binrpc address {whole!r}: bad port {text!r}")
    return int(text)


def _int(value: object, default: int, what: str) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text, 8) if text.startswith("0") and text.isdigit() else int(text, 0)
    except ValueError:
        raise ConfigError(f"ctl {what} must be an integer, not {value!r}") from None


def _mode(value: object) -> int:
    """The socket mode; the cfg front-end already reads `0600` as octal, as Kamailio does."""
    return _int(value, 0o600, "mode")


def ctl_config(settings: ConfigSettings, access: AccessList, *, max_request_size: int = 65536,
               timeout: float = 10.0) -> CtlConfig | None:
    """The binrpc listeners a config asks for; None when ctl is not loaded."""
    if "ctl" not in settings.modules:
        return None
    texts = [v for v in settings.modparam_all("ctl", "binrpc") if isinstance(v, str) and v]
    endpoints = [parse_binrpc_address(t) for t in dict.fromkeys(texts)]
    if not texts:
        endpoints = [CtlEndpoint("unixs", path=DEFAULT_BINRPC[5:], default=True)]
    extra = [v for v in settings.modparam_all("ctl", "allow_from") if isinstance(v, str)]
    try:
        allowed = AccessList([*(str(n) for n in access.networks), *extra])
    except AccessError as exc:
        raise ConfigError(str(exc)) from None
    user, group = settings.modparam("ctl", "user"), settings.modparam("ctl", "group")
    cfg = CtlConfig(
        endpoints=endpoints,
        mode=_mode(settings.modparam("ctl", "mode")),
        user=str(user) if user not in (None, "") else None,
        group=str(group) if group not in (None, "") else None,
        access=allowed, max_request_size=max_request_size, timeout=timeout,
        max_reply_size=_int(settings.modparam("ctl", "binrpc_max_body_size"), 32,
                            "binrpc_max_body_size") * 1024)
    for ep in endpoints:
        if ep.kind in ("tcp", "udp") and not is_loopback_host(ep.host) and not allowed:
            raise ConfigError(
                f"ctl binrpc listener {ep.describe()} is not on loopback: set "
                "modparam(\"ctl\", \"allow_from\", \"ADDRESS/NET\") to say who may use it")
    return cfg


# --- answering one request -------------------------------------------------------------------

def _kamailio_type(want: type | None) -> str:
    return {int: "integer", float: "float", str: "string"}.get(want, "any") if want else "any"


def param_problem(registry: RPCRegistry, method: str, params: list[Any]) -> str | None:
    """Kamailio's scan error for parameters the method cannot take, else None."""
    m = registry.get(method)
    slots = list(m.slots)
    for i, slot in enumerate(slots):
        if slot.variadic:
            for j in range(i, len(params)):
                try:
                    convert(params[j], slot.type, j + 1)
                except RPCFault:
                    return (f"error at parameter {j}: expected {_kamailio_type(slot.type)} "
                            "type but record doesn't match type")
            return None
        if i >= len(params):
            if slot.required:
                return (f"error at parameter {i}: expected {_kamailio_type(slot.type)} type "
                        "but end of packet encountered")
            return None
        try:
            convert(params[i], slot.type, i + 1)
        except RPCFault:
            return (f"error at parameter {i}: expected {_kamailio_type(slot.type)} type but "
                    "record doesn't match type")
    return None


def _stats_lines(result: Any) -> Any:
    # Kamailio answers "group:name = value" strings; siprouter's handler a mapping.
    if isinstance(result, dict):
        return [f"{k} = {v}" for k, v in result.items()]
    return result


def _one_struct(result: Any) -> Any:
    # Kamailio adds one array and its named members (`socket: {...}` each): kamcmd prints one
    # struct where JSON-RPC has a list of one-member objects.
    if isinstance(result, list) and all(isinstance(i, dict) for i in result):
        return binrpc.Struct(tuple(pair for item in result for pair in item.items()))
    return result


# Methods whose siprouter result is shaped differently from Kamailio's binrpc reply.
def _null_string(result: Any) -> Any:
    # cfg.get of an unset string variable is one NULL str record, not an empty reply.
    return [None] if result is None else result


KAMAILIO_SHAPES: dict[str, Callable[[Any], Any]] = {"stats.get_statistics": _stats_lines,
                                                    "core.sockets_list": _one_struct,
                                                    "cfg.get": _null_string}


class Answerer:
    """Turns request frames into reply or fault bytes, through `invoke`."""

    def __init__(self, registry: RPCRegistry, invoke: Invoke, max_reply_size: int) -> None:
        self.registry = registry
        self.invoke = invoke
        self.max_reply_size = max_reply_size

    async def answer(self, frame: binrpc.Frame, transport: str, peer: str) -> tuple[bytes, bool]:
        """(reply bytes, keep the connection); malformed requests close it."""
        try:
            req = binrpc.decode_request(frame)
        except binrpc.BinrpcError as exc:
            log.warning("ctl %s %s: bad binrpc request: %s", transport, peer, exc)
            what = "bad request method" if frame.type == binrpc.REQUEST else "bad request"
            return binrpc.encode_fault(400, f"{what}: {exc.reason}", frame.cookie), False
        return await self.call(req, transport, peer), True

    async def call(self, req: binrpc.Request, transport: str, peer: str) -> bytes:
        if req.method not in self.registry:
            return binrpc.encode_fault(500, f"command {req.method} not found", req.cookie)
        method = self.registry.get(req.method)
        params = req.params
        if method.max_params is not None:
            params = params[:method.max_params]  # Kamailio ignores what a method does not read
        problem = param_problem(self.registry, req.method, params)
        if problem:
            return binrpc.encode_fault(400, problem, req.cookie)
        try:
            result = await self.invoke(req.method, params, transport, peer)
        except RPCFault as fault:
            code = fault.code if 100 <= fault.code < 1000 else (
                400 if fault.code == INVALID_PARAMS else 500)
            return binrpc.encode_fault(code, fault.message, req.cookie)
        shape = KAMAILIO_SHAPES.get(req.method)
        if shape is not None:
            result = shape(result)
        body = binrpc.encode_values(binrpc.reply_values(result))
        if len(body) > self.max_reply_size:
            return binrpc.encode_fault(
                500, f"reply too big ({len(body)} bytes; binrpc_max_body_size is "
                     f"{self.max_reply_size // 1024})", req.cookie)
        return binrpc.header(binrpc.REPLY, len(body), req.cookie) + body


# --- listeners -------------------------------------------------------------------------------

@dataclass
class Connection:
    """An open binrpc stream connection, as ctl.who lists it."""

    kind: str  # unix_stream or tcp
    source: tuple[str, str]
    destination: tuple[str, str]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, server: CtlServer, ep: CtlEndpoint) -> None:
        self.server = server
        self.ep = ep
        self.transport: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if isinstance(addr, tuple) and not self.server.config.access.allows(str(addr[0])):
            log.warning("ctl udp: dropped datagram from %s (not in allow_from)", addr[0])
            return
        if not addr or len(self._tasks) >= MAX_CONNECTIONS:
            return  # an unbound unix client: nowhere to reply
        task = asyncio.get_running_loop().create_task(self._answer(data, addr))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, data: bytes, addr: Any) -> None:
        peer = f"{addr[0]}:{addr[1]}" if isinstance(addr, tuple) else str(addr)
        try:
            frame = binrpc.decode_frame(data)
        except binrpc.BinrpcError as exc:
            log.warning("ctl %s %s: bad binrpc datagram: %s", self.ep.kind, peer, exc)
            reply = binrpc.encode_fault(400, f"bad request: {exc.reason}", 0)
        else:
            if len(frame.body) > self.server.config.max_request_size:
                reply = binrpc.encode_fault(400, "bad request: request too large", frame.cookie)
            else:
                reply, _ = await self.server.answerer.answer(frame, f"binrpc-{self.ep.kind}",
                                                             peer)
        if self.transport is not None and not self.transport.is_closing():
            try:
                self.transport.sendto(reply, addr)
            except OSError as exc:
                log.warning("ctl %s: cannot reply to %s: %s", self.ep.kind, peer, exc)

    def error_received(self, exc: Exception) -> None:
        log.debug("ctl %s: %s", self.ep.kind, exc)


class CtlServer:
    """Every binrpc listener of a config, on the running loop."""

    def __init__(self, config: CtlConfig, registry: RPCRegistry, invoke: Invoke) -> None:
        self.config = config
        self.answerer = Answerer(registry, invoke, config.max_reply_size)
        self.bound: list[CtlEndpoint] = []
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._paths: list[tuple[str, int, int]] = []  # (path, st_dev, st_ino) we created
        self._connections: dict[asyncio.Task[Any], Connection] = {}

    async def start(self) -> None:
        """Open every listener: OSError for one that cannot be opened, except the default
        socket (one log line, then on without it)."""
        for ep in self.config.endpoints:
            try:
                await self._open(ep)
            except OSError as exc:
                if ep.default:
                    log.warning("ctl: binrpc socket %s not opened (%s); kamcmd needs -s to reach "
                                "this server", ep.describe(), exc.strerror or exc)
                    continue
                await self.close()
                raise OSError(exc.errno, f"cannot listen on binrpc {ep.describe()}: "
                                         f"{exc.strerror or exc}") from None
        for ep in self.bound:
            log.info("ctl: binrpc listening on %s", ep.describe())

    async def _open(self, ep: CtlEndpoint) -> None:
        loop = asyncio.get_running_loop()
        if ep.kind == "tcp":
            srv = await asyncio.start_server(
                lambda r, w: self._on_stream(r, w, "tcp"), ep.host, ep.port,
                reuse_address=True)
            self._servers.append(srv)
            self.bound.append(CtlEndpoint("tcp", ep.host, srv.sockets[0].getsockname()[1]))
        elif ep.kind == "udp":
            family = socket.AF_INET6 if ":" in ep.host else socket.AF_INET
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self, ep), local_addr=(ep.host, ep.port), family=family)
            self._transports.append(transport)
            self.bound.append(CtlEndpoint("udp", ep.host, transport.get_extra_info("sockname")[1]))
        elif ep.kind == "unixs":
            sock = self._unix_socket(ep.path, socket.SOCK_STREAM)
            srv = await asyncio.start_unix_server(
                lambda r, w: self._on_stream(r, w, "unix_stream"), sock=sock)
            self._servers.append(srv)
            self.bound.append(ep)
        elif ep.kind == "unixd":
            sock = self._unix_socket(ep.path, socket.SOCK_DGRAM)
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(self, ep), sock=sock)
            self._transports.append(transport)
            self.bound.append(ep)
        else:
            raise OSError(errno.EINVAL, f"unknown binrpc listener kind {ep.kind}")

    def _unix_socket(self, path: str, kind: int) -> socket.socket:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        _remove_stale(path, kind)
        sock = socket.socket(socket.AF_UNIX, kind)
        try:
            sock.bind(path)
            st = os.stat(path)
            self._paths.append((path, st.st_dev, st.st_ino))
            os.chmod(path, self.config.mode)
            if self.config.user is not None or self.config.group is not None:
                os.chown(path, _uid(self.config.user), _gid(self.config.group))
            if kind == socket.SOCK_STREAM:
                sock.listen(64)
        except BaseException:
            sock.close()
            raise
        sock.setblocking(False)
        return sock

    async def _on_stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         kind: str) -> None:
        peer = writer.get_extra_info("peername")
        if kind == "tcp" and not self.config.access.allows(str(peer[0])):
            log.warning("ctl tcp: refused connection from %s (not in allow_from)", peer[0])
            writer.close()
            return
        if len(self._connections) >= MAX_CONNECTIONS:
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = _connection(kind, writer)
        try:
            await self._serve(reader, writer, kind, _peer_text(peer))
        finally:
            self._connections.pop(task, None)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     kind: str, peer: str) -> None:
        frames = binrpc.FrameReader(self.config.max_request_size)
        transport = f"binrpc-{kind}"
        try:
            while True:
                # Idle connections stay (kamcmd's interactive mode keeps one); a frame once
                # started must arrive whole within the timeout.
                timeout = self.config.timeout if frames.pending else None
                data = await asyncio.wait_for(reader.read(65536), timeout)
                if not data:
                    return
                try:
                    batch = frames.feed(data)
                except binrpc.BinrpcError as exc:
                    log.warning("ctl %s %s: bad binrpc frame: %s", kind, peer, exc)
                    writer.write(binrpc.encode_fault(400, f"bad request: {exc.reason}", 0))
                    await asyncio.wait_for(writer.drain(), self.config.timeout)
                    return
                for frame in batch:
                    reply, keep = await self.answerer.answer(frame, transport, peer)
                    writer.write(reply)
                    await asyncio.wait_for(writer.drain(), self.config.timeout)
                    if not keep:
                        return
        except (ConnectionError, TimeoutError):
            return

    def connections(self) -> list[Connection]:
        return list(self._connections.values())

    def listeners(self) -> list[tuple[str, str, str, str]]:
        """(protocol, type, address, port) per listener, as ctl.listen shows them."""
        out = []
        for ep in self.bound:
            if ep.kind in ("unixs", "unixd"):
                out.append(("binrpc", KINDS[ep.kind], ep.path, ""))
            else:
                out.append(("binrpc", KINDS[ep.kind], ep.host, str(ep.port)))
        return out

    async def close(self) -> None:
        """Stop listening, drop connections, remove the socket files this server made."""
        for srv in self._servers:
            srv.close()
        for t in self._transports:
            t.close()
        for task in list(self._connections):
            task.cancel()
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 1)
        for path, dev, ino in self._paths:
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                if (st.st_dev, st.st_ino) == (dev, ino):  # still ours, not a newer server's
                    os.unlink(path)
        self._servers, self._transports, self._paths = [], [], []


def _remove_stale(path: str, kind: int) -> None:
    """Unlink a socket file left by an earlier run; OSError(EADDRINUSE) when a live server
    answers on it (never take a running server's socket away)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise OSError(errno.EEXIST, f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, kind)
    try:
        probe.settimeout(1)
        probe.connect(path)
    except OSError:
        os.unlink(path)  # nobody listens: stale
        return
    finally:
        probe.close()
    raise OSError(errno.EADDRINUSE, f"another server listens on {path}")


def _uid(user: str | None) -> int:
    if user is None:
        return -1
    if user.isdigit():
        return int(user)
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        raise OSError(errno.EINVAL, f"unknown user {user!r}") from None


def _gid(group: str | None) -> int:
    if group is None:
        return -1
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise OSError(errno.EINVAL, f"unknown group {group!r}") from None


def _peer_text(peer: Any) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return "unix"


def _connection(kind: str, writer: asyncio.StreamWriter) -> Connection:
    if kind == "tcp":
        peer = writer.get_extra_info("peername")
        local = writer.get_extra_info("sockname")
        return Connection(kind, (str(peer[0]), str(peer[1])), (str(local[0]), str(local[1])))
    local = writer.get_extra_info("sockname")
    return Connection(kind, ("<anonymous unix socket>", ""), (str(local or ""), ""))
