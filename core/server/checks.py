"""What the core checks in every request before the script sees it (the rest is the script's
business, e.g. `sanity_check()`, as in Kamailio).

Cheaper than the SIP layer's full `validate_request`: only what routing and replying rely on
is parsed (the top Via, CSeq, Max-Forwards, Call-ID, the Request-URI); From and To get a
framing check (balanced quotes and angle brackets), not a full parse, and further Vias are
parsed only when a reply comes back through them. Errors carry the status to answer with.
"""

from __future__ import annotations

from siprouter.core.sip import SUPPORTED_SCHEMES, RemoteSIPError, SIPError, SIPRequest

# Call-ID, CSeq and Max-Forwards given twice fail when parsed; From and To are only counted.
_REQUIRED = ("via", "call-id", "cseq")
_SINGLE = ("from", "to")
_PRESENT = frozenset(_REQUIRED + _SINGLE)


def _balanced(value: str) -> bool:
    """Quotes pair up (outside escapes) and `<` is closed by `>`: what a name-addr needs to
    be split into its parts at all."""
    if '"' not in value:
        return value.count("<") == value.count(">")
    quotes = 0
    escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and quotes % 2:
            escaped = True
        elif ch == '"':
            quotes += 1
    if quotes % 2:
        return False
    return value.count("<") == value.count(">")


def check_request(msg: SIPRequest) -> SIPError | None:
    """The error to answer a request with (400, 416, 420 ...), or None to run the script."""
    # Every request passes here: the usual one is answered from one call to the message
    # (`core_parts`); anything it leaves open goes through the checks one by one, which
    # find the error. The From/To framing check reads the whole line: its name (a token)
    # and the whitespace around the value change no count.
    parts = msg.core_parts()
    if parts is not None:
        uri, cseq, from_line, to_line = parts
        # _balanced() for lines without quotes (nearly all), written out
        if (uri.scheme in SUPPORTED_SCHEMES and cseq.method == msg.method
                and ('"' not in from_line and from_line.count("<") == from_line.count(">")
                     or _balanced(from_line))
                and ('"' not in to_line and to_line.count("<") == to_line.count(">")
                     or _balanced(to_line))
                and "proxy-require" not in msg.header_key_set):
            return None
    return check_request_each(msg)


def check_request_each(msg: SIPRequest) -> SIPError | None:
    """`check_request` one check after the other: the same verdict, found the slow way."""
    # Every request passes here: the presence tests use the set of keys (one superset test
    # when all is well, with no header given twice) instead of walking the header list.
    keyset = msg.header_key_set
    if not keyset.issuperset(_PRESENT) or msg.repeats_a_header:
        keys = msg.header_keys
        for key in _REQUIRED:
            if key not in keyset:
                return RemoteSIPError(f"missing {key} header", header=key)
        for key in _SINGLE:
            count = keys.count(key)
            if count != 1:
                return RemoteSIPError(f"{'missing' if not count else 'more than one'} {key} "
                                      "header", header=key)
    try:
        uri = msg.ruri
        if uri.scheme not in SUPPORTED_SCHEMES:
            return RemoteSIPError(f"Request-URI scheme {uri.scheme!r} not supported", 416)
        msg.top_via  # noqa: B018 - parsing is the check
        cseq = msg.cseq
        if cseq is not None and cseq.method != msg.method:
            return RemoteSIPError(f"CSeq method {cseq.method} does not match {msg.method}",
                                  header="cseq")
        msg.max_forwards  # noqa: B018
        msg.call_id  # noqa: B018
        for key in _SINGLE:
            if not _balanced(msg.header(key) or ""):
                return RemoteSIPError(f"malformed {key} header", header=key)
        if "proxy-require" in keyset:
            unsupported = tuple(msg.header_values("proxy-require"))
            if unsupported:
                return RemoteSIPError("Proxy-Require lists unsupported extensions", 420,
                                      header="proxy-require", unsupported=unsupported)
    except SIPError as err:
        return err
    return None
