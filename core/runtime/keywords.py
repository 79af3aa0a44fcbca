"""Bare words and selects an expression can read besides pseudo-variables.

Old-style conditions (`method == "INVITE"`, `uri =~ "..."`, `src_ip == 10.0.0.0/8`,
`dst_port == 5060`, `msg:len > 4096`, `uri == myself`) and selects (`@from.uri`) read the message,
so the SIP layer registers them here; the interpreter only knows the constants and `retcode`.
"""

from __future__ import annotations

from collections.abc import Callable

from .context import Context
from .values import Value

Getter = Callable[[Context], Value]

# Protocol and address-family names compare as numbers (Kamailio's PROTO_* and AF_*).
CONSTANT_WORDS: dict[str, int] = {
    "UDP": 1, "TCP": 2, "TLS": 3, "SCTP": 4, "WS": 5, "WSS": 6,
    "udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6,
    "INET": 2, "INET6": 10,
}

KEYWORDS: dict[str, Getter] = {
    "retcode": lambda ctx: ctx.last_retcode,
}

# Select factories by first component: "from" serves @from.uri, @from.tag ...; each gets the
# whole select text at compile time and returns a getter.
SELECTS: dict[str, Callable[[str], Getter]] = {}


# `x == myself` / `x != myself`: is the address (a URI or host) one of ours? The SIP layer, which
# knows the listen sockets and aliases, sets this; a comparison with `myself` calls it.
MYSELF: list[Callable[[Context, Value], bool]] = []


def register_myself(check: Callable[[Context, Value], bool]) -> None:
    """Set the test behind `== myself` (Kamailio's check_self)."""
    MYSELF[:] = [check]


def register_keyword(name: str, getter: Getter) -> None:
    """Make the bare word `name` readable in expressions (e.g. `method`, `src_ip`)."""
    KEYWORDS[name] = getter


def register_select(head: str, factory: Callable[[str], Getter]) -> None:
    """Serve selects starting with `@head` (e.g. "from" for `@from.uri`)."""
    SELECTS[head] = factory


def select_head(text: str) -> str:
    """`@from.uri` -> "from", `@hf_value["X"]` -> "hf_value"."""
    body = text.lstrip("@")
    for i, ch in enumerate(body):
        if ch in ".[":
            return body[:i]
    return body
