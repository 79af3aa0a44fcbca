"""parse_message: framing, start lines, header boundaries, errors with positions."""

from __future__ import annotations

import pytest

from siprouter.core.sip import (
    RemoteSIPError,
    SIPRequest,
    SIPResponse,
    parse_message,
)

from .helpers import BODY, INVITE, RESPONSE, invite, replace_line, response, with_header


def test_request_line_is_split_into_method_uri_version() -> None:
    msg = invite()
    assert (msg.method, msg.ruri_text, msg.version) == (
        "INVITE", "sip:bob@biloxi.example.com", "SIP/2.0",
    )


def test_status_line_gives_code_and_reason() -> None:
    msg = response()
    assert (msg.status_code, msg.reason) == (180, "Ringing")


def test_parse_message_returns_request_or_response_types() -> None:
    assert isinstance(parse_message(INVITE), SIPRequest)
    assert isinstance(parse_message(RESPONSE), SIPResponse)


def test_untouched_message_serializes_byte_identical() -> None:
    assert invite().serialize() == INVITE


def test_body_is_framed_by_content_length() -> None:
    assert invite().body == BODY


def test_body_longer_than_content_length_is_cut() -> None:
    msg = invite(INVITE + b"garbage")
    assert msg.body == BODY
    assert msg.consumed == len(INVITE)
    assert msg.serialize() == INVITE


def test_body_shorter_than_content_length_is_400() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(INVITE[:-3])
    assert info.value.status == 400 and info.value.header == "content-length"


def test_huge_content_length_is_413() -> None:
    data = replace_line(b"Content-Length: %d" % len(BODY), b"Content-Length: 99999999")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.status == 413


def test_message_larger_than_max_size_is_513() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(INVITE, max_size=100)
    assert info.value.status == 513 and info.value.reason == "Message Too Large"


def test_missing_content_length_takes_the_rest_of_the_datagram() -> None:
    data = replace_line(b"Content-Length: %d\r\n" % len(BODY), b"")
    assert invite(data).body == BODY


def test_non_numeric_content_length_is_400() -> None:
    data = replace_line(b"Content-Length: %d" % len(BODY), b"Content-Length: 1x")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.status == 400


def test_header_block_must_end_with_an_empty_line() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n")
    assert info.value.status == 400


def test_message_without_headers_parses() -> None:
    msg = parse_message(b"OPTIONS sip:a@b SIP/2.0\r\n\r\n")
    assert msg.headers == [] and msg.body == b""


def test_header_line_without_colon_is_400_at_that_line() -> None:
    data = with_header(b"NoColonHere")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.position == data.index(b"NoColonHere")


def test_malformed_header_name_is_400() -> None:
    data = with_header(b"Bad Name: x")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.position == data.index(b"Bad Name")


def test_continuation_line_before_any_header_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_message(b"OPTIONS sip:a@b SIP/2.0\r\n folded: x\r\n\r\n")


def test_extra_space_in_request_line_is_400() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(INVITE.replace(b"INVITE sip", b"INVITE  sip", 1))
    assert info.value.status == 400 and info.value.position == 6


def test_trailing_space_after_version_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_message(INVITE.replace(b"SIP/2.0\r\n", b"SIP/2.0 \r\n", 1))


def test_other_sip_version_is_505() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(INVITE.replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1))
    assert info.value.status == 505


def test_garbage_version_is_400() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(INVITE.replace(b"SIP/2.0\r\n", b"HTTP/1.1\r\n", 1))
    assert info.value.status == 400


def test_non_token_method_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_message(INVITE.replace(b"INVITE sip", b"INV(TE sip", 1))


def test_version_is_case_insensitive() -> None:
    msg = invite(INVITE.replace(b"SIP/2.0\r\n", b"sip/2.0\r\n", 1))
    assert msg.version == "SIP/2.0"


def test_response_status_code_must_be_three_digits() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(RESPONSE.replace(b"180", b"1800", 1))
    assert info.value.status is None


def test_response_errors_never_carry_a_status() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_message(RESPONSE.replace(b"Content-Length: 0", b"Content-Length: 5"))
    assert info.value.status is None


def test_status_line_without_reason_is_accepted() -> None:
    msg = response(RESPONSE.replace(b"180 Ringing", b"180", 1))
    assert msg.reason == ""


def test_error_locate_gives_line_and_column() -> None:
    data = with_header(b"Bad Name: x")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    line, column = info.value.locate(data)  # type: ignore[misc]
    assert data.split(b"\r\n")[line - 1].startswith(b"Bad Name") and column == 1


def test_start_line_without_crlf_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_message(b"OPTIONS sip:a@b SIP/2.0")


def test_lazy_header_error_carries_its_byte_position() -> None:
    data = replace_line(b"CSeq: 314159 INVITE", b"CSeq: x INVITE")
    msg = parse_message(data)  # nothing parsed yet
    with pytest.raises(RemoteSIPError) as info:
        msg.cseq  # noqa: B018
    assert info.value.position == data.index(b"x INVITE")
    assert info.value.header == "cseq"


def test_lazy_error_position_counts_bytes_after_utf8_text() -> None:
    data = with_header("To: \"Ünïcödé\" <sip:x@[bad>".encode(), replace_line(
        b"To: Bob <sip:bob@biloxi.example.com>\r\n", b""))
    msg = parse_message(data)
    with pytest.raises(RemoteSIPError) as info:
        msg.to  # noqa: B018
    assert info.value.position == data.index(b"[bad")
