"""Where and how the management server listens, read from a config's modparams.

- `modparam("jsonrpcs", "http_listen", "127.0.0.1:5080")` (siprouter; repeatable, also accepted
  for xmlrpc): the stand-alone HTTP management listener. JSON-RPC is served on it when jsonrpcs
  is loaded (`POST /RPC`), XML-RPC when xmlrpc is loaded (`POST /RPC2` or a text/xml body).
  With xmlrpc loaded, or jsonrpcs' `transport` including HTTP (1), and no http_listen, the
  listener is 127.0.0.1:5080.
- jsonrpcs `dgram_socket` (with `transport` including DATAGRAM, 4; Kamailio's default 6 does):
  `udp:ip:port`, or a unix datagram socket path (relative ones under the core's `run_dir`).
- jsonrpcs `stream_socket` (siprouter): a unix stream socket, one JSON-RPC request per line.
- jsonrpcs `allow_from` (siprouter; repeatable): addresses or networks besides loopback that may
  use the IP listeners. A listener bound beyond loopback without it is refused at start-up.
- jsonrpcs `http_token` (siprouter): when set, HTTP requests need `Authorization: Bearer TOKEN`.
- jsonrpcs `max_request_size` (bytes, 65536) and `http_timeout` (seconds, 10): bigger requests
  are refused (413 / a -32600 reply); a connection idle or slow for longer is closed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .access import AccessError, AccessList, is_loopback_host
from .settings import ConfigSettings

if TYPE_CHECKING:
    from .binrpc_server import CtlConfig

DEFAULT_HTTP = "127.0.0.1:5080"
DEFAULT_RUN_DIR = "/run/siprouter"
HTTP_BIT, FIFO_BIT, DGRAM_BIT = 1, 2, 4


class ConfigError(ValueError):
    """A management setting that cannot be served (or not safely)."""


@dataclass(frozen=True)
class Endpoint:
    """One listener: kind is "http", "udp", "unixd" (datagram) or "unixs" (stream)."""

    kind: str
    host: str = ""
    port: int = 0
    path: str = ""

    def describe(self) -> str:
        if self.kind in ("unixd", "unixs"):
            return f"{self.kind}:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.kind}:{host}:{self.port}"


@dataclass
class ManagementConfig:
    """Everything the management server needs to know to listen."""

    endpoints: list[Endpoint] = field(default_factory=list)
    json_enabled: bool = True
    xml_enabled: bool = True
    access: AccessList = field(default_factory=AccessList)
    token: str | None = None
    max_request_size: int = 65536
    timeout: float = 10.0
    pretty: bool = True
    socket_mode: int = 0o660
    ctl: CtlConfig | None = None  # the ctl module's binrpc listeners (kamcmd)

    def check(self) -> None:
        """ConfigError if a listener is bound beyond loopback without an access list."""
        for ep in self.endpoints:
            if ep.kind in ("http", "udp") and not is_loopback_host(ep.host) and not self.access:
                raise ConfigError(
                    f"management listener {ep.describe()} is not on loopback: set "
                    "modparam(\"jsonrpcs\", \"allow_from\", \"ADDRESS/NET\") to say who may use it")


def split_host_port(text: str, what: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port`."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:]
    else:
        host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"bad {what} address {text!r} (want host:port)")
    return host, int(port)


def run_dir(settings: ConfigSettings) -> str:
    """The core's run_dir (or rundir), else /run/siprouter when usable, else a temp dir."""
    configured = settings.param("run_dir", settings.param("rundir"))
    if isinstance(configured, str) and configured:
        return configured
    try:
        os.makedirs(DEFAULT_RUN_DIR, exist_ok=True)
        if os.access(DEFAULT_RUN_DIR, os.W_OK):
            return DEFAULT_RUN_DIR
    except OSError:
        pass
    return os.path.join(tempfile.gettempdir(), f"siprouter-{os.getuid()}")


def _strings(values: list[object]) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.strip()]


def _int(value: object, default: int, what: str) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 0)
    except ValueError:
        raise ConfigError(f"{what} must be an integer, not {value!r}") from None


def from_settings(settings: ConfigSettings) -> ManagementConfig:
    """The management listeners a config asks for (none when neither jsonrpcs nor xmlrpc is
    loaded: like Kamailio, no RPC transport module, no RPC)."""
    json_on = "jsonrpcs" in settings.modules
    xml_on = "xmlrpc" in settings.modules
    mp = settings.modparam
    try:
        access = AccessList(_strings(settings.modparam_all("jsonrpcs", "allow_from")))
    except AccessError as exc:
        raise ConfigError(str(exc)) from None
    cfg = ManagementConfig(
        json_enabled=json_on, xml_enabled=xml_on, access=access,
        token=mp("jsonrpcs", "http_token") or None,
        max_request_size=_int(mp("jsonrpcs", "max_request_size"), 65536, "max_request_size"),
        timeout=float(_int(mp("jsonrpcs", "http_timeout"), 10, "http_timeout")),
        pretty=bool(_int(mp("jsonrpcs", "pretty_format"), 1, "pretty_format")),
        socket_mode=_int(mp("jsonrpcs", "dgram_mode"), 0o660, "dgram_mode"),
    )
    transport = _int(mp("jsonrpcs", "transport"), 6, "transport") if json_on else 0
    http = _strings(settings.modparam_all("jsonrpcs", "http_listen")) if json_on else []
    if xml_on:
        http += _strings(settings.modparam_all("xmlrpc", "http_listen"))
    if not http and (xml_on or (json_on and (transport == 0 or transport & HTTP_BIT))):
        http = [DEFAULT_HTTP]
    for text in dict.fromkeys(http):
        host, port = split_host_port(text, "http_listen")
        cfg.endpoints.append(Endpoint("http", host, port))
    if json_on and (transport == 0 or transport & DGRAM_BIT):
        sock = mp("jsonrpcs", "dgram_socket", "kamailio_rpc.sock")
        if isinstance(sock, str) and sock:
            cfg.endpoints.append(_dgram_endpoint(sock, settings))
    stream = mp("jsonrpcs", "stream_socket") if json_on else None
    if isinstance(stream, str) and stream:
        cfg.endpoints.append(Endpoint("unixs", path=_path(stream, settings)))
    cfg.check()
    from .binrpc_server import ctl_config  # here: binrpc_server imports this module

    cfg.ctl = ctl_config(settings, access, max_request_size=cfg.max_request_size,
                         timeout=cfg.timeout)
    return cfg


def _path(path: str, settings: ConfigSettings) -> str:
    path = path.removeprefix("unix:")
    return path if os.path.isabs(path) else os.path.join(run_dir(settings), path)


def _dgram_endpoint(text: str, settings: ConfigSettings) -> Endpoint:
    if text.startswith("udp:"):
        host, port = split_host_port(text[4:], "dgram_socket")
        return Endpoint("udp", host, port)
    return Endpoint("unixd", path=_path(text, settings))
