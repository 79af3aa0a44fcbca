"""URIs: SIP/SIPS (RFC 3261 s19.1), TEL (RFC 3966) and any other absolute URI (opaque).

URI objects are not to be mutated (they are shared through caches); change them with
`SipURI.replace`. `parse_uri` never guesses: what does not match the grammar raises `RemoteSIPError` (400)
with the offset of the first bad character. URIs are immutable; `SipURI.replace` makes a
changed copy (for ``$rU``/``$rd``/``$rp`` style rewrites). ``str(uri)`` gives the text as
received for a parsed URI, and a freshly rendered text for a changed one.

Components are kept as written (escaped); the properties `SipURI.user`, `SipURI.password`,
`SipURI.params` and `SipURI.headers` give them with ``%HH`` escapes decoded, which is how
RFC 3261 s19.1.4 compares them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import LocalSIPError, RemoteSIPError
from .syntax import unescape

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*):")

_UNRESERVED = r"A-Za-z0-9\-_.!~*'()"
_ESC = r"%[0-9A-Fa-f]{2}"
_USER_RE = re.compile(rf"(?:[{_UNRESERVED}&=+$,;?/]|{_ESC})+")
_PASSWORD_RE = re.compile(rf"(?:[{_UNRESERVED}&=+$,]|{_ESC})*")
_PARAMCHARS_RE = re.compile(rf"(?:[{_UNRESERVED}\[\]/:&+$]|{_ESC})+")
_HNVCHARS_RE = re.compile(rf"(?:[{_UNRESERVED}\[\]/?:+$]|{_ESC})*")
_HOSTNAME_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_\-]*[A-Za-z0-9_])?)*\.?")
# RFC 5118 s4.10: accept the buggy RFC 3261 ABNF form with three colons too, so the check is
# "hex digits, colons and an optional dotted IPv4 tail, at least two colons".
_IPV6_RE = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:\d{1,3}(?:\.\d{1,3}){3})?")
_IPV4_RE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_TEL_RE = re.compile(r"\+?[0-9A-Fa-f*#\-.()pPwW]+")

DEFAULT_PORTS = {"sip": 5060, "sips": 5061}


class _Keep:
    """Type of `KEEP`: "leave this component as it is" in `SipURI.replace`."""


KEEP = _Keep()


# Hosts repeat (the same peers, our own addresses): remember the verdicts. Bounded, so a peer
# sending ever new names cannot grow it without limit; a verdict depends on the text alone.
_HOST_VERDICTS: dict[str, bool] = {}
_HOST_VERDICTS_MAX = 4096


def is_valid_host(host: str) -> bool:
    """True for a hostname, an IPv4 address or a bracketed IPv6 reference."""
    verdict = _HOST_VERDICTS.get(host)
    if verdict is None:
        verdict = _is_valid_host(host)
        if len(_HOST_VERDICTS) >= _HOST_VERDICTS_MAX:
            _HOST_VERDICTS.clear()
        _HOST_VERDICTS[host] = verdict
    return verdict


def _is_valid_host(host: str) -> bool:
    if host.startswith("["):
        return host.endswith("]") and _IPV6_RE.fullmatch(host[1:-1]) is not None
    if _IPV4_RE.fullmatch(host):
        return all(int(part) <= 255 for part in host.split("."))
    return _HOSTNAME_RE.fullmatch(host) is not None


def is_ip_address(host: str) -> bool:
    """True for an IPv4 address, a bare IPv6 address or a bracketed IPv6 reference."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if _IPV4_RE.fullmatch(bare):
        return all(int(part) <= 255 for part in bare.split("."))
    return _IPV6_RE.fullmatch(bare) is not None


