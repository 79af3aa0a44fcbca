"""Via values (RFC 3261 s20.42, RFC 3581 rport, RFC 5118 IPv6): parse and build.

``SIP / 2.0 / UDP host[:port] *(;param)`` with LWS allowed around the slashes and the colon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import LocalSIPError, RemoteSIPError
from .syntax import TOKEN_CHARS, format_params, is_token, param_value, parse_params
from .uri import bare_host, host_reference, is_ip_address, is_valid_host

BRANCH_MAGIC = "z9hG4bK"
"""RFC 3261 magic cookie: a branch starting with it was made by an RFC 3261 element."""

_VIA_HEAD_RE = re.compile(
    f"[ \\t]*([{TOKEN_CHARS}]+)[ \\t]*/[ \\t]*([{TOKEN_CHARS}]+)[ \\t]*/[ \\t]*([{TOKEN_CHARS}]+)"
    r"[ \t]+(\[[^\]]*\]|[^\s:;,\[]+)(?:[ \t]*:[ \t]*([0-9]+))?"
)

DEFAULT_PORTS = {"TLS": 5061, "WSS": 443, "WS": 80}


@dataclass(slots=True)
class Via:
    """One Via value.

    Attributes:
        protocol: ``"SIP/2.0"``.
        transport: upper-cased transport (``"UDP"``, ``"TCP"``, ``"TLS"``, ``"SCTP"`` ...).
        host: sent-by host as written (IPv6 with brackets, lower-cased).
        port: sent-by port, or None.
        params: parameters, names lower-cased, values as written (None for flags).
    """

    protocol: str
    transport: str
    host: str
    port: int | None
    params: dict[str, str | None]

    @property
    def branch(self) -> str | None:
        """The branch parameter, or None."""
        return param_value(self.params.get("branch"))

    @property
    def received(self) -> str | None:
        """The received parameter (an IP address, maybe bracketed), or None."""
        return self.params.get("received")

    @property
    def has_rport(self) -> bool:
        """True when the rport parameter is present, with or without a value."""
        return "rport" in self.params

    @property
    def rport(self) -> int | None:
        """The rport value, or None when absent or empty (a request for one)."""
        value = self.params.get("rport")
        return int(value) if value else None

    @property
    def maddr(self) -> str | None:
        """The maddr parameter, or None."""
        return self.params.get("maddr")

    @property
    def sent_by(self) -> str:
        """``host[:port]`` as it appears in the Via."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def default_port(self) -> int:
        """The port a reply goes to when no port is given: 5060, 5061 for TLS, ..."""
        return DEFAULT_PORTS.get(self.transport, 5060)

    def is_rfc3261_branch(self) -> bool:
        """True when the branch starts with the RFC 3261 magic cookie."""
        branch = self.branch
        return branch is not None and branch.startswith(BRANCH_MAGIC)

    def with_params(self, **changes: str | None) -> Via:
        """A copy with parameters set (a value, or None for a flag), kept in order."""
        params = dict(self.params)
        params.update(changes)
        return Via(self.protocol, self.transport, self.host, self.port, params)

    def __str__(self) -> str:
        return f"{self.protocol}/{self.transport} {self.sent_by}{format_params(self.params)}"


# Spellings seen on nearly every Via: a set lookup instead of the token regex.
_PLAIN_TRANSPORTS = frozenset(("UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp", "tcp", "tls"))

_PARAMS_FAST_RE = re.compile(f"(?:;[{TOKEN_CHARS}]+(?:=[{TOKEN_CHARS}.:]+)?)+")

# Nearly every Via is `SIP/2.0/T host[:port];name=value...` without optional spaces, with a
# plain host and token parameter values: one match finds every part of it.
_VIA_QUICK_RE = re.compile(
    f"SIP/2\\.0/([A-Za-z]+) ([A-Za-z0-9.\\-]+)(?::([0-9]{{1,5}}))?"
    f"((?:;[{TOKEN_CHARS}]+(?:=[{TOKEN_CHARS}]+)?)*)"
)
# The upper-cased transport and lower-cased parameter names for the usual spellings, without
# making a new string each time.
_TRANSPORTS = {t: t.upper() for t in ("UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp", "tcp",
                                      "tls", "sctp", "ws", "wss")}
_PARAM_NAMES = {n: n for n in ("branch", "rport", "received", "maddr", "ttl", "alias", "i")}


