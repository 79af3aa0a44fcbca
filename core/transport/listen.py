"""Listen addresses as Kamailio writes them: `listen=[proto:]addr[:port] [advertise host[:port]]`.

Pure text handling; binding happens in `sockets`. A listen value without a protocol means every
protocol the server runs (UDP and TCP, TLS too when enabled); one without a port takes the
`port` core parameter (5060, 5061 for TLS).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from siprouter.core.runtime.sipstate import SocketInfo

PROTOS = ("udp", "tcp", "tls")
DEFAULT_PORTS = {"udp": 5060, "tcp": 5060, "tls": 5061}


class ListenError(ValueError):
    """A listen, alias or advertise value that cannot be understood."""


@dataclass(frozen=True, slots=True)
class HostPort:
    """`host[:port]` split; IPv6 without brackets; port None when not given."""

    host: str
    port: int | None


def split_host_port(text: str) -> HostPort:
    """Split `host`, `host:port`, `[v6]`, `[v6]:port` (a bare IPv6 address has no port)."""
    text = text.strip()
    if not text:
        raise ListenError("empty address")
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ListenError(f"unclosed '[' in {text!r}")
        host, rest = text[1:end], text[end + 1:]
        if rest and not rest.startswith(":"):
            raise ListenError(f"junk after ']' in {text!r}")
        return HostPort(host, _port(rest[1:], text) if rest else None)
    if text.count(":") > 1:  # a bare IPv6 address
        return HostPort(text, None)
    host, colon, port = text.partition(":")
    return HostPort(host, _port(port, text) if colon else None)


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 65535:
        raise ListenError(f"bad port in {whole!r}")
    return int(text)


@lru_cache(maxsize=4096)
def is_ip(host: str) -> bool:
    """True for an IPv4 or IPv6 address literal (no brackets); cached: every send asks."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse_listen(value: str, *, default_port: int | None = None,
                 protos: tuple[str, ...] = ("udp", "tcp")) -> list[SocketInfo]:
    """The sockets one `listen=` value asks for.

    `default_port` is the `port` core parameter (None: 5060, 5061 for TLS); `protos` are the
    protocols a value without one stands for.
    """
    text = value.strip().strip('"')
    address, _, rest = text.partition(" ")
    advertised: HostPort | None = None
    words = rest.split()
    while words:
        word = words.pop(0).lower()
        if word == "advertise" and words:
            advertised = split_host_port(words.pop(0))
        elif word == "name" and words:
            words.pop(0)  # socket names are accepted; nothing refers to them yet
        else:
            raise ListenError(f"unexpected {word!r} in listen value {value!r}")
    proto_list = protos
    head, colon, tail = address.partition(":")
    if colon and head.lower() in PROTOS + ("sctp", "ws", "wss"):
        if head.lower() not in PROTOS:
            raise ListenError(f"protocol {head} is not supported")
        proto_list = (head.lower(),)
        address = tail
    hp = split_host_port(address)
    host = hp.host
    if host == "*":
        host = "0.0.0.0"
    out = []
    for proto in proto_list:
        port = hp.port or default_port or DEFAULT_PORTS[proto]
        if proto == "tls" and hp.port is None and default_port is None:
            port = DEFAULT_PORTS["tls"]
        adv_host = advertised.host if advertised else None
        adv_port = advertised.port if advertised else None
        out.append(SocketInfo(proto, host, port, adv_host, adv_port))
    return out


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name of this server (`alias=` core parameter): proto None and port None match
    any."""

    host: str
    port: int | None = None
    proto: str | None = None


def parse_alias(value: str) -> Alias:
    """`alias=[proto:]host[:port]`."""
    text = value.strip().strip('"')
    proto = None
    head, colon, tail = text.partition(":")
    if colon and head.lower() in PROTOS:
        proto, text = head.lower(), tail
    hp = split_host_port(text)
    return Alias(hp.host.lower(), hp.port, proto)