def bare_host(host: str) -> str:
    """Host without the brackets of an IPv6 reference (what a socket wants)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def host_reference(host: str) -> str:
    """Host as written in a URI or Via: IPv6 addresses get brackets."""
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def _split_params(text: str, base: int) -> tuple[tuple[str, str | None], ...]:
    """``;a=b;c`` -> (("a", "b"), ("c", None)) with RFC 3261 paramchar checks."""
    out: list[tuple[str, str | None]] = []
    pos = base
    for item in text.split(";")[1:]:
        pos += 1
        name, eq, value = item.partition("=")
        if not _PARAMCHARS_RE.fullmatch(name) or (eq and not _PARAMCHARS_RE.fullmatch(value)):
            raise RemoteSIPError("malformed URI parameter", position=pos)
        out.append((name, value if eq else None))
        pos += len(item)
    return tuple(out)


def _split_headers(text: str, base: int) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    pos = base
    for item in text.split("&"):
        name, eq, value = item.partition("=")
        if not eq or not _PARAMCHARS_RE.fullmatch(name) or not _HNVCHARS_RE.fullmatch(value):
            raise RemoteSIPError("malformed URI header", position=pos)
        out.append((name, value))
        pos += len(item) + 1
    return tuple(out)


@dataclass(slots=True)
class SipURI:
    """A ``sip:`` or ``sips:`` URI. Components are stored escaped, as written.

    Attributes:
        scheme: ``"sip"`` or ``"sips"`` (lower case).
        user_raw: user part as written, or None when there is no userinfo.
        password_raw: password as written, or None.
        host: hostname, IPv4 address or IPv6 reference *with* brackets.
        port: the port, or None when absent.
        raw_params: ``(name, value)`` pairs as written, in order.
        raw_headers: ``(name, value)`` pairs after ``?``, as written.
    """

    scheme: str
    user_raw: str | None
    password_raw: str | None
    host: str
    port: int | None = None
    raw_params: tuple[tuple[str, str | None], ...] = ()
    raw_headers: tuple[tuple[str, str], ...] = ()
    text: str | None = field(default=None, compare=False)

    @property
    def user(self) -> str | None:
        """User part with escapes decoded (``sip:%75ser@h`` -> ``"user"``)."""
        return None if self.user_raw is None else unescape(self.user_raw)

    @property
    def password(self) -> str | None:
        """Password with escapes decoded."""
        return None if self.password_raw is None else unescape(self.password_raw)

    @property
    def params(self) -> dict[str, str | None]:
        """URI parameters, names lower-cased, escapes decoded in names and values."""
        return {
            unescape(k).lower(): (None if v is None else unescape(v)) for k, v in self.raw_params
        }

    @property
    def headers(self) -> dict[str, str]:
        """URI headers (after ``?``) with escapes decoded."""
        return {unescape(k): unescape(v) for k, v in self.raw_headers}

    @property
    def transport(self) -> str | None:
        """The ``transport`` parameter, lower case, or None."""
        value = self.params.get("transport")
        return value.lower() if value else None

    @property
    def effective_port(self) -> int:
        """The port, or the scheme's default (5060 for sip, 5061 for sips)."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    def replace(
        self,
        *,
        user: str | None | _Keep = KEEP,
        host: str | None = None,
        port: int | None | _Keep = KEEP,
    ) -> SipURI:
        """A copy with user/host/port changed; `user` is given unescaped.

        ``user=None`` drops the userinfo, ``port=None`` drops the port; arguments not given
        are kept.
        """
        new_user, new_password = self.user_raw, self.password_raw
        if isinstance(user, str):
            new_user = escape_user(user)
        elif user is None:
            new_user, new_password = None, None
        new_port = self.port
        if isinstance(port, int):
            if not 0 <= port <= 65535:
                raise LocalSIPError(f"port {port} out of range")
            new_port = port
        elif port is None:
            new_port = None
        new_host = self.host
        if host is not None:
            new_host = host_reference(host)
            if not is_valid_host(new_host):
                raise LocalSIPError(f"invalid host {host!r}")
        return SipURI(
            self.scheme, new_user, new_password, new_host, new_port,
            self.raw_params, self.raw_headers,
        )

    def render(self) -> str:
        """The URI's text built from its components."""
        out = [self.scheme, ":"]
        if self.user_raw is not None:
            out.append(self.user_raw)
            if self.password_raw is not None:
                out += [":", self.password_raw]
            out.append("@")
        out.append(self.host)
        if self.port is not None:
            out += [":", str(self.port)]
        for name, value in self.raw_params:
            out += [";", name] if value is None else [";", name, "=", value]
        if self.raw_headers:
            out += ["?", "&".join(f"{k}={v}" for k, v in self.raw_headers)]
        return "".join(out)

    def __str__(self) -> str:
        return self.text if self.text is not None else self.render()




