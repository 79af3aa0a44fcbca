"""The management server: every configured listener on one asyncio loop, one dispatcher.

Run it in the process that must keep answering while workers are busy or stopped at a debugger
breakpoint (the supervisor, or a process of its own): `await server.start()` inside a running
loop, or `server.start_in_thread()` from plain code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import stat
import threading
from typing import Any

from .binrpc_server import CtlServer
from .config import Endpoint, ManagementConfig
from .dgram import DatagramRPC
from .dispatch import Dispatcher
from .http import HttpConnection
from .stream import serve_stream

log = logging.getLogger("siprouter.rpc")
MAX_CONNECTIONS = 256


class ManagementServer:
    """Serves `config.endpoints` with `dispatcher`."""

    def __init__(self, config: ManagementConfig, dispatcher: Dispatcher) -> None:
        self.config = config
        self.dispatcher = dispatcher
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._paths: list[str] = []
        self._connections: dict[asyncio.Task[Any], tuple[str, ...]] = {}  # task -> ctl.who row
        self.ctl: CtlServer | None = None  # the ctl module's binrpc listeners
        self.bound: list[Endpoint] = []  # endpoints with the real port (for port 0)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = threading.Event()

    async def _invoke(self, method: str, params: list[Any], transport: str, peer: str) -> Any:
        return await self.dispatcher.call(method, params, transport, peer)

    async def start(self) -> None:
        """Open every listener; OSError (with the endpoint named) when one cannot be opened."""
        for ep in self.config.endpoints:
            try:
                await self._open(ep)
            except OSError as exc:
                await self.close()
                raise OSError(exc.errno, f"cannot listen on {ep.describe()}: {exc.strerror}") from None
        if self.config.ctl is not None:
            self.ctl = CtlServer(self.config.ctl, self.dispatcher.registry, self._invoke)
            try:
                await self.ctl.start()
            except OSError:
                await self.close()
                raise
        for ep in self.bound:
            log.info("management listening on %s", ep.describe())
        self.dispatcher.server.listeners = self.listeners
        self.dispatcher.server.who = self.who

    async def _open(self, ep: Endpoint) -> None:
        loop = asyncio.get_running_loop()
        if ep.kind == "http":
            srv = await asyncio.start_server(self._on_http, ep.host, ep.port,
                                             reuse_address=True, limit=65536)
            self._servers.append(srv)
            port = srv.sockets[0].getsockname()[1]
            self.bound.append(Endpoint("http", ep.host, port))
        elif ep.kind == "udp":
            family = socket.AF_INET6 if ":" in ep.host else socket.AF_INET
            transport, _ = await loop.create_datagram_endpoint(
                lambda: DatagramRPC(self.config, self._invoke, "udp"),
                local_addr=(ep.host, ep.port), family=family)
            self._transports.append(transport)
            port = transport.get_extra_info("sockname")[1]
            self.bound.append(Endpoint("udp", ep.host, port))
        elif ep.kind == "unixd":
            self._prepare_path(ep.path)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(ep.path)
            os.chmod(ep.path, self.config.socket_mode)
            transport, _ = await loop.create_datagram_endpoint(
                lambda: DatagramRPC(self.config, self._invoke, "unixd"), sock=sock)
            self._transports.append(transport)
            self._paths.append(ep.path)
            self.bound.append(ep)
        elif ep.kind == "unixs":
            self._prepare_path(ep.path)
            srv = await asyncio.start_unix_server(
                self._on_stream, ep.path, limit=self.config.max_request_size + 1)
            os.chmod(ep.path, self.config.socket_mode)
            self._servers.append(srv)
            self._paths.append(ep.path)
            self.bound.append(ep)
        else:
            raise OSError(0, f"unknown listener kind {ep.kind}")

    @staticmethod
    def _prepare_path(path: str) -> None:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)  # a stale socket of an earlier run

    def _track(self, proto: str, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections[task] = _who_row(proto, writer)
            task.add_done_callback(lambda t: self._connections.pop(t, None))

    async def _on_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) >= MAX_CONNECTIONS:
            writer.close()
            return
        self._track("http", writer)
        await HttpConnection(reader, writer, self.config, self._invoke).run()

    async def _on_stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) >= MAX_CONNECTIONS:
            writer.close()
            return
        self._track("jsonrpc", writer)
        await serve_stream(reader, writer, self.config, self._invoke)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def listeners(self) -> list[tuple[str, ...]]:
        """(protocol, type, address, port) of every listener, as ctl.listen shows them."""
        rows: list[tuple[str, ...]] = list(self.ctl.listeners()) if self.ctl else []
        for ep in self.bound:
            proto = "http" if ep.kind == "http" else "jsonrpc"
            kind = {"http": "tcp", "unixd": "unix_dgram", "unixs": "unix_stream"}.get(
                ep.kind, ep.kind)
            rows.append((proto, kind, ep.path, "") if ep.path
                        else (proto, kind, ep.host, str(ep.port)))
        return rows

    def who(self) -> list[tuple[str, ...]]:
        """(protocol, type, source address, port, destination address, port) of every open
        connection, as ctl.who shows them."""
        rows: list[tuple[str, ...]] = []
        if self.ctl:
            rows += [("binrpc", c.kind, *c.source, *c.destination)
                     for c in self.ctl.connections()]
        return rows + list(self._connections.values())

    async def close(self) -> None:
        """Stop listening, drop open connections and remove socket files."""
        for srv in self._servers:
            srv.close()
        for t in self._transports:
            t.close()
        if self.ctl is not None:
            await self.ctl.close()
        for task in list(self._connections):
            task.cancel()
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 1)
        for path in self._paths:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._servers, self._transports, self._paths = [], [], []

    # --- running beside other code --------------------------------------------------------------

    def start_in_thread(self) -> None:
        """Run the server on its own loop in a daemon thread; returns once it listens (or
        raises the error that stopped it from listening)."""
        ready = threading.Event()
        error: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the caller below
                error.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.close()
                self._stopped.set()

        self._thread = threading.Thread(target=run, name="rpc-server", daemon=True)
        self._thread.start()
        ready.wait()
        if error:
            raise error[0]

    def stop_thread(self) -> None:
        """Stop a server started with `start_in_thread`."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def _who_row(proto: str, writer: asyncio.StreamWriter) -> tuple[str, ...]:
    peer, local = writer.get_extra_info("peername"), writer.get_extra_info("sockname")
    if isinstance(peer, tuple):
        return (proto, "tcp", str(peer[0]), str(peer[1]), str(local[0]), str(local[1]))
    return (proto, "unix_stream", "<anonymous unix socket>", "", str(local or ""), "")
