"""Header access: case-insensitive names, compact forms, lists, folding, multiplicity."""

from __future__ import annotations

import pytest

from siprouter.core.sip import RemoteSIPError, canonical_name, display_name

from .helpers import INVITE, invite, replace_line, with_header


def test_header_names_are_case_insensitive() -> None:
    msg = invite()
    assert msg.header("call-id") == msg.header("CALL-ID") == "a84b4c76e66710@pc33.atlanta.example.com"


@pytest.mark.parametrize(
    "compact,long",
    [("v", "via"), ("f", "from"), ("t", "to"), ("i", "call-id"), ("m", "contact"),
     ("l", "content-length"), ("k", "supported"), ("s", "subject"), ("c", "content-type"),
     ("e", "content-encoding"), ("o", "event"), ("u", "allow-events"), ("r", "refer-to"),
     ("b", "referred-by"), ("x", "session-expires"), ("j", "reject-contact"),
     ("y", "identity"), ("d", "request-disposition"), ("a", "accept-contact")],
)
def test_compact_form_maps_to_the_long_name(compact: str, long: str) -> None:
    assert canonical_name(compact) == canonical_name(compact.upper()) == long


def test_compact_and_long_forms_are_the_same_header() -> None:
    msg = invite(replace_line(b"Call-ID:", b"i:"))
    assert msg.call_id == "a84b4c76e66710@pc33.atlanta.example.com"
    assert msg.header("Call-ID") == msg.header("i")


def test_display_name_spells_well_known_headers() -> None:
    assert display_name("call-id") == "Call-ID"
    assert display_name("cseq") == "CSeq"
    assert display_name("record-route") == "Record-Route"


def test_space_before_colon_is_allowed() -> None:
    msg = invite(replace_line(b"Max-Forwards:", b"Max-Forwards  :"))
    assert msg.max_forwards == 70


def test_folded_value_reads_as_one_line() -> None:
    msg = invite(with_header(b"Subject: one\r\n two\r\n\tthree"))
    assert msg.header("subject") == "one two three"


def test_folded_message_still_serializes_byte_identical() -> None:
    data = with_header(b"Subject: one\r\n two")
    assert invite(data).serialize() == data


def test_comma_list_splits_outside_quotes_and_brackets() -> None:
    data = with_header(b'Contact: "a, b" <sip:a@x;p=1>, <sip:b@y>')
    msg = invite(replace_line(b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n", b"", data))
    assert [c.display_name for c in msg.contacts] == ["a, b", None]
    assert [str(c.uri) for c in msg.contacts] == ["sip:a@x;p=1", "sip:b@y"]


def test_list_values_combine_several_lines() -> None:
    msg = invite(with_header(b"Supported: timer", with_header(b"Supported: 100rel, path")))
    assert msg.header_values("supported") == ["100rel", "path", "timer"]


def test_non_list_header_is_not_split_on_commas() -> None:
    msg = invite(with_header(b"Subject: hello, world"))
    assert msg.header_values("subject") == ["hello, world"]


def test_header_all_returns_each_line() -> None:
    msg = invite(with_header(b"X-A: 1", with_header(b"X-A: 2")))
    assert msg.header_all("x-a") == ["2", "1"]
    assert msg.header_count("X-A") == 2


def test_absent_header_is_none() -> None:
    msg = invite()
    assert msg.header("x-nope") is None and not msg.has_header("x-nope")
    assert msg.expires is None


def test_headers_lists_fields_with_positions() -> None:
    msg = invite()
    field = msg.headers[2]
    assert (field.key, field.name, field.value) == ("to", "To", "Bob <sip:bob@biloxi.example.com>")
    assert INVITE[field.value_start:field.end] == b"Bob <sip:bob@biloxi.example.com>"


def test_duplicate_single_valued_header_is_400() -> None:
    msg = invite(with_header(b"CSeq: 2 INVITE"))
    with pytest.raises(RemoteSIPError) as info:
        msg.cseq  # noqa: B018
    assert info.value.status == 400 and info.value.header == "cseq"


def test_empty_element_in_list_is_400() -> None:
    msg = invite(with_header(b"Route: <sip:a@b>,,<sip:c@d>"))
    with pytest.raises(RemoteSIPError):
        msg.routes  # noqa: B018


def test_parsed_values_are_cached() -> None:
    msg = invite()
    assert msg.from_ is msg.from_


def test_max_forwards_above_255_is_400() -> None:
    msg = invite(replace_line(b"Max-Forwards: 70", b"Max-Forwards: 256"))
    with pytest.raises(RemoteSIPError):
        msg.max_forwards  # noqa: B018


def test_cseq_number_must_be_below_2_31() -> None:
    msg = invite(replace_line(b"CSeq: 314159", b"CSeq: 2147483648"))
    with pytest.raises(RemoteSIPError):
        msg.cseq  # noqa: B018


def test_cseq_accepts_leading_zeros_and_lws() -> None:
    msg = invite(replace_line(b"CSeq: 314159 INVITE", b"CSeq: 0009\r\n  INVITE"))
    assert msg.cseq is not None and (msg.cseq.number, msg.cseq.method) == (9, "INVITE")


def test_malformed_call_id_is_400() -> None:
    msg = invite(replace_line(b"Call-ID: a84b4c76e66710", b"Call-ID: a b"))
    with pytest.raises(RemoteSIPError):
        msg.call_id  # noqa: B018


def test_contact_star() -> None:
    msg = invite(replace_line(b"Contact: <sip:alice@pc33.atlanta.example.com>", b"Contact: *"))
    assert msg.contact_star and msg.contacts == []


def test_expires_is_an_integer() -> None:
    assert invite(with_header(b"Expires: 3600")).expires == 3600


def test_record_routes_in_order() -> None:
    msg = invite(with_header(b"Record-Route: <sip:p1;lr>, <sip:p2;lr>"))
    assert [str(r.uri) for r in msg.record_routes] == ["sip:p1;lr", "sip:p2;lr"]


def test_call_id_verdicts_do_not_depend_on_what_was_seen_before() -> None:
    from siprouter.core.sip import RemoteSIPError as Err
    from siprouter.core.sip import scalars
    from siprouter.core.sip.scalars import parse_call_id

    good = ["a84b4c76e66710@pc33.atlanta.example.com", "x", "a-b.c!d%e*f_g+h`i'j~k(l)<m>:n",
            'a\\b"c/d[e]f?g{h}@w']
    bad = ["a b", "", "a@b@c", "@", "a@", "\u00e9", "a\tb", "a;b"]
    for _ in range(2):  # the second time, the good ones are known
        for text in good:
            assert parse_call_id(text) == text
        for text in bad:
            with pytest.raises(Err):
                parse_call_id(text)
    scalars._CALL_IDS.clear()
    for n in range(scalars._CALL_IDS_MAX + 5):
        parse_call_id(f"call-{n}")
    assert len(scalars._CALL_IDS) <= scalars._CALL_IDS_MAX
