"""RFC 4475 and RFC 5118 torture messages, byte-exact from tests/data/sip-torture.

Every message listed in a manifest is run: a `valid` (or `valid-but-unusual`) one must
parse, serialize back unchanged and pass a proxy's checks unless the RFC says a proxy answers
it (416, 420); an `invalid` one must yield an error, from `parse_message` or from
`validate_request`/`validate_response`, whose status is the manifest's `preferred_status`
(None for responses: they are dropped, never answered). Then one test per message checks
the fields the RFC calls out.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from siprouter.core.sip import (
    AbsoluteURI,
    RemoteSIPError,
    SIPError,
    SIPMessage,
    SIPRequest,
    SIPResponse,
    SipURI,
    decrement_max_forwards,
    parse_message,
    reply_target,
    validate_request,
    validate_response,
)

DATA = Path(__file__).parents[2] / "data" / "sip-torture"

# What a proxy answers to the valid-but-unusual requests it must not route as they are
# (RFC 4475 s3.3.2, s3.3.3, s3.3.5). The other statuses in the manifest are a UAS's or a
# registrar's decision (415, 401, 406, a registrar's 400): a proxy forwards those.
PROXY_ANSWERS = {"unkscm": 416, "novelsc": 416, "bext01": 420}


def _rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for suite in ("rfc4475", "rfc5118"):
        with open(DATA / suite / "manifest.tsv", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                rows.append((suite, row))
    return rows


ROWS = _rows()


def load(suite: str, name: str) -> bytes:
    return (DATA / suite / f"{name}.sip").read_bytes()


def parse(suite: str, name: str) -> SIPMessage:
    return parse_message(load(suite, name))


def request(suite: str, name: str) -> SIPRequest:
    msg = parse(suite, name)
    assert isinstance(msg, SIPRequest)
    return msg


def proxy_check(msg: SIPMessage) -> RemoteSIPError | None:
    """A proxy that supports no extension, with the default strictness."""
    if isinstance(msg, SIPRequest):
        return validate_request(msg, supported=())
    assert isinstance(msg, SIPResponse)
    return validate_response(msg)


def test_the_corpus_is_complete() -> None:
    assert len([r for s, r in ROWS if s == "rfc4475"]) == 49
    assert len([r for s, r in ROWS if s == "rfc5118"]) == 12
    for suite, row in ROWS:
        assert (DATA / suite / f"{row['name']}.sip").is_file()


@pytest.mark.parametrize(
    "suite,row",
    [r for r in ROWS if r[1]["class"] != "invalid"],
    ids=lambda v: v["name"] if isinstance(v, dict) else v,
)
def test_valid_message_parses_and_round_trips(suite: str, row: dict[str, str]) -> None:
    data = load(suite, row["name"])
    msg = parse_message(data)
    assert msg.serialize() == data[:msg.consumed]
    error = proxy_check(msg)
    expected = PROXY_ANSWERS.get(row["name"])
    if expected is None:
        assert error is None, error
    else:
        assert error is not None and error.status == expected == int(row["preferred_status"])


@pytest.mark.parametrize(
    "suite,row",
    [r for r in ROWS if r[1]["class"] == "invalid"],
    ids=lambda v: v["name"] if isinstance(v, dict) else v,
)
def test_invalid_message_yields_the_preferred_status(suite: str, row: dict[str, str]) -> None:
    data = load(suite, row["name"])
    error: SIPError | None
    try:
        error = proxy_check(parse_message(data))
    except SIPError as err:
        error = err
    assert error is not None, f"{row['name']} was accepted"
    assert isinstance(error, RemoteSIPError)
    preferred = row["preferred_status"]
    assert error.status == (None if preferred == "none" else int(preferred))
    assert error.position is None or 0 <= error.position <= len(data)


# --------------------------------------------------------------------------- RFC 4475 valid


def test_wsinv_reads_through_odd_whitespace_folding_and_compact_forms() -> None:
    msg = request("rfc4475", "wsinv")
    assert msg.method == "INVITE"
    assert str(msg.ruri) == "sip:vivekg@chair-dnrc.example.com;unknownparam"
    assert msg.to is not None and msg.to.tag == "1918181833n"
    assert str(msg.to.uri) == "sip:vivekg@chair-dnrc.example.com"
    assert msg.from_ is not None and msg.from_.tag == "98asjd8"
    assert msg.from_.display_name == 'J Rosenberg \\"'
    assert msg.max_forwards == 68
    assert msg.cseq is not None and (msg.cseq.number, msg.cseq.method) == (9, "INVITE")
    assert [(v.transport, v.host, v.branch) for v in msg.vias] == [
        ("UDP", "192.0.2.2", "390skdjuw"),
        ("TCP", "spindle.example.com", "z9hG4bK9ikj8"),
        ("UDP", "192.168.255.111", "z9hG4bK30239"),
    ]
    assert msg.header("subject") == ""
    assert msg.header("NewFangledHeader") == "newfangled value continued newfangled value"
    assert msg.header("UnknownHeaderWithUnusualValue") == ";;,,;;,;"
    route = msg.routes[0]
    assert route.uri.params == {"lr": None, "unknownwith": "value", "unknown-no-value": None}  # type: ignore[union-attr]
    contact = msg.contacts[0]
    assert contact.display_name == 'Quoted string ""'
    assert contact.params == {"newparam": "newvalue", "secondparam": None, "q": "0.33"}
    assert len(msg.body) == 150


def test_intmeth_accepts_every_legal_character() -> None:
    msg = request("rfc4475", "intmeth")
    assert msg.method == "!interesting-Method0123456789_*+`.%indeed'~"
    assert isinstance(msg.ruri, SipURI)
    assert msg.ruri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    assert msg.ruri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
    assert msg.to is not None and msg.to.display_name == "BEL:\x07 NUL:\x00 DEL:\x7f"
    assert msg.from_ is not None and msg.from_.tag == "_token~1'+`*%!-."
    assert msg.from_.display_name == "token1~` token2'+_ token3*%!.-"
    assert msg.from_.param("fromParam''~+*_!.-%") == "\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439"
    assert msg.call_id == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
    assert msg.cseq is not None and msg.cseq.method == msg.method
    assert msg.header("extensionHeader-!.%*+_`'~") == "\ufeff\u5927\u505c\u96fb"


def test_esc01_unescapes_uri_components() -> None:
    msg = request("rfc4475", "esc01")
    assert isinstance(msg.ruri, SipURI)
    assert msg.ruri.user == "sips:user@example.com"
    assert msg.ruri.host == "example.net"
    assert msg.to is not None and msg.to.uri.user == "user"  # type: ignore[union-attr]
    assert msg.from_ is not None and msg.from_.uri.user == "I have spaces"  # type: ignore[union-attr]
    contact = msg.contacts[0].uri
    assert isinstance(contact, SipURI)
    assert contact.user == "caller"
    assert contact.params == {"lr": None, "name": "value%41"}


def test_escnull_keeps_escaped_nulls() -> None:
    msg = request("rfc4475", "escnull")
    assert msg.to is not None and msg.to.uri.user == "null-\x00-null"  # type: ignore[union-attr]
    assert [c.uri.user for c in msg.contacts] == ["\x00", "\x00\x00"]  # type: ignore[union-attr]


def test_esc02_method_is_not_unescaped() -> None:
    msg = request("rfc4475", "esc02")
    assert msg.method == "RE%47IST%45R"
    assert msg.cseq is not None and msg.cseq.method == "RE%47IST%45R"
    assert msg.to is not None and msg.to.display_name == "%Z%45"
    assert [str(c.uri) for c in msg.contacts] == [
        "sip:alias1@host1.example.com", "sip:alias3@host3.example.com",
    ]
    assert msg.header("C%6Fntact") == "<sip:alias2@host2.example.com>"
    assert msg.top_via is not None and msg.top_via.branch == "z9hG4bK209%fzsnel234"


def test_lwsdisp_display_name_without_space_before_bracket() -> None:
    msg = request("rfc4475", "lwsdisp")
    assert msg.from_ is not None and msg.from_.display_name == "caller"
    assert msg.from_.tag == "323"


def test_longreq_long_values_and_many_vias() -> None:
    msg = request("rfc4475", "longreq")
    assert len(msg.vias) == 34
    assert msg.vias[0].host == "sip33.example.com"
    assert msg.vias[-1].received == "192.0.2.5"
    assert msg.to is not None and msg.to.display_name is not None
    assert msg.to.display_name.startswith("I have a user name of extremeextreme")
    assert msg.to.uri.port == 6000  # type: ignore[union-attr]
    assert msg.from_ is not None and msg.from_.tag is not None and len(msg.from_.tag) > 100
    assert len(msg.body) == 150


def test_dblreq_ignores_the_trailing_invite() -> None:
    data = load("rfc4475", "dblreq")
    msg = parse_message(data)
    assert isinstance(msg, SIPRequest) and msg.method == "REGISTER"
    assert msg.body == b""
    assert data[msg.consumed:].lstrip(b"\r\n").startswith(b"INVITE sip:joe@example.com")
    assert msg.call_id == "dblreq.0ha0isndaksdj99sdfafnl3lk233412"


def test_semiuri_user_part_with_semicolon() -> None:
    msg = request("rfc4475", "semiuri")
    assert isinstance(msg.ruri, SipURI)
    assert msg.ruri.user == "user;par=u@example.net"
    assert msg.ruri.host == "example.com"
    assert msg.ruri.params == {}
    assert msg.header_values("Accept") == [
        "application/sdp", "application/pkcs7-mime", "multipart/mixed",
        "multipart/signed", "message/sip", "message/sipfrag",
    ]


def test_transports_unknown_transport_is_legal() -> None:
    msg = request("rfc4475", "transports")
    assert [v.transport for v in msg.vias] == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]


def test_mpart01_binary_multipart_body() -> None:
    msg = request("rfc4475", "mpart01")
    assert len(msg.body) == 553
    assert msg.content_type == "multipart/mixed;boundary=7a9cbec02ceef655"
    assert msg.body.endswith(b"--7a9cbec02ceef655--\r\n")


def test_unreason_utf8_reason_phrase() -> None:
    msg = parse("rfc4475", "unreason")
    assert isinstance(msg, SIPResponse)
    assert msg.status_code == 200
    assert msg.reason.startswith("= 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e")


def test_noreason_empty_reason_phrase() -> None:
    msg = parse("rfc4475", "noreason")
    assert isinstance(msg, SIPResponse)
    assert (msg.status_code, msg.reason) == (100, "")


def test_badbranch_is_accepted_with_a_bare_cookie() -> None:
    msg = request("rfc4475", "badbranch")
    assert msg.top_via is not None and msg.top_via.branch == "z9hG4bK"


def test_unksm2_foreign_schemes_in_from_to_contact_parse() -> None:
    msg = request("rfc4475", "unksm2")
    assert msg.to is not None and msg.to.uri == AbsoluteURI("isbn", "2983792873")
    assert msg.from_ is not None and str(msg.from_.uri) == "http://www.example.com"
    assert str(msg.contacts[0].uri) == "name:John_Smith"


def test_bext01_lists_the_unsupported_proxy_extensions() -> None:
    error = validate_request(request("rfc4475", "bext01"), supported=())
    assert error is not None and error.status == 420
    assert error.unsupported == ("noProxiesSupportThis", "norDoAnyProxiesSupportThis")


def test_bcast_reply_goes_to_the_top_via_not_the_broadcast_one() -> None:
    msg = parse("rfc4475", "bcast")
    assert msg.top_via is not None
    assert reply_target(msg.top_via).host == "192.0.2.198"
    assert msg.vias[1].host == "255.255.255.255"


def test_zeromf_parses_but_a_proxy_answers_483() -> None:
    msg = request("rfc4475", "zeromf")
    assert msg.max_forwards == 0
    error = decrement_max_forwards(msg)
    assert error is not None and error.status == 483


def test_cparam01_parameter_after_bare_uri_belongs_to_the_header() -> None:
    contact = request("rfc4475", "cparam01").contacts[0]
    assert str(contact.uri) == "sip:+19725552222@gw1.example.net"
    assert contact.params == {"unknownparam": None}


def test_cparam02_parameter_inside_brackets_belongs_to_the_uri() -> None:
    contact = request("rfc4475", "cparam02").contacts[0]
    assert contact.uri.params == {"unknownparam": None}  # type: ignore[union-attr]
    assert contact.params == {}


def test_regescrt_contact_keeps_the_escaped_route_header() -> None:
    contact = request("rfc4475", "regescrt").contacts[0]
    assert isinstance(contact.uri, SipURI)
    assert contact.uri.headers == {"Route": "<sip:sip.example.com>"}
    assert str(contact.uri) == "sip:user@example.com?Route=%3Csip:sip.example.com%3E"


def test_inv2543_rfc2543_request_without_content_length_takes_the_rest() -> None:
    msg = request("rfc4475", "inv2543")
    assert msg.content_length is None
    assert msg.body.startswith(b"v=0") and msg.body.endswith(b"RTP/AVP 0\r\n")
    assert msg.top_via is not None and msg.top_via.branch is None
    assert msg.from_ is not None and msg.from_.tag is None
    assert msg.max_forwards is None


# --------------------------------------------------------------------------- RFC 4475 invalid


@pytest.mark.parametrize(
    "name,header",
    [("badinv01", "via"), ("quotbal", "to"), ("baddn", "from"), ("badaspec", "to"),
     ("regbadct", "contact"), ("baddate", "date"), ("mismatch01", "cseq"),
     ("scalar02", "cseq"), ("multi01", "call-id"), ("insuf", "from")],
)
def test_invalid_request_error_names_the_header(name: str, header: str) -> None:
    error = validate_request(request("rfc4475", name))
    assert error is not None and error.header == header


def test_liberal_mode_accepts_what_rfc4475_lets_a_liberal_proxy_accept() -> None:
    for name in ("escruri", "baddate", "regbadct", "badaspec", "baddn"):
        assert validate_request(request("rfc4475", name), strict=False) is None, name


def test_badaspec_liberal_parse_ignores_the_spaces() -> None:
    to = request("rfc4475", "badaspec").to
    assert to is not None and str(to.uri) == "sip:t.watson@example.org"
    assert to.defects and to.defects[0].detail == "whitespace inside <>"


def test_baddn_liberal_parse_keeps_the_display_name() -> None:
    from_ = request("rfc4475", "baddn").from_
    assert from_ is not None and from_.display_name == "Bell, Alexander"


def test_clerr_error_points_past_the_end_of_the_datagram() -> None:
    data = load("rfc4475", "clerr")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.status == 400 and info.value.position == len(data)


def test_badvers_answers_505() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse("rfc4475", "badvers")
    assert info.value.status == 505
    assert info.value.reason == "Version Not Supported"


def test_bigcode_response_error_has_no_status() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse("rfc4475", "bigcode")
    assert info.value.status is None


def test_lwsruri_error_position_is_in_the_request_line() -> None:
    data = load("rfc4475", "lwsruri")
    with pytest.raises(RemoteSIPError) as info:
        parse_message(data)
    assert info.value.locate(data) is not None
    assert info.value.locate(data)[0] == 1  # type: ignore[index]


# --------------------------------------------------------------------------- RFC 5118


def test_ipv6_good_request_uri_is_a_bracketed_reference() -> None:
    ruri = request("rfc5118", "ipv6-good").ruri
    assert isinstance(ruri, SipURI)
    assert (ruri.host, ruri.port) == ("[2001:db8::10]", None)


def test_port_unambiguous() -> None:
    ruri = request("rfc5118", "port-unambiguous").ruri
    assert isinstance(ruri, SipURI)
    assert (ruri.host, ruri.port) == ("[2001:db8::10]", 5070)


def test_port_ambiguous_5070_is_part_of_the_address() -> None:
    ruri = request("rfc5118", "port-ambiguous").ruri
    assert isinstance(ruri, SipURI)
    assert (ruri.host, ruri.port) == ("[2001:db8::10:5070]", None)


def test_via_received_without_brackets_does_not_end_the_params() -> None:
    via = request("rfc5118", "via-received-param-no-delim").top_via
    assert via is not None
    assert via.received == "2001:db8::9:255" and via.branch == "z9hG4bKas3"


def test_via_received_with_brackets() -> None:
    via = request("rfc5118", "via-received-param-with-delim").top_via
    assert via is not None
    assert via.received == "[2001:db8::9:255]" and via.branch == "z9hG4bKas3-111"
    assert reply_target(via).host == "2001:db8::9:255"


def test_multiple_ip_kinds_in_vias() -> None:
    vias = request("rfc5118", "mult-ip-in-header").vias
    assert [(v.host, v.port, v.received) for v in vias] == [
        ("[2001:db8::9:1]", 6050, None),
        ("192.0.2.1", None, None),
        ("[2001:db8::9:255]", None, "192.0.2.200"),
    ]


def test_ipv4_mapped_ipv6_addresses() -> None:
    msg = request("rfc5118", "ipv4-mapped-ipv6")
    assert [(v.host, v.port) for v in msg.vias] == [
        ("[::ffff:192.0.2.10]", 19823), ("[::ffff:192.0.2.2]", None),
    ]
    assert msg.contacts[0].uri.host == "[::ffff:192.0.2.2]"  # type: ignore[union-attr]


def test_ipv6_three_colon_abnf_bug_is_tolerated() -> None:
    msg = request("rfc5118", "ipv6-bug-abnf-3-colons")
    assert msg.ruri.host == "[2001:db8:::192.0.2.1]"  # type: ignore[union-attr]


def test_ipv6_two_colons() -> None:
    msg = request("rfc5118", "ipv6-correct-abnf-2-colons")
    assert msg.to is not None and msg.to.uri.host == "[2001:db8::192.0.2.1]"  # type: ignore[union-attr]


def test_ipv6_in_sdp_body_is_framed_by_content_length() -> None:
    msg = request("rfc5118", "ipv6-in-sdp")
    assert len(msg.body) == 251 and b"IN IP6 2001:db8::20" in msg.body


def test_ipv6_bad_unbracketed_address_is_rejected_at_the_port() -> None:
    data = load("rfc5118", "ipv6-bad")
    error = validate_request(request("rfc5118", "ipv6-bad"))
    assert error is not None and error.status == 400
    assert error.position == data.index(b"db8::10")
