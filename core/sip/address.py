"""name-addr / addr-spec values: From, To, Contact, Route, Record-Route, Refer-To ...

``[display-name] <URI> *(;param)`` or ``URI *(;param)`` (RFC 3261 s20.10). In the second
form the URI ends at the first ``;``, so ``Contact: sip:a@b;expires=60`` has a *header*
parameter, while ``<sip:a@b;expires=60>`` has a URI parameter (RFC 4475 cparam01/02).

The parser is tolerant where RFC 4475 lets a liberal element be (spaces inside ``<>``, an
unquoted display name with non-token characters, an addr-spec with ``?`` not enclosed in
``<>``): it parses such values and lists what is wrong in `NameAddr.defects`, each with its
offset, so a strict caller (`validate_request`) can still answer 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RemoteSIPError
from .syntax import QUOTED_RE, TOKEN_CHARS, param_value, parse_params, quote, unquote
from .uri import URI, parse_uri

# Display name made of tokens separated by LWS (RFC 3261 ``*(token LWS)``).
_TOKENS_RE = re.compile(f"[{TOKEN_CHARS}]+(?:[ \\t]+[{TOKEN_CHARS}]+)*")


@dataclass(frozen=True, slots=True)
class Defect:
    """Something a strict parser rejects and a liberal one may let pass."""

    detail: str
    position: int


@dataclass(slots=True)
class NameAddr:
    """A parsed name-addr or addr-spec with its header parameters.

    Attributes:
        display_name: the display name, unquoted (quoted-pairs resolved), or None.
        uri: the URI.
        params: header parameters, names lower-cased, values as written.
        bracketed: True when the URI was enclosed in ``<>``.
        defects: deviations tolerated while parsing (see module docstring).
    """

    display_name: str | None
    uri: URI
    params: dict[str, str | None]
    bracketed: bool = True
    defects: tuple[Defect, ...] = ()

    @property
    def tag(self) -> str | None:
        """The ``tag`` parameter (From/To), or None."""
        return param_value(self.params.get("tag"))

    def param(self, name: str) -> str | None:
        """A header parameter's value, unquoted; None when absent or valueless."""
        return param_value(self.params.get(name.lower()))

    def __str__(self) -> str:
        head = f"<{self.uri}>"
        if self.display_name:
            head = f"{quote(self.display_name)} {head}"
        return head + "".join(
            f";{k}" if v is None else f";{k}={v}" for k, v in self.params.items()
        )


_PARAMS_FAST_RE = re.compile(f"(?:;[{TOKEN_CHARS}]+(?:=[{TOKEN_CHARS}]+)?)+")


# Values parsed lately, by their text: a dialog's From and To come back in every request
# and reply of it (the ACK and BYE carry the 200's To, the BYE the INVITE's From). Only
# successes are kept (an error names the header), only short texts, the whole dict dropped
# when full. The kept values are never handed out: each caller gets its own copy.
# An entry holds the fields of a NameAddr (a tuple is cheaper to make than one).
_KEPT: dict[str, tuple[str | None, URI, dict[str, str | None], bool, tuple[Defect, ...]]] = {}
_KEPT_MAX = 1024
_KEPT_TEXT_MAX = 256


def parse_name_addr(text: str, header: str | None = None) -> NameAddr:
    """Parse one name-addr/addr-spec value. Offsets in errors are relative to `text`."""
    kept = _KEPT.get(text)
    if kept is not None:
        return NameAddr(kept[0], kept[1], kept[2].copy(), kept[3], kept[4])
    value = parse_name_addr_text(text, header)
    if len(text) <= _KEPT_TEXT_MAX:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[text] = (value.display_name, value.uri, value.params.copy(), value.bracketed,
                       value.defects)
    return value


def parse_name_addr_text(text: str, header: str | None = None) -> NameAddr:
    """`parse_name_addr` without the values kept by text: always parses."""
    # Fast path for the usual `[name] <uri>[;p=v...]` with plain tokens; anything unusual
    # (quoted-pairs, spaces in parameters, no brackets ...) goes to the full parser.
    lt = text.find("<")
    if lt >= 0:
        gt = text.find(">", lt)
        if gt > 0:
            display: str | None = text[:lt].rstrip(" \t")
            ok = True
            if not display:
                display = None
            elif display[0] == '"':
                inner = display[1:-1]
                ok = display[-1] == '"' and len(display) > 1 and '"' not in inner and "\\" not in inner
                display = inner
            else:
                ok = _TOKENS_RE.fullmatch(display) is not None
            rest = text[gt + 1:]
            if ok and (not rest or _PARAMS_FAST_RE.fullmatch(rest)):
                uri_text = text[lt + 1:gt]
                if uri_text.strip(" \t") == uri_text:
                    uri = parse_uri(uri_text, lt + 1)
                    params: dict[str, str | None] = {}
                    if rest:
                        for item in rest[1:].split(";"):
                            name, eq, value = item.partition("=")
                            params[name.lower()] = value if eq else None
                    return NameAddr(display, uri, params)
    return _parse_name_addr_slow(text, header)


def _parse_name_addr_slow(text: str, header: str | None) -> NameAddr:
    pos = 0
    end = len(text)
    while pos < end and text[pos] in " \t":
        pos += 1
    defects: list[Defect] = []
    display: str | None = None
    if text.startswith('"', pos):
        m = QUOTED_RE.match(text, pos)
        if m is None:
            raise RemoteSIPError("unterminated quoted display name", position=pos, header=header)
        display = unquote(m.group(1))
        pos = m.end()
        while pos < end and text[pos] in " \t":
            pos += 1
        if not text.startswith("<", pos):
            raise RemoteSIPError("display name not followed by <URI>", position=pos, header=header)
        lt = pos
    else:
        lt = text.find("<", pos)
        if lt >= 0:
            name = text[pos:lt].rstrip(" \t")
            if name:
                display = name
                if not _TOKENS_RE.fullmatch(name):
                    defects.append(Defect("unquoted display name with non-token characters", pos))
    if lt >= 0:
        gt = text.find(">", lt)
        if gt < 0:
            raise RemoteSIPError("missing > after URI", position=lt, header=header)
        uri_start, uri_end = lt + 1, gt
        inner = text[uri_start:uri_end]
        stripped = inner.strip(" \t")
        if stripped != inner:
            defects.append(Defect("whitespace inside <>", uri_start))
            uri_start += len(inner) - len(inner.lstrip(" \t"))
        uri = parse_uri(stripped, uri_start)
        pos = gt + 1
        bracketed = True
    else:
        uri_end = pos
        while uri_end < end and text[uri_end] not in "; \t":
            uri_end += 1
        uri_text = text[pos:uri_end]
        if not uri_text:
            raise RemoteSIPError("missing URI", position=pos, header=header)
        if "?" in uri_text:
            defects.append(Defect("URI with headers must be enclosed in <>", pos + uri_text.index("?")))
        uri = parse_uri(uri_text, pos)
        pos = uri_end
        bracketed = False
    params, _ = parse_params(text, pos, 0, "address", header)
    return NameAddr(display, uri, params, bracketed, tuple(defects))