# Via shapes: most Vias a worker sees differ from one seen before in their branch value alone
# (the same peer, transport, sent-by and parameters). Such a Via is kept per its shape, the
# text before `;branch=` and the text after the branch value's end (the next `;`), when it
# took the one-regex path of parse_via; another text of that shape with a token as branch
# value takes the same path with the same outcome, so its Via is the kept one with that
# branch. Only shapes with exactly one `;branch` parameter and short texts are kept; bounded
# like the other caches. Each entry is [the Via, its reply_target or None until asked]; the
# kept Via is never handed out itself.
_SHAPES: dict[str | tuple[str, str], list[Any]] = {}
_SHAPES_MAX = 1024
_SHAPE_TEXT_MAX = 256
_TOKEN_FULLMATCH = re.compile(f"[{TOKEN_CHARS}]+").fullmatch


def via_shape(text: str) -> list[Any] | None:
    """The kept entry of `text`'s shape (see _SHAPES) when its branch value is a token, else
    None: [the shape's Via (with another Via's branch: not to be handed out), a slot for its
    reply target]. `parse_via` learns the shapes."""
    head, sep, rest = text.partition(";branch=")
    if not sep:
        return None
    value, semi, tail = rest.partition(";")
    entry = _SHAPES.get((head, tail) if semi else head)
    if entry is not None and _TOKEN_FULLMATCH(value) is not None:
        return entry
    return None


def parse_via(text: str, header: str | None = "via") -> Via:
    """Parse one Via value (already split from its comma list); offsets relative to `text`."""
    # via_shape(), inlined: the branch value is needed here too.
    head, sep, rest = text.partition(";branch=")
    if sep:
        value, semi, tail = rest.partition(";")
        entry = _SHAPES.get((head, tail) if semi else head)
        if entry is not None and _TOKEN_FULLMATCH(value) is not None:
            shape: Via = entry[0]
            params = shape.params.copy()
            params["branch"] = value
            return Via("SIP/2.0", shape.transport, shape.host, shape.port, params)
    return _parse_via_text(text, header)


def _parse_via_text(text: str, header: str | None) -> Via:
    """parse_via without looking at the known shapes (it learns them)."""
    m = _VIA_QUICK_RE.fullmatch(text)
    if m is not None:
        transport, host, port_text, params_text = m.groups()
        port = int(port_text) if port_text is not None else None
        if is_valid_host(host) and (port is None or port <= 65535):
            params: dict[str, str | None] = {}
            if params_text:
                names = _PARAM_NAMES
                for item in params_text[1:].split(";"):
                    name, eq, value = item.partition("=")
                    params[names.get(name) or name.lower()] = value if eq else None
                # Values here are tokens: only the parameters with rules of their own and a
                # branch without value need the full check.
                if not _CHECKED_PARAMS.isdisjoint(params) or params.get("branch", "") is None:
                    _check_params_all(params, text, header)
            via = Via("SIP/2.0", _TRANSPORTS.get(transport) or transport.upper(), host.lower(),
                      port, params)
            if len(text) <= _SHAPE_TEXT_MAX:
                _learn_shape(text, via)
            return via
    return _parse_via(text, header)


def _learn_shape(text: str, via: Via) -> None:
    """Keep the shape of `text`, a Via that took parse_via's one-regex path, when it has one
    `;branch=` with a value (a token then: the regex took it)."""
    head, sep, rest = text.partition(";branch=")
    if not sep or text.lower().count(";branch") != 1:
        return
    value, semi, tail = rest.partition(";")
    if not value:
        return
    if len(_SHAPES) >= _SHAPES_MAX:
        _SHAPES.clear()
    _SHAPES[(head, tail) if semi else head] = [
        Via(via.protocol, via.transport, via.host, via.port, dict(via.params)), None]


