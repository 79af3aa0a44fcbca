"""Single-valued headers with a small grammar: CSeq, Call-ID, Max-Forwards, Expires,
Content-Length, Date. Offsets in errors are relative to the value given."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RemoteSIPError
from .syntax import TOKEN_CHARS

CSEQ_MAX = 2**31 - 1
"""RFC 3261 s8.1.1.5: the CSeq number MUST be less than 2**31."""

_CSEQ_RE = re.compile(f"([0-9]+)[ \\t]+([{TOKEN_CHARS}]+)")
# word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
#           "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
_WORD = r"[A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}]+"
_CALL_ID_RE = re.compile(f"{_WORD}(?:@{_WORD})?")
# rfc1123-date = wkday "," SP date1 SP time SP "GMT"
_DATE_RE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
)


@dataclass(slots=True)
class CSeq:
    """A CSeq value: sequence number and method."""

    number: int
    method: str

    def __str__(self) -> str:
        return f"{self.number} {self.method}"


# The same few CSeq values come back all the time ("1 INVITE", "2 BYE" ...): the parsed value
# is kept per text (bounded). A CSeq is not changed by anyone once parsed.
_CSEQ_CACHE: dict[str, CSeq] = {}
_CSEQ_CACHE_MAX = 1024


def parse_cseq(text: str) -> CSeq:
    """``1*DIGIT LWS Method``; the number must be below 2**31."""
    cseq = _CSEQ_CACHE.get(text)
    if cseq is not None:
        return cseq
    m = _CSEQ_RE.fullmatch(text)
    if m is None:
        raise RemoteSIPError("malformed CSeq", position=0, header="cseq")
    number = int(m.group(1))
    if number > CSEQ_MAX:
        raise RemoteSIPError("CSeq number too large", position=0, header="cseq")
    cseq = CSeq(number, m.group(2))
    if len(_CSEQ_CACHE) >= _CSEQ_CACHE_MAX:
        _CSEQ_CACHE.clear()
    _CSEQ_CACHE[text] = cseq
    return cseq


# Call-IDs found well-formed lately: every request of a dialog carries the same one (the
# ACK and BYE of a call after its INVITE). Bounded.
_CALL_IDS: set[str] = set()
_CALL_IDS_MAX = 1024


def parse_call_id(text: str) -> str:
    """``word [ "@" word ]``."""
    if text in _CALL_IDS:
        return text
    if _CALL_ID_RE.fullmatch(text) is None:
        raise RemoteSIPError("malformed Call-ID", position=0, header="call-id")
    if len(_CALL_IDS) >= _CALL_IDS_MAX:
        _CALL_IDS.clear()
    _CALL_IDS.add(text)
    return text


def parse_digits(text: str, header: str, maximum: int | None = None) -> int:
    """A non-negative decimal integer, optionally bounded (Max-Forwards: 255)."""
    # isdigit() alone would accept other scripts' digits; with isascii() it is [0-9]+.
    if not (text.isdigit() and text.isascii()):
        raise RemoteSIPError(f"malformed {header} value", position=0, header=header)
    value = int(text)
    if maximum is not None and value > maximum:
        raise RemoteSIPError(f"{header} value too large", position=0, header=header)
    return value


def check_date(text: str) -> None:
    """RFC 3261 s20.17: the Date must be an RFC 1123 date in GMT."""
    if _DATE_RE.fullmatch(text) is None:
        raise RemoteSIPError("malformed Date (must be RFC 1123, GMT)", position=0, header="date")
