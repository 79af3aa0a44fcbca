"""Who may talk to a management listener: loopback always, others only through an access list."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AccessError(ValueError):
    """A bad access-list entry, or a listener configuration that would be unsafe."""


def _network(text: str) -> IPNetwork:
    try:
        return ipaddress.ip_network(text.strip().strip("[]"), strict=False)
    except ValueError:
        raise AccessError(f"bad address or network in access list: {text!r}") from None


def _unmapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> (
        ipaddress.IPv4Address | ipaddress.IPv6Address):
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class AccessList:
    """Addresses and networks allowed besides loopback (always allowed)."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.networks: list[IPNetwork] = []
        for entry in entries:
            for word in entry.replace(",", " ").split():
                self.networks.append(_network(word))

    def __bool__(self) -> bool:
        return bool(self.networks)

    def allows(self, address: str) -> bool:
        """Whether a peer at IP `address` may use the listener."""
        try:
            ip = _unmapped(ipaddress.ip_address(address.split("%", 1)[0]))
        except ValueError:
            return False
        if ip.is_loopback:
            return True
        return any(ip in net for net in self.networks)


def is_loopback_host(host: str) -> bool:
    """Whether binding to `host` keeps a listener on loopback only."""
    host = host.strip("[]")
    try:
        return _unmapped(ipaddress.ip_address(host)).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(
        _unmapped(ipaddress.ip_address(str(i[4][0]).split("%", 1)[0])).is_loopback
        for i in infos)
