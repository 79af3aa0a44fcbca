"""Is an address one of ours? (Kamailio's check_self: listen addresses, advertised addresses
and aliases; `uri == myself`, loop detection, replies' top Via.)"""

from __future__ import annotations

from collections.abc import Iterable

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.transport.listen import Alias


def _bare(host: str) -> str:
    host = host.lower()
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


class LocalIdentity:
    """The names and ports this server answers to."""

    def __init__(self, sockets: Iterable[SocketInfo], aliases: Iterable[Alias] = ()) -> None:
        self.sockets = list(sockets)
        # host -> ports it is ours on (None: any port)
        self._hosts: dict[str, set[int | None]] = {}
        for s in self.sockets:
            self._add(s.ip, s.port)
            if s.advertised_host:
                self._add(s.advertised_host, s.advertised_port or s.port)
        for a in aliases:
            self._add(a.host, a.port)
        self._addresses = {(s.proto, s.ip, s.port) for s in self.sockets}
        self._cache: dict[tuple[str, int | None], bool] = {}

    def _add(self, host: str, port: int | None) -> None:
        self._hosts.setdefault(_bare(host), set()).add(port)

    def is_myself(self, host: str, port: int | None = None) -> bool:
        """True when host (a name or address, IPv6 with or without brackets) is ours, on
        `port` when given (None: any of our ports)."""
        key = (host, port)
        found = self._cache.get(key)
        if found is None:
            ports = self._hosts.get(_bare(host))
            found = ports is not None and (port is None or None in ports or port in ports)
            if len(self._cache) > 1024:
                self._cache.clear()
            self._cache[key] = found
        return found

    def is_listen_address(self, proto: str, ip: str, port: int) -> bool:
        """True when proto:ip:port is one of our listening sockets (a loop if we send there)."""
        return (proto, _bare(ip), port) in self._addresses

    def find_socket(self, spec: str) -> SocketInfo | None:
        """Our socket named by `[proto:]addr[:port]` (force_send_socket)."""
        text = spec.strip().strip('"')
        proto = None
        head, colon, tail = text.partition(":")
        if colon and head.lower() in ("udp", "tcp", "tls"):
            proto, text = head.lower(), tail
        port: int | None = None
        if text.startswith("["):
            end = text.find("]")
            host, rest = text[1:end], text[end + 1:]
            if rest.startswith(":") and rest[1:].isdigit():
                port = int(rest[1:])
        elif text.count(":") == 1:
            host, _, p = text.partition(":")
            port = int(p) if p.isdigit() else None
        else:
            host = text
        host = _bare(host)
        for s in self.sockets:
            if (proto is None or s.proto == proto) and (port is None or s.port == port) and \
                    host in (s.ip, _bare(s.advertised_host or "")):
                return s
        return None
