"""Header names: case-insensitive canonical keys, compact forms, and which headers are lists.

A header is identified inside siprouter by its *canonical key*: the long name, lower-cased
(``"via"``, ``"call-id"``). `canonical_name` maps any spelling (``ViA``, ``v``, ``I``) to it.
`display_name` gives the conventional spelling used when we write a header ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import TOKEN_RE

#: Compact forms (RFC 3261 s7.3.3 and the extensions that define one).
COMPACT_FORMS: dict[str, str] = {
    "a": "accept-contact",  # RFC 3841
    "b": "referred-by",  # RFC 3892
    "c": "content-type",
    "d": "request-disposition",  # RFC 3841
    "e": "content-encoding",
    "f": "from",
    "i": "call-id",
    "j": "reject-contact",  # RFC 3841
    "k": "supported",
    "l": "content-length",
    "m": "contact",
    "n": "identity-info",  # RFC 4474
    "o": "event",  # RFC 6665
    "r": "refer-to",  # RFC 3515
    "s": "subject",
    "t": "to",
    "u": "allow-events",  # RFC 6665
    "v": "via",
    "x": "session-expires",  # RFC 4028
    "y": "identity",  # RFC 4474
}

_SPELLINGS: dict[str, str] = {
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "www-authenticate": "WWW-Authenticate",
    "mime-version": "MIME-Version",
    "rack": "RAck",
    "rseq": "RSeq",
}

#: Headers whose value is a comma-separated list (RFC 3261 s7.3.1), so several lines of the
#: same name may be combined and one line may carry several values.
LIST_HEADERS: frozenset[str] = frozenset(
    {
        "via", "contact", "route", "record-route", "path", "service-route",
        "accept", "accept-encoding", "accept-language", "accept-contact", "reject-contact",
        "allow", "allow-events", "supported", "require", "proxy-require", "unsupported",
        "content-encoding", "content-language", "in-reply-to", "alert-info", "call-info",
        "error-info", "warning", "reason", "p-asserted-identity", "p-preferred-identity",
        "history-info", "request-disposition",
    }
)

# Most names arrive in a handful of spellings; remember them so the scanner does one dict
# lookup per header. Bounded so a peer cannot grow it without limit.
_NAME_CACHE: dict[str, str] = {}
_NAME_CACHE_MAX = 2048


# canonical_name is asked mostly with a few constant spellings ("via", "Call-ID" ...) on every
# message: one dict lookup instead of strip + lower + lookup. Bounded like _NAME_CACHE.
_CANONICAL_CACHE: dict[str, str] = {}


def canonical_name(name: str) -> str:
    """Canonical key of a header name given in any case or in compact form."""
    key = _CANONICAL_CACHE.get(name)
    if key is None:
        key = name.strip().lower()
        key = COMPACT_FORMS.get(key, key)
        if len(_CANONICAL_CACHE) < _NAME_CACHE_MAX:
            _CANONICAL_CACHE[name] = key
    return key


def display_name(canonical: str) -> str:
    """Conventional spelling of a canonical key: ``"call-id"`` -> ``"Call-ID"``."""
    spelled = _SPELLINGS.get(canonical)
    if spelled is not None:
        return spelled
    return "-".join(part[:1].upper() + part[1:] for part in canonical.split("-"))


def canonical_from_wire(raw: str) -> str | None:
    """Canonical key for the text before a header's colon, or None if not a token.

    Whitespace between the name and the colon is allowed (``HCOLON = *( SP / HTAB ) ":"``).
    """
    canon = _NAME_CACHE.get(raw)
    if canon is not None:
        return canon
    name = raw.rstrip(" \t")
    if TOKEN_RE.fullmatch(name) is None:
        return None
    canon = canonical_name(name)
    if len(_NAME_CACHE) < _NAME_CACHE_MAX:
        _NAME_CACHE[raw] = canon
    return canon


@dataclass(frozen=True, slots=True)
class HeaderField:
    """One header line as received.

    Attributes:
        key: canonical key (``"via"``).
        name: the name as written (``"v"``, ``"ViA"``).
        value: the value, stripped, each LWS fold read as one space.
        start: offset of the line in the message.
        value_start: offset of `value`'s first character in the message.
        end: offset of the line's terminating CRLF.
    """

    key: str
    name: str
    value: str
    start: int
    value_start: int
    end: int
