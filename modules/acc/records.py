"""acc's records, as Kamailio writes them: pure functions, no I/O.

A record is the request's core attributes (CSeq method, From tag, To tag, Call-ID, status
code and reason) and the time, plus the `log_extra` / `db_extra` values. Kamailio's syslog
line is

    ACC: transaction answered: timestamp=1700000000;method=INVITE;from_tag=...;to_tag=...;
    call_id=...;code=200;reason=OK;src_user=alice;...

(one line; the prefix names the event: `transaction answered`, `call missed`, `request
accounted`), and the database row has the columns `method, from_tag, to_tag, callid,
sip_code, sip_reason, time` (names configurable) plus one column per db_extra name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The event texts of Kamailio's acc.h.
ANSWERED = "ACC: transaction answered: "
MISSED = "ACC: call missed: "
REQUEST = "ACC: request accounted: "

# Syslog facilities Kamailio's log_facility accepts (str2facility).
FACILITIES = frozenset({
    "LOG_AUTH", "LOG_AUTHPRIV", "LOG_CRON", "LOG_DAEMON", "LOG_FTP", "LOG_KERN", "LOG_LPR",
    "LOG_MAIL", "LOG_NEWS", "LOG_SYSLOG", "LOG_USER", "LOG_UUCP",
    *(f"LOG_LOCAL{i}" for i in range(8)),
})

# Kamailio's error_text(): the reason acc records for a reply tm made up itself, whatever
# phrase the script gave it (core/error.c).
_ERROR_TEXT = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
    183: "Session Progress", 200: "OK", 300: "Multiple Choices", 301: "Moved Permanently",
    302: "Moved Temporarily", 305: "Use Proxy", 380: "Alternative Service",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone",
    413: "Request Entity Too Large", 414: "Request-URI Too Long",
    415: "Unsupported Media Type", 416: "Unsupported URI Scheme", 417: "Bad Extension",
    421: "Extension Required", 423: "Interval Too Brief", 480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops",
    484: "Address Incomplete", 485: "Ambiguous", 486: "Busy Here",
    487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
    500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Server Time-Out", 505: "Version Not Supported",
    513: "Message Too Large", 600: "Busy Everywhere", 603: "Decline",
    604: "Does Not Exist Anywhere", 606: "Not Acceptable",
}
_CLASS_TEXT = ((600, "Global Failure"), (500, "Server Failure"), (400, "Request Failure"),
               (300, "Redirection"), (200, "Successful"), (100, "Provisional"))


def error_text(code: int) -> str:
    """Kamailio's standard reason phrase for `code` (its class's name when it has none)."""
    text = _ERROR_TEXT.get(code)
    if text is not None:
        return text
    for floor, name in _CLASS_TEXT:
        if code >= floor:
            return name
    return "Unspecified"


@dataclass(frozen=True)
class AccRecord:
    """One accounting record. `extra` keeps the order of the extra definitions; a value is
    None when its pseudo-variable was undefined ($null)."""

    method: str
    from_tag: str
    to_tag: str
    call_id: str
    code: str  # as written in the status line ("" when a comment gave none)
    reason: str
    time: float  # epoch seconds
    extra: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Columns:
    """The core columns' names (the acc_*_column parameters)."""

    method: str = "method"
    from_tag: str = "from_tag"
    to_tag: str = "to_tag"
    callid: str = "callid"
    sip_code: str = "sip_code"
    sip_reason: str = "sip_reason"
    time: str = "time"


def parse_extra(spec: str | None, what: str = "log_extra") -> list[tuple[str, str]]:
    """`"src_user=$fU;src_ip=$si"` as [(name, pv text)]. ValueError naming `what` for an item
    that is not `name=$pv` (Kamailio refuses to start on those too)."""
    out: list[tuple[str, str]] = []
    for item in (spec or "").split(";"):
        item = item.strip()
        if not item:
            continue
        name, eq, pv = item.partition("=")
        name, pv = name.strip(), pv.strip()
        if not eq or not name or not pv.startswith("$"):
            raise ValueError(f"acc: {what}: bad item {item!r} (expected name=$pseudo_variable)")
        out.append((name, pv))
    return out


def parse_comment(comment: str) -> tuple[str, str]:
    """acc_*_request's comment as (code, reason): `"404 Not Found"` -> ("404", "Not Found");
    a comment without a leading three-digit code is all reason, with no code."""
    if len(comment) >= 3 and comment[:3].isdigit():
        return comment[:3], comment[3:].lstrip()
    return "", comment


def log_line(text: str, record: AccRecord) -> str:
    """The syslog line of `record` for event `text` (ANSWERED, MISSED, REQUEST); undefined
    extra values are empty, as Kamailio prints them."""
    parts = [f"{text}timestamp={int(record.time)}", f"method={record.method}",
             f"from_tag={record.from_tag}", f"to_tag={record.to_tag}",
             f"call_id={record.call_id}", f"code={record.code}", f"reason={record.reason}"]
    parts += [f"{name}={value if value is not None else ''}" for name, value in record.extra]
    return ";".join(parts)


def db_row(record: AccRecord, columns: Columns = Columns(), *,
           nullable: bool = False) -> dict[str, object]:
    """The row for the acc / missed_calls table. `time` is the naive local datetime Kamailio
    stores; an undefined extra value is '' unless `nullable` (acc_extra_nullable=1) makes it
    NULL."""
    row: dict[str, object] = {
        columns.method: record.method, columns.from_tag: record.from_tag,
        columns.to_tag: record.to_tag, columns.callid: record.call_id,
        columns.sip_code: record.code, columns.sip_reason: record.reason,
        columns.time: datetime.fromtimestamp(int(record.time)),
    }
    for name, value in record.extra:
        row[name] = value if value is not None or nullable else ""
    return row


def parse_failed_filter(spec: str | None) -> frozenset[int]:
    """failed_filter `"404,407"` as codes; ValueError for anything that is not a code
    300..999 (Kamailio's check)."""
    codes: set[int] = set()
    if not spec or spec == "not-set":
        return frozenset()
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or not 300 <= int(item) <= 999:
            raise ValueError(f"acc: failed_filter: {item!r} is not a status code 300..999")
        codes.add(int(item))
    return frozenset(codes)


def flag_set(flags: int, flag: int) -> bool:
    """Whether script flag `flag` (-1: the parameter is not set) is set in `flags`."""
    return flag >= 0 and bool(flags >> flag & 1)


def check_flag(name: str, flag: int) -> None:
    """ValueError for a flag parameter outside -1..31."""
    if not -1 <= flag <= 31:
        raise ValueError(f"acc: {name}: flag {flag} is not 0..31")

