"""Reading `listen=` and `alias=` values: `[proto:]host[:port] [advertise host[:port]]`."""

from __future__ import annotations

from .context import ListenSocket

_PROTOS = ("udp", "tcp", "tls", "sctp", "ws", "wss")


def _split_host_port(text: str, default_port: int) -> tuple[str, int]:
    text = text.strip()
    if text.startswith("["):  # [v6]:port
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else default_port
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port) if port.isdigit() else default_port
    return text, default_port


def parse_listen(text: str) -> list[ListenSocket]:
    """The sockets one `listen=` value opens (no proto: udp and tcp, as Kamailio does)."""
    main, _, advertise = text.partition(" advertise ")
    main = main.strip()
    proto = ""
    head, sep, rest = main.partition(":")
    if sep and head.lower() in _PROTOS:
        proto, main = head.lower(), rest
    host, port = _split_host_port(main, 5061 if proto == "tls" else 5060)
    protos = [proto] if proto else ["udp", "tcp"]
    return [ListenSocket(p, host, port, advertise.strip()) for p in protos]


def parse_alias(text: str) -> tuple[str, str, int]:
    """`alias=[proto:]host[:port]` as (proto, host, port); "" and 0 stand for any."""
    text = text.strip().strip('"')
    proto = ""
    head, sep, rest = text.partition(":")
    if sep and head.lower() in _PROTOS:
        proto, text = head.lower(), rest
    host, port = _split_host_port(text, 0)
    return proto, host, port