@dataclass(slots=True)
class TelURI:
    """A ``tel:`` URI (RFC 3966): a number and parameters."""

    number: str
    raw_params: tuple[tuple[str, str | None], ...] = ()
    text: str | None = field(default=None, compare=False)

    scheme = "tel"

    @property
    def params(self) -> dict[str, str | None]:
        """Parameters, names lower-cased, escapes decoded."""
        return {
            unescape(k).lower(): (None if v is None else unescape(v)) for k, v in self.raw_params
        }

    def __str__(self) -> str:
        if self.text is not None:
            return self.text
        return "tel:" + self.number + "".join(
            f";{k}" if v is None else f";{k}={v}" for k, v in self.raw_params
        )


@dataclass(slots=True)
class AbsoluteURI:
    """Any other absolute URI (``http:``, ``isbn:``, ``soap.beep:``): kept opaque."""

    scheme: str
    opaque: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.opaque}"


URI = SipURI | TelURI | AbsoluteURI


def escape_user(user: str) -> str:
    """Escape a user part for use in a SIP URI (the inverse of `SipURI.user`)."""
    out = []
    for ch in user:
        if _USER_RE.fullmatch(ch) and ch != "%":
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogateescape"))
    return "".join(out)


_USER_FAST_RE = re.compile(rf"[{_UNRESERVED}&=+$,;?/]+")
_PARAMS_FAST_RE = re.compile(rf"(?:;[{_UNRESERVED}\[\]/:&+$]+(?:=[{_UNRESERVED}\[\]/:&+$]+)?)+")


def _parse_sip_fast(text: str, scheme: str, pos: int) -> SipURI | None:
    """The common shapes (no escapes, no password, no IPv6, no headers) with a few
    C-level calls; None sends the URI to the full parser."""
    at = text.find("@", pos)
    user = None
    if at >= 0:
        user = text[pos:at]
        if _USER_FAST_RE.fullmatch(user) is None:
            return None
        pos = at + 1
    end = text.find(";", pos)
    params_text = ""
    if end >= 0:
        params_text = text[end:]
        if _PARAMS_FAST_RE.fullmatch(params_text) is None:
            return None
        hostport = text[pos:end]
    else:
        hostport = text[pos:]
    if "?" in hostport or "[" in hostport:
        return None
    host, colon, port_text = hostport.partition(":")
    port = None
    if colon:
        if not (port_text.isdigit() and port_text.isascii() and len(port_text) <= 5):
            return None
        port = int(port_text)
        if port > 65535:
            return None
    if not is_valid_host(host):
        return None
    params: tuple[tuple[str, str | None], ...] = ()
    if params_text:
        params = tuple(_param_pair(item) for item in params_text[1:].split(";"))
    return SipURI(scheme, user, None, host.lower(), port, params, (), text)


def _param_pair(item: str) -> tuple[str, str | None]:
    name, eq, value = item.partition("=")
    return name, (value if eq else None)


# Parsed URIs by their text. URIs are immutable values, so one parse can serve every message
# with the same text: a relay sees the same Request-URIs and Contacts over and over. Only
# successes are kept (an error's position depends on `base`), only short texts, and the
# whole cache is dropped when full, so a peer cannot make it grow without limit.
_URI_CACHE: dict[str, URI] = {}
_URI_CACHE_MAX = 2048
_URI_CACHE_TEXT_MAX = 256


