"""Where sercmd sends its calls: the URL forms it understands and the default it looks for.

Forms (docs/sercmd.md has the table):

- `http://host[:port][/path]`, `https://...`: JSON-RPC 2.0 over HTTP (path defaults to `/RPC`).
- `xmlrpc+http://host[:port][/path]`, `xmlrpc+https://...`: XML-RPC over HTTP (`/RPC2`).
- `udp:host:port` (also `udp://host:port`): JSON-RPC over UDP, one datagram per call.
- `unix:/path`: a unix socket; stream or datagram is found out when connecting, since the
  server offers both (jsonrpcs `stream_socket` and `dgram_socket`). `unixs:` forces stream,
  `unixd:` forces datagram, as kamcmd spells them.
- A bare absolute path is `unix:`; a bare `host[:port]` is HTTP, because siprouter's default
  management listener is HTTP (kamcmd would pick binrpc over UDP, which we do not speak).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["http", "xmlrpc", "udp", "unix", "unixs", "unixd"]

# The server's defaults (core/rpc/config.py): HTTP on 127.0.0.1:5080, and with jsonrpcs'
# default transport a datagram socket "kamailio_rpc.sock" in the run_dir.
DEFAULT_HTTP_PORT = 5080
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_HTTP_PORT}/RPC"
DEFAULT_RUN_DIRS = ("/run/siprouter",)
DEFAULT_DGRAM_NAME = "kamailio_rpc.sock"
URL_ENV = "SERCMD_URL"


class URLError(ValueError):
    """A server address sercmd cannot use; the message says what was expected."""


@dataclass(frozen=True)
class Endpoint:
    """A parsed server address."""

    kind: Kind
    host: str = ""
    port: int = 0
    path: str = ""
    tls: bool = False

    def describe(self) -> str:
        """A short, stable name for prompts and messages (`127.0.0.1:5080`, `unix:/x.sock`)."""
        if self.kind in ("unix", "unixs", "unixd"):
            return f"{self.kind}:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.kind == "udp":
            return f"udp:{host}:{self.port}"
        prefix = "xmlrpc+" if self.kind == "xmlrpc" else ""
        scheme = "https" if self.tls else "http"
        return f"{prefix}{scheme}://{host}:{self.port}{self.path}"

    def label(self) -> str:
        """A shorter name for the prompt: `127.0.0.1:5080` for the usual HTTP case."""
        if self.kind in ("unix", "unixs", "unixd", "udp"):
            return self.describe()
        host = f"[{self.host}]" if ":" in self.host else self.host
        prefix = ("xmlrpc+" if self.kind == "xmlrpc" else "") + ("https://" if self.tls else "")
        suffix = "" if self.path in ("/RPC", "/RPC2") else self.path
        return f"{prefix}{host}:{self.port}{suffix}"


def _host_port(text: str, default_port: int | None, original: str) -> tuple[str, int]:
    """`host:port`, `[v6]:port` or (with a default port) `host`."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise URLError(f"bad address {original!r}: unclosed [ in IPv6 host")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise URLError(f"bad address {original!r}: no host")
    if not port_text:
        if default_port is None:
            raise URLError(f"bad address {original!r}: no port (want host:port)")
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) <= 65535:
        raise URLError(f"bad address {original!r}: port must be 1..65535")
    return host, int(port_text)


def _http(url: str, kind: Kind, tls: bool, rest: str, default_path: str) -> Endpoint:
    parts = urlsplit(("https://" if tls else "http://") + rest)
    if not parts.netloc:
        raise URLError(f"bad address {url!r}: no host")
    host, port = _host_port(parts.netloc.rpartition("@")[2], 443 if tls else 80, url)
    path = parts.path or default_path
    if parts.query:
        path += "?" + parts.query
    return Endpoint(kind, host, port, path, tls)


def parse_url(url: str) -> Endpoint:
    """The endpoint `url` names; URLError with a one-line reason when it names none."""
    text = url.strip()
    if not text:
        raise URLError("empty server address")
    low = text.lower()
    for prefix, kind, tls, path in (("http://", "http", False, "/RPC"),
                                    ("https://", "http", True, "/RPC"),
                                    ("xmlrpc+http://", "xmlrpc", False, "/RPC2"),
                                    ("xmlrpc+https://", "xmlrpc", True, "/RPC2"),
                                    ("xmlrpc://", "xmlrpc", False, "/RPC2")):
        if low.startswith(prefix):
            return _http(text, kind, tls, text[len(prefix):], path)  # type: ignore[arg-type]
    for prefix in ("udp://", "udp:"):
        if low.startswith(prefix):
            host, port = _host_port(text[len(prefix):], None, text)
            return Endpoint("udp", host, port)
    for prefix, unix_kind in (("unixs:", "unixs"), ("unixd:", "unixd"), ("unix://", "unix"),
                              ("unix:", "unix")):
        if low.startswith(prefix):
            path = text[len(prefix):]
            if not path:
                raise URLError(f"bad address {url!r}: no socket path")
            return Endpoint(unix_kind, path=path)  # type: ignore[arg-type]
    scheme = low.partition(":")[0]
    if "://" in low or scheme in ("tcp", "fifo"):
        raise URLError(f"unsupported address {url!r}: use http://, xmlrpc+http://, udp: or unix:")
    if text.startswith(("/", "./", "../")):
        return Endpoint("unix", path=text)
    host, port = _host_port(text, DEFAULT_HTTP_PORT, text)
    return Endpoint("http", host, port, "/RPC")


def local_candidates(environ: dict[str, str] | None = None) -> list[str]:
    """Addresses a local siprouter answers on with its default settings, most likely first:
    `$SERCMD_URL` alone when set; else the HTTP listener, then the datagram sockets of the
    run_dirs the server falls back to (only those that exist)."""
    env = os.environ if environ is None else environ
    if env.get(URL_ENV):
        return [env[URL_ENV]]
    out = [DEFAULT_URL]
    dirs = list(DEFAULT_RUN_DIRS) + [os.path.join(tempfile.gettempdir(), f"siprouter-{os.getuid()}")]
    for d in dirs:
        path = os.path.join(d, DEFAULT_DGRAM_NAME)
        if os.path.exists(path):
            out.append(f"unix:{path}")
    return out
