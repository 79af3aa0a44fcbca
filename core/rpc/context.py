"""What an RPC handler can see: the server (`ServerInfo`) and the call (`RPCContext`)."""

from __future__ import annotations

import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from siprouter.core.shared.cfgframework import CfgFramework
from siprouter.core.shared.counters import COUNTERS, CounterSet

from .settings import ConfigSettings


def package_version() -> str:
    try:
        return metadata.version("siprouter")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def version_string() -> str:
    """`siprouter 0.1.0 (x86_64/linux)`, shaped like Kamailio's core.version."""
    return f"siprouter {package_version()} ({platform.machine().lower()}/{sys.platform})"


@dataclass(frozen=True)
class ProcessInfo:
    """One process of the server, as core.ps/core.psx list it."""

    rank: int
    pid: int
    description: str


@dataclass(frozen=True)
class ListenSocket:
    """A SIP listen socket, as core.sockets_list lists it."""

    proto: str
    address: str
    port: int
    advertised: str = ""


def _this_process() -> list[ProcessInfo]:
    return [ProcessInfo(0, os.getpid(), "main process - rpc server")]


def _kill_self(signum: int) -> None:
    # A moment's delay lets the reply to core.kill leave first.
    threading.Timer(0.2, os.kill, (os.getpid(), signum)).start()


@dataclass
class ServerInfo:
    """The running server, for the RPC handlers. Fields are filled by whoever starts the
    management server; callables are read at call time (process tables change)."""

    settings: ConfigSettings = field(default_factory=ConfigSettings)
    counters: CounterSet = field(default_factory=lambda: COUNTERS)
    cfg: CfgFramework = field(default_factory=CfgFramework)
    version: str = field(default_factory=version_string)
    start_time: float = field(default_factory=time.time)
    argv: list[str] = field(default_factory=lambda: list(sys.argv))
    sockets: list[ListenSocket] = field(default_factory=list)
    aliases: list[tuple[str, int]] = field(default_factory=list)
    processes: Callable[[], list[ProcessInfo]] = _this_process
    kill: Callable[[int], None] = _kill_self
    management: list[str] = field(default_factory=list)  # listener descriptions
    # ctl.listen / ctl.who rows (protocol, type, addresses...), set by the management server
    listeners: Callable[[], list[tuple[str, ...]]] = list
    who: Callable[[], list[tuple[str, ...]]] = list
    connections: Callable[[], list[dict[str, Any]]] = list
    tcp_info: Callable[[], dict[str, int]] = dict
    clock: Callable[[], float] = time.time

    @property
    def modules(self) -> list[str]:
        return list(self.settings.modules)


@dataclass
class RPCContext:
    """One call: the server, and where the request came from."""

    server: ServerInfo
    registry: Any  # RPCRegistry; Any to keep this module free of an import cycle
    transport: str = "internal"
    peer: str = ""
