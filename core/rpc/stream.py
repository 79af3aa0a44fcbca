"""JSON-RPC over a unix stream socket (jsonrpcs `stream_socket`): one request per line, one
reply per line (compact JSON; a notification gets none). A line over the size limit gets a
-32600 reply and the connection is closed; so is a connection idle for the timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from . import jsonrpc
from .config import ManagementConfig
from .errors import INVALID_REQUEST

Invoke = Callable[[str, list[Any], str, str], Awaitable[Any]]


async def serve_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       config: ManagementConfig, invoke: Invoke) -> None:
    """Answer requests on one connection until it closes."""

    async def call(method: str, params: list[Any]) -> Any:
        return await invoke(method, params, "unixs", "unix")

    try:
        while True:
            try:
                line = await asyncio.wait_for(reader.readuntil(b"\n"), config.timeout)
            except asyncio.IncompleteReadError as exc:
                line = exc.partial  # last request without a newline
                if not line.strip():
                    return
            except asyncio.LimitOverrunError:
                writer.write(jsonrpc.error_reply(
                    INVALID_REQUEST, f"Request too large (limit {config.max_request_size} bytes)")
                    + b"\n")
                await asyncio.wait_for(writer.drain(), config.timeout)
                return
            except TimeoutError:
                return
            if line.strip():
                reply = await jsonrpc.handle(line, call)
                if reply is not None:
                    writer.write(reply + b"\n")
                    await asyncio.wait_for(writer.drain(), config.timeout)
            if reader.at_eof():
                return
    except (ConnectionError, TimeoutError):
        return
    finally:
        writer.close()
