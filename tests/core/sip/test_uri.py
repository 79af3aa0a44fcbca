"""URIs: SIP/SIPS, TEL, other schemes; escapes, params, headers, IPv6, rewriting."""

from __future__ import annotations

import pytest

from siprouter.core.sip import AbsoluteURI, LocalSIPError, RemoteSIPError, SipURI, TelURI, parse_uri


def sip(text: str) -> SipURI:
    uri = parse_uri(text)
    assert isinstance(uri, SipURI)
    return uri


def test_full_sip_uri_components() -> None:
    uri = sip("sips:alice:secret@Atlanta.Example.com:5061;transport=tcp;lr?subject=hi&priority=urgent")
    assert (uri.scheme, uri.user, uri.password, uri.host, uri.port) == (
        "sips", "alice", "secret", "atlanta.example.com", 5061,
    )
    assert uri.params == {"transport": "tcp", "lr": None}
    assert uri.headers == {"subject": "hi", "priority": "urgent"}
    assert uri.transport == "tcp"


def test_uri_without_user() -> None:
    uri = sip("sip:example.com")
    assert uri.user is None and uri.host == "example.com" and uri.port is None


def test_scheme_is_case_insensitive() -> None:
    assert sip("SIP:a@b").scheme == "sip"


def test_escapes_are_decoded_in_user_params_and_headers() -> None:
    uri = sip("sip:%61lice@h;n%61me=v%61l?x=%3Cy%3E")
    assert uri.user == "alice" and uri.user_raw == "%61lice"
    assert uri.params == {"name": "val"}
    assert uri.headers == {"x": "<y>"}


def test_escaped_utf8_user() -> None:
    assert sip("sip:%C3%A9@h").user == "\u00e9"


def test_bad_escape_in_user_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("sip:a%zz@h")


def test_text_is_kept_as_written() -> None:
    assert str(sip("sip:A@Example.COM;Lr")) == "sip:A@Example.COM;Lr"


def test_ipv6_reference_with_port() -> None:
    uri = sip("sip:[2001:db8::10]:5070")
    assert (uri.host, uri.port) == ("[2001:db8::10]", 5070)


def test_unterminated_ipv6_reference_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("sip:[2001:db8::10")


def test_port_out_of_range_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("sip:a@h:70000")


def test_bad_host_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("sip:a@h..com")


def test_space_in_uri_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("sip:a@h; lr")


def test_error_position_is_offset_by_base() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_uri("sip:a@h:x", base=100)
    assert info.value.position == 108


def test_tel_uri() -> None:
    uri = parse_uri("tel:+1-201-555-0123;phone-context=example.com")
    assert isinstance(uri, TelURI)
    assert uri.number == "+1-201-555-0123"
    assert uri.params == {"phone-context": "example.com"}


def test_other_scheme_is_kept_opaque() -> None:
    assert parse_uri("http://www.example.com/x") == AbsoluteURI("http", "//www.example.com/x")


def test_missing_scheme_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_uri("<sip:a@b>")


def test_effective_port_defaults_by_scheme() -> None:
    assert sip("sip:h").effective_port == 5060
    assert sip("sips:h").effective_port == 5061


def test_replace_user_escapes_it() -> None:
    assert str(sip("sip:a@h;lr").replace(user="b c")) == "sip:b%20c@h;lr"


def test_replace_host_brackets_ipv6() -> None:
    assert str(sip("sip:a@h:5060").replace(host="2001:db8::1")) == "sip:a@[2001:db8::1]:5060"


def test_replace_port_and_drop_it() -> None:
    uri = sip("sip:a@h:5060")
    assert str(uri.replace(port=5070)) == "sip:a@h:5070"
    assert str(uri.replace(port=None)) == "sip:a@h"


def test_replace_user_none_drops_userinfo() -> None:
    assert str(sip("sip:a:pw@h").replace(user=None)) == "sip:h"


def test_replace_with_bad_port_is_our_fault() -> None:
    with pytest.raises(LocalSIPError):
        sip("sip:a@h").replace(port=70000)