def parse_uri(text: str, base: int = 0) -> URI:
    """Parse a URI; `base` is added to error positions (the URI's offset in the message)."""
    uri = _URI_CACHE.get(text)
    if uri is None:
        uri = _parse_uri(text, base)
        if len(text) <= _URI_CACHE_TEXT_MAX:
            if len(_URI_CACHE) >= _URI_CACHE_MAX:
                _URI_CACHE.clear()
            _URI_CACHE[text] = uri
    return uri


def _parse_uri(text: str, base: int) -> URI:
    head = text[:4].lower()
    if head == "sip:":
        uri = _parse_sip_fast(text, "sip", 4)
        if uri is not None:
            return uri
    elif head == "sips" and text[4:5] == ":":
        uri = _parse_sip_fast(text, "sips", 5)
        if uri is not None:
            return uri
    m = _SCHEME_RE.match(text)
    if m is None:
        raise RemoteSIPError("malformed URI: no scheme", position=base)
    scheme = m.group(1).lower()
    if scheme in ("sip", "sips"):
        return _parse_sip(text, scheme, m.end(), base)
    if scheme == "tel":
        return _parse_tel(text, m.end(), base)
    rest = text[m.end():]
    for i, ch in enumerate(rest):
        if ch <= " " or ch in '<>"' or ord(ch) > 126:
            raise RemoteSIPError("invalid character in URI", position=base + m.end() + i)
    if not rest:
        raise RemoteSIPError("empty URI after scheme", position=base + m.end())
    return AbsoluteURI(scheme, rest)


def _parse_sip(text: str, scheme: str, pos: int, base: int) -> SipURI:
    end = len(text)
    # "@" is legal only as the userinfo separator (params and headers must escape it),
    # while the user part may contain "?", ";" and "/" (RFC 4475 intmeth, semiuri)
    at = text.find("@", pos)
    user: str | None = None
    password: str | None = None
    if at >= 0:
        colon = text.find(":", pos, at)
        user = text[pos:colon if colon >= 0 else at]
        if not _USER_RE.fullmatch(user):
            raise RemoteSIPError("malformed user part in URI", position=base + pos)
        if colon >= 0:
            password = text[colon + 1:at]
            if not _PASSWORD_RE.fullmatch(password):
                raise RemoteSIPError("malformed password in URI", position=base + colon + 1)
        pos = at + 1
    # hostport
    if text.startswith("[", pos):
        close = text.find("]", pos)
        if close < 0:
            raise RemoteSIPError("unterminated IPv6 reference in URI", position=base + pos)
        host_end = close + 1
    else:
        host_end = pos
        while host_end < end and text[host_end] not in ":;?":
            host_end += 1
    host = text[pos:host_end]
    if not is_valid_host(host):
        raise RemoteSIPError("malformed host in URI", position=base + pos)
    pos = host_end
    port: int | None = None
    if pos < end and text[pos] == ":":
        port_end = pos + 1
        while port_end < end and text[port_end] not in ";?":
            port_end += 1
        digits = text[pos + 1:port_end]
        if not digits.isdigit() or not digits.isascii() or int(digits) > 65535:
            raise RemoteSIPError("malformed port in URI", position=base + pos + 1)
        port = int(digits)
        pos = port_end
    params: tuple[tuple[str, str | None], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    if pos < end and text[pos] == ";":
        p_end = text.find("?", pos)
        p_end = end if p_end < 0 else p_end
        params = _split_params(text[pos:p_end], base + pos)
        pos = p_end
    if pos < end:  # text[pos] == "?"
        headers = _split_headers(text[pos + 1:], base + pos + 1)
    return SipURI(scheme, user, password, host.lower(), port, params, headers, text)


def _parse_tel(text: str, pos: int, base: int) -> TelURI:
    semi = text.find(";", pos)
    number = text[pos:] if semi < 0 else text[pos:semi]
    if not _TEL_RE.fullmatch(number):
        raise RemoteSIPError("malformed telephone number in tel URI", position=base + pos)
    params = _split_params(text[semi:], base + semi) if semi >= 0 else ()
    return TelURI(number, params, text)
