"""Transformations that need the SIP parsers: `{uri.*}`, `{nameaddr.*}`, `{tobody.*}`, the
`s.*` escapes and encodings transforms.py leaves out, and `{re.subst,/re/repl/flags}`.

URIs and name-addrs are parsed by core/sip (one parser, STYLE); this file only picks parts.
Values follow Kamailio's tr_eval_uri/tr_eval_nameaddr/tr_eval_tobody: a part that is absent
reads as "" (not null), and a value that does not parse fails the transformation (null).

It also holds the helpers the SIP pseudo-variables share with the transformations (the parts
of a URI as Kamailio names them) and the `/re/repl/flags` substitution textops uses.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from siprouter.core.sip import (
    NameAddr,
    SIPError,
    SipURI,
    TelURI,
    parse_name_addr,
    parse_uri,
)
from siprouter.core.sip.uri import URI

from .context import Context
from .transforms import (
    TransformError,
    TrFactory,
    TrFn,
    TrParam,
    register_transformation,
)
from .values import Value, posix_to_python, to_str

# --- URI parts, as Kamailio's parsed_uri names them ---------------------------------------------


def try_uri(text: str) -> URI | None:
    """The URI in `text`, or None when it does not parse (callers turn that into null/false)."""
    try:
        return parse_uri(text.strip())
    except (SIPError, ValueError):
        return None


def try_name_addr(text: str) -> NameAddr | None:
    """The name-addr in `text` (From/To/Contact value), or None when it does not parse."""
    try:
        return parse_name_addr(text.strip())
    except (SIPError, ValueError):
        return None


def uri_user(uri: URI) -> str:
    """The user part as written ("" when there is none); a tel URI's number."""
    if isinstance(uri, SipURI):
        return uri.user_raw or ""
    if isinstance(uri, TelURI):
        return uri.number
    return ""


def uri_host(uri: URI) -> str:
    """The host as written, IPv6 with brackets ("" for a tel or other URI)."""
    return uri.host if isinstance(uri, SipURI) else ""


def uri_port_text(uri: URI) -> str:
    """The port as written, "" when absent."""
    return str(uri.port) if isinstance(uri, SipURI) and uri.port is not None else ""


def uri_params_text(uri: URI) -> str:
    """The parameters as written, without the leading ";"."""
    raw = uri.raw_params if isinstance(uri, (SipURI, TelURI)) else ()
    return ";".join(k if v is None else f"{k}={v}" for k, v in raw)


def uri_param(uri: URI, name: str) -> str | None:
    """A parameter's value ("" for a flag), None when absent; names match case-insensitively."""
    raw = uri.raw_params if isinstance(uri, (SipURI, TelURI)) else ()
    wanted = name.lower()
    for k, v in raw:
        if k.lower() == wanted:
            return "" if v is None else v
    return None


def uri_transport(uri: URI) -> str:
    """The transport parameter lower-cased, "" when absent."""
    value = uri_param(uri, "transport")
    return value.lower() if value else ""


def uri_default_port(uri: URI) -> int:
    """The port a next hop at this URI is reached on: the written port, else 5061 for sips or
    transport=tls, else 5060."""
    if isinstance(uri, SipURI) and uri.port is not None:
        return uri.port
    secure = isinstance(uri, SipURI) and (uri.scheme == "sips" or uri_transport(uri) == "tls")
    return 5061 if secure else 5060


def _uri_headers(uri: URI) -> str:
    raw = uri.raw_headers if isinstance(uri, SipURI) else ()
    return "&".join(f"{k}={v}" for k, v in raw)


def _hostport(uri: URI) -> str:
    port = uri_port_text(uri)
    return uri_host(uri) + (f":{port}" if port else "")


def _saor(uri: URI) -> str:
    user = uri_user(uri)
    return f"{uri.scheme}:" + (f"{user}@" if user else "") + uri_host(uri)


def _suri(uri: URI) -> str:
    user = uri_user(uri)
    return f"{uri.scheme}:" + (f"{user}@" if user else "") + _hostport(uri)


def _duri(uri: URI) -> str:
    transport = uri_transport(uri)
    return f"{uri.scheme}:{_hostport(uri)}" + (f";transport={transport}" if transport else "")


def _tosocket(uri: URI) -> str:
    proto = uri_transport(uri) or ("tls" if uri.scheme == "sips" else "udp")
    return f"{proto}:{uri_host(uri)}:{uri_default_port(uri)}"


