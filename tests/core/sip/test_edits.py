"""Recorded edits (lumps): applied on serialize, untouched bytes kept as they came."""

from __future__ import annotations

import pytest

from siprouter.core.sip import LocalSIPError, SIPRequest, build_via

from .helpers import BODY, INVITE, invite, response, with_header


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_no_edit_means_no_changes() -> None:
    msg = invite()
    assert not msg.has_changes and msg.serialize() is not None


def test_add_header_goes_after_the_last_header() -> None:
    msg = invite()
    msg.add_header("X-Test", "1")
    assert lines(msg.serialize())[-1] == b"X-Test: 1"


def test_add_header_first_goes_right_after_the_start_line() -> None:
    msg = invite()
    msg.add_header("X-Test", "1", first=True)
    assert lines(msg.serialize())[1] == b"X-Test: 1"


def test_edits_are_invisible_until_applied() -> None:
    msg = invite()
    msg.add_header("X-Test", "1")
    assert msg.header("x-test") is None
    assert msg.apply_changes().header("x-test") == "1"


def test_remove_header_removes_every_line() -> None:
    msg = invite(with_header(b"X-A: 1", with_header(b"X-A: 2")))
    assert msg.remove_header("x-a") == 2
    assert b"X-A" not in msg.serialize()


def test_remove_header_keeps_the_other_bytes() -> None:
    msg = invite()
    msg.remove_header("Contact")
    assert msg.serialize() == INVITE.replace(b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n", b"")


def test_replace_header_keeps_the_name_spelling() -> None:
    msg = invite(INVITE.replace(b"Call-ID:", b"i:"))
    msg.replace_header("call-id", "new@id")
    assert b"\r\ni: new@id\r\n" in msg.serialize()


def test_replace_header_collapses_duplicates() -> None:
    msg = invite(with_header(b"X-A: 1", with_header(b"X-A: 2")))
    msg.replace_header("X-A", "3")
    assert msg.apply_changes().header_all("x-a") == ["3"]


def test_replace_absent_header_adds_it() -> None:
    msg = invite()
    msg.replace_header("subject", "hi")
    assert msg.apply_changes().header("Subject") == "hi"
    assert b"\r\nSubject: hi\r\n" in msg.serialize()


def test_remove_one_value_of_a_comma_list() -> None:
    msg = response()
    msg.remove_header_value("via", 0)
    vias = msg.apply_changes().vias
    assert [v.host for v in vias] == ["pc33.atlanta.example.com"]


def test_element_edits_on_one_line_compose() -> None:
    msg = invite(with_header(b"Route: <sip:a;lr>, <sip:b;lr>, <sip:c;lr>"))
    msg.remove_header_value("route", 0)
    msg.replace_header_value("route", 2, "<sip:z;lr>")
    assert [str(r.uri) for r in msg.apply_changes().routes] == ["sip:b;lr", "sip:z;lr"]


def test_prepend_via_goes_above_the_first_via() -> None:
    msg = invite()
    msg.prepend_via(build_via("UDP", "proxy.example.com", branch="z9hG4bKp"))
    vias = msg.apply_changes().vias
    assert [v.host for v in vias] == ["proxy.example.com", "pc33.atlanta.example.com"]


def test_prepend_record_route() -> None:
    msg = invite(with_header(b"Record-Route: <sip:p2;lr>"))
    msg.prepend_record_route("<sip:p1;lr>")
    assert [str(r.uri) for r in msg.apply_changes().record_routes] == ["sip:p1;lr", "sip:p2;lr"]


def test_set_body_updates_content_length() -> None:
    msg = invite()
    msg.set_body(b"hello")
    new = msg.apply_changes()
    assert new.body == b"hello" and new.content_length == 5


def test_set_body_sets_content_type_when_given() -> None:
    msg = invite()
    msg.set_body(b"{}", "application/json")
    assert msg.apply_changes().content_type == "application/json"


def test_set_body_adds_content_length_when_absent() -> None:
    msg = invite(INVITE.replace(b"Content-Length: %d\r\n" % len(BODY), b""))
    msg.set_body(b"")
    assert msg.apply_changes().content_length == 0


def test_set_ruri_rewrites_only_the_request_line() -> None:
    msg = invite()
    msg.set_ruri("sip:carol@chicago.example.com")
    out = msg.serialize()
    assert out.startswith(b"INVITE sip:carol@chicago.example.com SIP/2.0\r\n")
    assert out.split(b"\r\n", 1)[1] == INVITE.split(b"\r\n", 1)[1]


def test_set_ruri_user_host_port() -> None:
    msg = invite()
    msg.set_ruri_user("carol")
    msg.set_ruri_host("192.0.2.9")
    msg.set_ruri_port(5070)
    assert str(msg.new_ruri) == "sip:carol@192.0.2.9:5070"
    new = msg.apply_changes()
    assert isinstance(new, SIPRequest) and new.ruri_text == "sip:carol@192.0.2.9:5070"
    assert str(msg.ruri) == "sip:bob@biloxi.example.com"


def test_set_status_changes_a_response_status_line() -> None:
    msg = response()
    msg.set_status(183, "Session Progress")
    assert msg.serialize().startswith(b"SIP/2.0 183 Session Progress\r\n")


def test_header_injection_is_our_fault() -> None:
    msg = invite()
    with pytest.raises(LocalSIPError):
        msg.add_header("X-A", "1\r\nX-B: 2")
    with pytest.raises(LocalSIPError):
        msg.add_header("X A", "1")


def test_untouched_folded_lines_survive_other_edits() -> None:
    data = with_header(b"Subject: one\r\n two")
    msg = invite(data)
    msg.add_header("X-A", "1")
    assert b"Subject: one\r\n two\r\n" in msg.serialize()


def test_edited_message_reparses() -> None:
    msg = invite()
    msg.add_header("X-A", "1")
    msg.remove_header("contact")
    new = msg.apply_changes()
    assert new.serialize() == msg.serialize()
    assert new.contacts == [] and new.header("x-a") == "1"


def _first_line_the_long_way(msg: SIPRequest, line: bytes) -> bytes:
    data = msg.serialize()
    eol = data.find(b"\r\n") + 2
    return data[:eol] + line + data[eol:]


@pytest.mark.parametrize("edit", ["none", "header", "ruri", "body", "via"])
def test_serialize_with_first_line_puts_the_line_after_the_start_line(edit: str) -> None:
    from siprouter.core.sip import parse_message

    line = b"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKours\r\n"
    # octets after the body (as Content-Length delimits it) are not part of the message
    msg = parse_message(INVITE + b"trailing octets")
    assert isinstance(msg, SIPRequest)
    if edit == "header":
        msg.add_header("X-Test", "1", first=True)
    elif edit == "ruri":
        msg.set_ruri("sip:carol@chicago.example.com")
    elif edit == "body":
        msg.set_body(b"other")
    elif edit == "via":
        msg.replace_header_value("via", 0, "SIP/2.0/UDP h;branch=z9hG4bKx;received=1.2.3.4")
    out = msg.serialize_with_first_line(line)
    assert out == _first_line_the_long_way(msg, line)
    assert out.split(b"\r\n")[1] + b"\r\n" == line and b"trailing" not in out
