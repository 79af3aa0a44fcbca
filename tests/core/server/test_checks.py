"""The core's request checks decide like the SIP layer's full validation on every torture
message (they only parse less)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from siprouter.core.server.checks import check_request, check_request_each
from siprouter.core.sip import SIPError, SIPRequest, parse_message, validate_request

DATA = Path(__file__).parents[2] / "data" / "sip-torture"


def _requests() -> list[tuple[str, bytes]]:
    out = []
    for suite in ("rfc4475", "rfc5118"):
        with open(DATA / suite / "manifest.tsv", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                data = (DATA / suite / f"{row['name']}.sip").read_bytes()
                try:
                    msg = parse_message(data)
                except SIPError:
                    continue  # refused by the parser, before any check
                if isinstance(msg, SIPRequest):
                    out.append((row["name"], data))
    return out


@pytest.mark.parametrize("name,data", _requests(), ids=[n for n, _ in _requests()])
def test_same_status_as_full_validation(name: str, data: bytes) -> None:
    full = validate_request(parse_message(data), strict=False, supported=())  # type: ignore[arg-type]
    light = check_request(parse_message(data))  # type: ignore[arg-type]
    assert (light.status if light else None) == (full.status if full else None)


# --- the one-call path (SIPRequest.core_parts) against the checks made one by one ----------

BASE = (
    "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0\r\n"
    "From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n"
    "To: service <sip:service@127.0.0.1:5060>\r\n"
    "Call-ID: 1-1234@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: sip:sipp@127.0.0.1:5061\r\n"
    "Max-Forwards: 70\r\n"
    "Content-Length: 0\r\n\r\n"
)

# (header line as in BASE, what to put instead): every check the one-call path answers.
VARIANTS = [
    ("INVITE sip:service@127.0.0.1:5060 SIP/2.0", "INVITE tel:+1234 SIP/2.0"),
    ("INVITE sip:service@127.0.0.1:5060 SIP/2.0", "INVITE foo:bar SIP/2.0"),
    ("INVITE sip:service@127.0.0.1:5060 SIP/2.0", "INVITE sip:ser vice@h SIP/2.0"),
    ("INVITE sip:service@127.0.0.1:5060 SIP/2.0", "INVITE sip:a@[::1 SIP/2.0"),
    ("INVITE sip:service@127.0.0.1:5060 SIP/2.0", "INVITE sips:a@b.example.com SIP/2.0"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0", ""),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1, SIP/2.0/UDP h;branch=z9hG4bK2"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\nVia: SIP/2.0/UDP h;branch=z"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:99999;branch=z9hG4bK-1"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1;received=x"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/3.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=\"z9hG4bK-1\""),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0",
     "Via: SIP/2.0/UDP 127.0.0.1:5061;\r\n branch=z9hG4bK-1"),
    ("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0", "v:SIP/2.0/TCP h;branch=a;rport"),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001", ""),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001", "From: sipp <sip:sipp@h;tag=1"),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001", 'From: "sipp <sip:sipp@h>;tag=1'),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001",
     'From: "a \\" <b>" <sip:sipp@h>;tag=1'),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001", 'f: "a\\\\" <sip:x@h>;tag=1'),
    ("From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001",
     "From: a <sip:x@h>;tag=1\r\nFrom: b <sip:y@h>"),
    ("To: service <sip:service@127.0.0.1:5060>", ""),
    ("To: service <sip:service@127.0.0.1:5060>", "To: service sip:service@h>"),
    ("To: service <sip:service@127.0.0.1:5060>", 'To: "x <sip:service@h>'),
    ("To: service <sip:service@127.0.0.1:5060>", "To: service\r\n <sip:service@h>"),
    ("Call-ID: 1-1234@127.0.0.1", ""),
    ("Call-ID: 1-1234@127.0.0.1", "Call-ID: a@b@c"),
    ("Call-ID: 1-1234@127.0.0.1", "Call-ID: a b"),
    ("Call-ID: 1-1234@127.0.0.1", "i: x\r\nCall-ID: y"),
    ("CSeq: 1 INVITE", ""),
    ("CSeq: 1 INVITE", "CSeq: 1 BYE"),
    ("CSeq: 1 INVITE", "CSeq: x INVITE"),
    ("CSeq: 1 INVITE", "CSeq: 4294967296 INVITE"),
    ("CSeq: 1 INVITE", "CSeq: 1 INVITE\r\nCSeq: 2 INVITE"),
    ("Max-Forwards: 70", ""),
    ("Max-Forwards: 70", "Max-Forwards: 0"),
    ("Max-Forwards: 70", "Max-Forwards: 255"),
    ("Max-Forwards: 70", "Max-Forwards: 256"),
    ("Max-Forwards: 70", "Max-Forwards: 070"),
    ("Max-Forwards: 70", "Max-Forwards: -1"),
    ("Max-Forwards: 70", "Max-Forwards: \u0663"),
    ("Max-Forwards: 70", "Max-Forwards: 70\r\nMax-Forwards: 69"),
    ("Contact: sip:sipp@127.0.0.1:5061", "Proxy-Require: foo"),
    ("Contact: sip:sipp@127.0.0.1:5061", "Proxy-Require: "),
    ("Contact: sip:sipp@127.0.0.1:5061", "Subject: a,\r\n b"),
]


def _verdict(err: SIPError | None) -> tuple[object, ...] | None:
    if err is None:
        return None
    return (type(err), err.status, err.detail, err.header, err.position, err.reason,
            getattr(err, "unsupported", None))


def _kept(msg: SIPRequest) -> list[object]:
    """What the checks leave parsed on the message, as the properties give it."""
    out: list[object] = []
    for name in ("ruri", "top_via", "cseq", "max_forwards", "call_id"):
        try:
            out.append(getattr(msg, name))
        except SIPError as err:
            out.append(_verdict(err))
    return out


def _same_as_one_by_one(data: bytes) -> None:
    try:
        fast = parse_message(data)
    except SIPError:
        return
    if not isinstance(fast, SIPRequest):
        return
    slow = parse_message(data)
    assert isinstance(slow, SIPRequest)
    assert _verdict(check_request(fast)) == _verdict(check_request_each(slow)), data
    assert _kept(fast) == _kept(slow), data


def test_one_call_path_decides_as_the_checks_one_by_one() -> None:
    data = BASE.encode()
    msg = parse_message(data)
    assert isinstance(msg, SIPRequest) and msg.core_parts() is not None
    _same_as_one_by_one(data)
    answered = 0
    for old, new in VARIANTS:
        assert old in BASE
        text = BASE.replace(old + "\r\n", new + "\r\n" if new else "")
        if text.startswith("INVITE") and "CSeq: 1 BYE" not in text:
            for method in ("INVITE", "ACK", "BYE"):
                variant = text.replace("INVITE", method)
                _same_as_one_by_one(variant.encode())
        _same_as_one_by_one(text.encode())
        try:
            msg = parse_message(text.encode())
        except SIPError:
            continue
        answered += isinstance(msg, SIPRequest) and msg.core_parts() is not None
    assert answered > 10  # the one-call path is exercised by the variants, not only skipped


@pytest.mark.parametrize("name,data", _requests(), ids=[n for n, _ in _requests()])
def test_one_call_path_on_torture_requests(name: str, data: bytes) -> None:
    _same_as_one_by_one(data)