_URI_PARTS: dict[str, Callable[[URI], str]] = {
    "user": uri_user,
    "host": uri_host,
    "domain": uri_host,
    "passwd": lambda u: (u.password_raw or "") if isinstance(u, SipURI) else "",
    "port": uri_port_text,
    "params": uri_params_text,
    "headers": _uri_headers,
    "transport": lambda u: uri_param(u, "transport") or "",
    "ttl": lambda u: uri_param(u, "ttl") or "",
    "uparam": lambda u: uri_param(u, "user") or "",
    "maddr": lambda u: uri_param(u, "maddr") or "",
    "method": lambda u: uri_param(u, "method") or "",
    "lr": lambda u: uri_param(u, "lr") or "",
    "r2": lambda u: uri_param(u, "r2") or "",
    "gr": lambda u: uri_param(u, "gr") or "",
    "scheme": lambda u: u.scheme,
    "saor": _saor,
    "suri": _suri,
    "duri": _duri,
    "tosocket": _tosocket,
}


def _no_params(what: str, params: list[TrParam]) -> None:
    if params:
        raise TransformError(f"{{{what}}} takes no parameters")


def _uri_part(name: str, part: Callable[[URI], str]) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _no_params(f"uri.{name}", params)

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            uri = try_uri(to_str(v))
            return None if uri is None else part(uri)

        return apply

    return factory


def _uri_param_tr(params: list[TrParam]) -> TrFn:
    if len(params) != 1:
        raise TransformError("{uri.param} takes 1 parameter: the name")
    (pname,) = params

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        uri = try_uri(to_str(v))
        if uri is None:
            return None
        return uri_param(uri, pname.as_str(ctx))

    return apply


for _name, _part in _URI_PARTS.items():
    register_transformation("uri", _name, _uri_part(_name, _part))
register_transformation("uri", "param", _uri_param_tr)


# --- nameaddr.* and tobody.* -------------------------------------------------------------------


def raw_display(text: str) -> str:
    """The display name as written before `<`, quotes kept ("" when there is none)."""
    lt = text.find("<")
    return text[:lt].strip(" \t") if lt > 0 else ""


def header_params_text(text: str) -> str:
    """The header parameters of a name-addr value as written, without the leading ";"."""
    gt = text.rfind(">")
    rest = text[gt + 1:] if gt >= 0 else text[text.find(";"):] if ";" in text else ""
    return rest.strip(" \t").lstrip(";").strip(" \t")


def uri_text_of(text: str, na: NameAddr) -> str:
    """The URI of a name-addr value as written."""
    lt, gt = text.find("<"), text.rfind(">")
    if lt >= 0 and gt > lt:
        return text[lt + 1:gt].strip(" \t")
    return str(na.uri)


def _nameaddr_tr(name: str, part: Callable[[str, NameAddr], Value]) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _no_params(name, params)

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            text = to_str(v)
            na = try_name_addr(text)
            return None if na is None else part(text.strip(), na)

        return apply

    return factory


_NAMEADDR_PARTS: dict[str, Callable[[str, NameAddr], Value]] = {
    "name": lambda text, na: raw_display(text),
    "uri": uri_text_of,
    "len": lambda text, na: len(text),
}
_TOBODY_PARTS: dict[str, Callable[[str, NameAddr], Value]] = {
    "uri": uri_text_of,
    "display": lambda text, na: raw_display(text),
    "tag": lambda text, na: na.tag or "",
    "user": lambda text, na: uri_user(na.uri),
    "host": lambda text, na: uri_host(na.uri),
    "params": lambda text, na: header_params_text(text),
}
for _name, _na_part in _NAMEADDR_PARTS.items():
    register_transformation("nameaddr", _name, _nameaddr_tr(f"nameaddr.{_name}", _na_part))
for _name, _na_part in _TOBODY_PARTS.items():
    register_transformation("tobody", _name, _nameaddr_tr(f"tobody.{_name}", _na_part))


# --- s.* escapes and encodings ------------------------------------------------------------------

# RFC 3261 unreserved plus the user-unreserved / param-unreserved sets.
_USER_SAFE = "-_.!~*'()&=+$,;?/"
_PARAM_SAFE = "-_.!~*'()[]/:&+$"


def _escape(safe: str) -> Callable[[str], Value]:
    return lambda s: urllib.parse.quote(s, safe=safe, errors="surrogateescape")


def _unescape(s: str) -> Value:
    return urllib.parse.unquote(s, errors="surrogateescape")


def _b64(encode: bool, url: bool, trim: bool) -> Callable[[str], Value]:
    def run(s: str) -> Value:
        data = s.encode("utf-8", "surrogateescape")
        if encode:
            out = base64.urlsafe_b64encode(data) if url else base64.b64encode(data)
            text = out.decode("ascii")
            return text.rstrip("=") if trim else text
        try:
            padded = data + b"=" * (-len(data) % 4)
            raw = base64.urlsafe_b64decode(padded) if url else base64.b64decode(padded)
        except (binascii.Error, ValueError):
            return None
        return raw.decode("utf-8", "surrogateescape")

    return run


