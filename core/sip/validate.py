"""Checks a proxy makes before routing a message (RFC 3261 s16.3, s8.2.2, RFC 4475).

Parsing is lazy and lenient about headers nobody reads; these functions read the headers a
proxy relies on and return the error to answer with (or None). They never raise for a bad
message: the error is a value, so the caller picks its reaction.

``strict=True`` (the default) also rejects what RFC 4475 lets a *liberal* element accept:
headers in the Request-URI (escruri), a malformed Date (baddate), spaces inside ``<>``
(badaspec), unquoted display names with non-token characters (baddn), and an addr-spec with
``?`` not enclosed in ``<>`` (regbadct); it also parses Contact, Route and Record-Route.
"""

from __future__ import annotations

from collections.abc import Collection

from .address import NameAddr
from .errors import RemoteSIPError, SIPError
from .message import SIPMessage, SIPRequest, SIPResponse
from .scalars import check_date
from .syntax import is_token
from .uri import SipURI

SUPPORTED_SCHEMES: frozenset[str] = frozenset({"sip", "sips", "tel"})
"""Request-URI schemes a proxy routes; others get 416 (RFC 3261 s8.2.2.1)."""

_REQUIRED = ("via", "from", "to", "call-id", "cseq")


def validate_request(
    msg: SIPRequest,
    *,
    strict: bool = True,
    schemes: Collection[str] = SUPPORTED_SCHEMES,
    supported: Collection[str] | None = None,
) -> RemoteSIPError | None:
    """Check a request's start line and the headers a proxy needs.

    Returns None when the request may be routed, else the error to answer with: 400 for a
    malformed or missing Via/From/To/Call-ID/CSeq/Max-Forwards, a CSeq method that differs
    from the request method, or a malformed Request-URI; 416 for a Request-URI scheme not in
    `schemes`; 420 when `supported` is given and Proxy-Require lists an option tag not in it
    (the tags are in the error's `unsupported`).
    """
    if not isinstance(msg, SIPRequest):
        raise TypeError("validate_request() needs a request; use validate_response()")
    try:
        _check_request(msg, strict, schemes, supported)
    except RemoteSIPError as err:
        return err
    return None


def validate_response(msg: SIPResponse, *, strict: bool = True) -> RemoteSIPError | None:
    """Check the headers a proxy needs to match and forward a response.

    The error's status is always None: a bad response is dropped, never answered.
    """
    if not isinstance(msg, SIPResponse):
        raise TypeError("validate_response() needs a response; use validate_request()")
    try:
        _check_common(msg, strict)
    except RemoteSIPError as err:
        err.status, err.reason = None, ""
        return err
    return None


def _check_request(
    msg: SIPRequest, strict: bool, schemes: Collection[str], supported: Collection[str] | None
) -> None:
    uri = msg.ruri
    if uri.scheme not in schemes:
        raise RemoteSIPError(
            f"Request-URI scheme {uri.scheme!r} not supported", 416,
            position=msg._ruri_offset,
        )
    if strict and isinstance(uri, SipURI) and uri.raw_headers:
        raise RemoteSIPError(
            "headers are not allowed in a Request-URI",
            position=msg._ruri_offset + msg.ruri_text.index("?"),
        )
    _check_common(msg, strict)
    cseq = msg.cseq
    if cseq is not None and cseq.method != msg.method:
        located = msg.locate_value("cseq")
        assert located is not None
        raise RemoteSIPError(
            f"CSeq method {cseq.method} does not match {msg.method}",
            position=msg.position_in(located, located[0].rfind(cseq.method)), header="cseq",
        )
    msg.max_forwards  # noqa: B018 - parsing is the check
    if strict:
        for key in ("require", "proxy-require"):
            for n, tag in enumerate(msg.header_values(key)):
                if not is_token(tag):
                    located = msg.locate_value(key, n)
                    raise RemoteSIPError(
                        f"malformed option tag in {key}", header=key,
                        position=located[1] if located else None,
                    )
    if supported is not None:
        wanted = set(supported)
        unknown = tuple(t for t in msg.header_values("proxy-require") if t not in wanted)
        if unknown:
            raise RemoteSIPError(
                "Proxy-Require lists unsupported extensions", 420,
                header="proxy-require", unsupported=unknown,
            )


def _check_common(msg: SIPMessage, strict: bool) -> None:
    for key in _REQUIRED:
        if not msg.has_header(key):
            raise RemoteSIPError(f"missing {key} header", header=key)
    msg.vias  # noqa: B018 - parsing is the check
    msg.call_id  # noqa: B018
    msg.cseq  # noqa: B018
    addresses: list[tuple[str, int, NameAddr]] = [
        ("from", 0, msg.from_), ("to", 0, msg.to)  # type: ignore[list-item]
    ]
    if strict:
        addresses += [("contact", n, a) for n, a in enumerate(msg.contacts)]
        addresses += [("route", n, a) for n, a in enumerate(msg.routes)]
        addresses += [("record-route", n, a) for n, a in enumerate(msg.record_routes)]
        date = msg.locate_value("date")
        if date is not None:
            try:
                check_date(date[0])
            except SIPError as err:
                err.position = date[1]
                raise
        msg.expires  # noqa: B018
        for key, n, address in addresses:
            if address.defects:
                defect = address.defects[0]
                located = msg.locate_value(key, n)
                raise RemoteSIPError(
                    f"{defect.detail} in {key}", header=key,
                    position=msg.position_in(located, defect.position) if located else None,
                )
