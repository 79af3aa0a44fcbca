"""validate_request / validate_response and the Max-Forwards hop count."""

from __future__ import annotations

import pytest

from siprouter.core.sip import decrement_max_forwards, validate_request, validate_response

from .helpers import INVITE, invite, replace_line, response, with_header


def test_well_formed_request_passes() -> None:
    assert validate_request(invite()) is None


def test_well_formed_response_passes() -> None:
    assert validate_response(response()) is None


@pytest.mark.parametrize("header", [b"Via", b"From", b"To", b"Call-ID", b"CSeq"])
def test_missing_required_header_is_400(header: bytes) -> None:
    start = INVITE.index(b"\r\n" + header + b":") + 2
    end = INVITE.index(b"\r\n", start) + 2
    error = validate_request(invite(INVITE[:start] + INVITE[end:]))
    assert error is not None and error.status == 400


def test_cseq_method_mismatch_is_400() -> None:
    error = validate_request(invite(replace_line(b"314159 INVITE", b"314159 BYE")))
    assert error is not None and error.status == 400 and error.header == "cseq"


def test_unsupported_ruri_scheme_is_416() -> None:
    error = validate_request(invite(replace_line(b"INVITE sip:bob", b"INVITE im:bob")))
    assert error is not None and error.status == 416
    assert error.reason == "Unsupported URI Scheme"


def test_schemes_can_be_widened() -> None:
    msg = invite(replace_line(b"INVITE sip:bob", b"INVITE im:bob"))
    assert validate_request(msg, schemes={"sip", "im"}) is None


def test_tel_ruri_is_routable() -> None:
    assert validate_request(invite(replace_line(b"sip:bob@biloxi.example.com SIP",
                                                b"tel:+15551234 SIP"))) is None


def test_unknown_proxy_require_is_420_with_the_tags() -> None:
    error = validate_request(invite(with_header(b"Proxy-Require: foo, bar")), supported={"bar"})
    assert error is not None and error.status == 420 and error.unsupported == ("foo",)


def test_proxy_require_not_checked_without_a_supported_list() -> None:
    assert validate_request(invite(with_header(b"Proxy-Require: foo"))) is None


def test_bad_max_forwards_is_400() -> None:
    error = validate_request(invite(replace_line(b"Max-Forwards: 70", b"Max-Forwards: x")))
    assert error is not None and error.status == 400


def test_headers_in_ruri_rejected_only_when_strict() -> None:
    msg = invite(replace_line(b"INVITE sip:bob@biloxi.example.com", b"INVITE sip:bob@biloxi.example.com?x=y"))
    error = validate_request(msg)
    assert error is not None and error.status == 400
    assert validate_request(msg, strict=False) is None


def test_strict_mode_checks_contact() -> None:
    msg = invite(replace_line(b"Contact: <sip:alice@pc33.atlanta.example.com>", b"Contact: <sip:a@b"))
    assert validate_request(msg) is not None
    assert validate_request(msg, strict=False) is None


def test_bad_date_rejected_only_when_strict() -> None:
    msg = invite(with_header(b"Date: Fri, 01 Jan 2010 16:00:00 EST"))
    assert validate_request(msg) is not None
    assert validate_request(msg, strict=False) is None


def test_good_date_passes() -> None:
    assert validate_request(invite(with_header(b"Date: Sat, 13 Nov 2010 23:29:00 GMT"))) is None


def test_response_error_has_no_status() -> None:
    error = validate_response(response(replace_line(
        b"CSeq: 314159 INVITE", b"CSeq: x INVITE", response().raw)))
    assert error is not None and error.status is None


def test_validate_request_refuses_a_response() -> None:
    with pytest.raises(TypeError):
        validate_request(response())  # type: ignore[arg-type]


def test_max_forwards_is_decremented() -> None:
    msg = invite()
    assert decrement_max_forwards(msg) is None
    assert msg.apply_changes().max_forwards == 69


def test_max_forwards_is_added_when_absent() -> None:
    msg = invite(replace_line(b"Max-Forwards: 70\r\n", b""))
    assert decrement_max_forwards(msg, default=10) is None
    assert msg.apply_changes().max_forwards == 10


def test_max_forwards_zero_is_483_and_nothing_changes() -> None:
    data = replace_line(b"Max-Forwards: 70", b"Max-Forwards: 0")
    msg = invite(data)
    error = decrement_max_forwards(msg)
    assert error is not None and error.status == 483 and error.reason == "Too Many Hops"
    assert error.position == data.index(b"0\r\nTo:")
    assert not msg.has_changes