def _escape_csv(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _plain(fn: Callable[[str], Value], what: str) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _no_params(what, params)
        return lambda ctx, v: None if v is None else fn(to_str(v))

    return factory


_S_EXTRA: dict[str, Callable[[str], Value]] = {
    "escape.user": _escape(_USER_SAFE),
    "unescape.user": _unescape,
    "escape.param": _escape(_PARAM_SAFE),
    "unescape.param": _unescape,
    "urlencode.param": lambda s: urllib.parse.quote_plus(s, errors="surrogateescape"),
    "urldecode.param": lambda s: urllib.parse.unquote_plus(s, errors="surrogateescape"),
    "escape.csv": _escape_csv,
    "encode.base64": _b64(True, False, False),
    "decode.base64": _b64(False, False, False),
    "encode.base64t": _b64(True, False, True),
    "decode.base64t": _b64(False, False, True),
    "encode.base64url": _b64(True, True, False),
    "decode.base64url": _b64(False, True, False),
    "encode.base64urlt": _b64(True, True, True),
    "decode.base64urlt": _b64(False, True, True),
}
for _name, _fn in _S_EXTRA.items():
    register_transformation("s", _name, _plain(_fn, f"s.{_name}"))


# --- /re/repl/flags substitutions (textops subst*, {re.subst}) ------------------------------------


class SubstError(ValueError):
    """A `/re/repl/flags` expression is malformed."""


@dataclass(frozen=True, slots=True)
class Subst:
    """A compiled `/re/repl/flags`: `count` is 0 for every match (flag g), else 1."""

    regex: re.Pattern[str]
    repl: str
    count: int

    def expand(self, m: re.Match[str]) -> str:
        """The replacement for one match: `\\0`..`\\9` are groups, `\\\\` a backslash, `\\n`
        `\\r` `\\t` control characters."""
        out: list[str] = []
        text = self.repl
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                if nxt.isdigit():
                    n = int(nxt)
                    group = m.group(n) if n <= (m.re.groups or 0) else ""
                    out.append(group or "")
                else:
                    out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def apply(self, text: str) -> tuple[str, int]:
        """`text` with the substitution applied, and the number of matches replaced."""
        return self.regex.subn(self.expand, text, count=self.count)


def parse_subst(expr: str, *, newline_flag: bool = True) -> Subst:
    """Compile a sed-like `/re/repl/flags` (any separator: the first character). Flags: `i`
    case-insensitive, `g` every match, `s` (REG_NEWLINE) `.` does not match a newline and
    `^`/`$` match at line ends. Kamailio's regexes are POSIX extended; Python's are close."""
    if len(expr) < 3:
        raise SubstError(f"bad substitution {expr!r}: expected /re/repl/flags")
    sep = expr[0]
    parts: list[str] = []
    cur: list[str] = []
    i = 1
    while i < len(expr):
        ch = expr[i]
        if ch == "\\" and i + 1 < len(expr) and expr[i + 1] == sep:
            cur.append(sep)
            i += 2
            continue
        if ch == sep and len(parts) < 2:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    if len(parts) != 2:
        raise SubstError(f"bad substitution {expr!r}: expected /re/repl/flags")
    pattern, repl = parts
    flags_text = "".join(cur)
    flags = 0
    count = 1
    for f in flags_text:
        if f == "i":
            flags |= re.IGNORECASE
        elif f == "g":
            count = 0
        elif f == "s" and newline_flag:
            flags |= re.MULTILINE
        else:
            raise SubstError(f"bad substitution {expr!r}: unknown flag {f!r}")
    if not flags & re.MULTILINE:
        flags |= re.DOTALL  # without REG_NEWLINE, POSIX "." matches a newline too
    try:
        regex = re.compile(posix_to_python(pattern), flags)
    except re.error as exc:
        raise SubstError(f"bad regular expression in {expr!r}: {exc}") from None
    return Subst(regex, repl, count)


def _re_subst(params: list[TrParam]) -> TrFn:
    if len(params) != 1:
        raise TransformError("{re.subst} takes 1 parameter: /re/repl/flags")
    (p,) = params
    if p.get is None:
        try:
            const = parse_subst(p.text)
        except SubstError as exc:
            raise TransformError(str(exc)) from None
        return lambda ctx, v: None if v is None else const.apply(to_str(v))[0]

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        try:
            sub = parse_subst(p.as_str(ctx))
        except SubstError as exc:
            ctx.log.error("{re.subst}: %s", exc)
            return None
        return sub.apply(to_str(v))[0]

    return apply


register_transformation("re", "subst", _re_subst)