def _parse_via(text: str, header: str | None) -> Via:
    # Fast path for `SIP/2.0/T host[:port][;p=v...]` written without optional spaces;
    # anything else goes to the full parser below.
    if text[:8] == "SIP/2.0/":
        sp = text.find(" ", 8)
        semi = text.find(";", sp)
        sent_by = text[sp + 1:semi] if semi >= 0 else text[sp + 1:]
        params_text = text[semi:] if semi >= 0 else ""
        transport = text[8:sp]
        host, colon, port_text = sent_by.partition(":")
        if (
            sp > 8 and (transport in _PLAIN_TRANSPORTS or is_token(transport))
            and (not colon or port_text.isdigit())
            and "[" not in host and is_valid_host(host)
            and (not params_text or _PARAMS_FAST_RE.fullmatch(params_text))
        ):
            port = int(port_text) if colon else None
            if port is None or port <= 65535:
                params = {}
                if params_text:
                    for item in params_text[1:].split(";"):
                        name, eq, value = item.partition("=")
                        params[name.lower()] = value if eq else None
                    _check_params(params, text, header)
                return Via("SIP/2.0", transport.upper(), host.lower(), port, params)
    m = _VIA_HEAD_RE.match(text)
    if m is None:
        raise RemoteSIPError("malformed Via sent-protocol/sent-by", position=0, header=header)
    name, version, transport, host, port_digits = m.groups()
    if name.upper() != "SIP" or version != "2.0":
        raise RemoteSIPError(
            "Via protocol is not SIP/2.0", 505, position=m.start(1), header=header
        )
    if not is_valid_host(host):
        raise RemoteSIPError("malformed Via host", position=m.start(4), header=header)
    port_number = int(port_digits) if port_digits is not None else None
    if port_number is not None and port_number > 65535:
        raise RemoteSIPError("Via port out of range", position=m.start(5), header=header)
    params, _ = parse_params(text, m.end(), 0, "Via", header)
    _check_params(params, text, header)
    return Via("SIP/2.0", transport.upper(), host.lower(), port_number, params)


# Parameters _check_params has rules for; a Via with none of them but branch (most Vias:
# `;branch=...` alone) only needs the branch check.
_CHECKED_PARAMS = frozenset(("received", "rport", "ttl", "maddr"))


def _check_params(params: dict[str, str | None], text: str, header: str | None) -> None:
    if _CHECKED_PARAMS.isdisjoint(params):
        if "branch" not in params:
            return
        branch = params["branch"]
        if branch is not None and is_token(branch):
            return
    _check_params_all(params, text, header)


def _check_params_all(params: dict[str, str | None], text: str, header: str | None) -> None:
    def fail(what: str, name: str) -> RemoteSIPError:
        at = text.lower().find(";" + name)
        return RemoteSIPError(what, position=max(at, 0), header=header)

    received = params.get("received")
    if received is not None and not is_ip_address(received):
        raise fail("Via received is not an IP address", "received")
    if "received" in params and received is None:
        raise fail("Via received has no value", "received")
    rport = params.get("rport")
    if rport is not None and (not rport.isdigit() or int(rport) > 65535):
        raise fail("malformed Via rport", "rport")
    ttl = params.get("ttl")
    if "ttl" in params and (ttl is None or not ttl.isdigit() or int(ttl) > 255):
        raise fail("malformed Via ttl", "ttl")
    maddr = params.get("maddr")
    if "maddr" in params and (maddr is None or not is_valid_host(host_reference(maddr))):
        raise fail("malformed Via maddr", "maddr")
    if "branch" in params:
        branch = params["branch"]
        if branch is None or not is_token(branch):
            raise fail("malformed Via branch", "branch")


def build_via(
    transport: str,
    host: str,
    port: int | None = None,
    *,
    branch: str,
    rport: bool = False,
    params: dict[str, str | None] | None = None,
) -> Via:
    """Our own Via value: ``SIP/2.0/<transport> host[:port];branch=...[;rport]``.

    `host` may be a bare IPv6 address; it gets its brackets here. Raises `LocalSIPError`
    for a bad host, port or branch.
    """
    host = host_reference(host)
    if not is_valid_host(host):
        raise LocalSIPError(f"invalid Via host {host!r}")
    if port is not None and not 0 < port <= 65535:
        raise LocalSIPError(f"Via port {port} out of range")
    if not is_token(branch):
        raise LocalSIPError(f"invalid branch {branch!r}")
    all_params: dict[str, str | None] = {"branch": branch}
    if rport:
        all_params["rport"] = None
    if params:
        all_params.update(params)
    return Via("SIP/2.0", transport.upper(), host, port, all_params)


def same_host(a: str, b: str) -> bool:
    """Compare two hosts/addresses ignoring case and IPv6 brackets."""
    return bare_host(a).lower() == bare_host(b).lower()
