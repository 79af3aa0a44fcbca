"""uri.*, nameaddr.*, tobody.*, the s.* escapes and re.subst, applied to SIP values."""

from __future__ import annotations

import pytest

from .helpers import run, value


@pytest.mark.parametrize(("expr", "expected"), [
    ('$(var(u){uri.user})', "alice"),
    ('$(var(u){uri.host})', "atlanta.example.com"),
    ('$(var(u){uri.port})', "5080"),
    ('$(var(u){uri.passwd})', "pw"),
    ('$(var(u){uri.params})', "transport=tcp;lr;maddr=10.0.0.1"),
    ('$(var(u){uri.param,maddr})', "10.0.0.1"),
    ('$(var(u){uri.transport})', "tcp"),
    ('$(var(u){uri.lr})', ""),
    ('$(var(u){uri.maddr})', "10.0.0.1"),
    ('$(var(u){uri.headers})', "Subject=hi"),
    ('$(var(u){uri.scheme})', "sip"),
    ('$(var(u){uri.saor})', "sip:alice@atlanta.example.com"),
    ('$(var(u){uri.suri})', "sip:alice@atlanta.example.com:5080"),
    ('$(var(u){uri.duri})', "sip:atlanta.example.com:5080;transport=tcp"),
    ('$(var(u){uri.tosocket})', "tcp:atlanta.example.com:5080"),
])
def test_uri_transformation_picks_a_part(expr: str, expected: str) -> None:
    got = value_with('$var(u) = "sip:alice:pw@atlanta.example.com:5080;transport=tcp;lr;'
                     'maddr=10.0.0.1?Subject=hi";', expr)
    assert got == expected


def value_with(setup: str, expr: str) -> object:
    """The value of `expr` after the `setup` statements ran."""
    avps = run(f"{setup} $avp(r) = {expr};").ctx.avps
    return avps["r"][-1] if "r" in avps else None


def test_uri_part_that_is_absent_is_empty() -> None:
    assert value_with('$var(u) = "sip:h.example";', "$(var(u){uri.user})") == ""


def test_uri_transformation_of_a_non_uri_is_null() -> None:
    assert value_with('$var(u) = "no uri";', "$(var(u){uri.user})") is None


def test_uri_transformation_chains_with_string_ones() -> None:
    assert value("$(ru{uri.user}{s.toupper})") == "BOB"


def test_tel_uri_user_is_the_number() -> None:
    assert value_with('$var(u) = "tel:+15551234;phone-context=x";', "$(var(u){uri.user})") == (
        "+15551234")


@pytest.mark.parametrize(("expr", "expected"), [
    ("$(hdr(From){tobody.uri})", "sip:alice@atlanta.example.com"),
    ("$(hdr(From){tobody.display})", '"Alice"'),
    ("$(hdr(From){tobody.tag})", "1928301774"),
    ("$(hdr(From){tobody.user})", "alice"),
    ("$(hdr(From){tobody.host})", "atlanta.example.com"),
    ("$(hdr(From){tobody.params})", "tag=1928301774"),
    ("$(hdr(To){nameaddr.name})", "Bob"),
    ("$(hdr(To){nameaddr.uri})", "sip:bob@biloxi.example.com"),
    ("$(hdr(To){nameaddr.len})", len("Bob <sip:bob@biloxi.example.com>")),
])
def test_address_transformations_read_header_parts(expr: str, expected: object) -> None:
    assert value(expr) == expected


@pytest.mark.parametrize(("setup", "expr", "expected"), [
    ('"a b@c"', "s.escape.user", "a%20b%40c"),
    ('"a%20b"', "s.unescape.user", "a b"),
    ('"a;b"', "s.escape.param", "a%3Bb"),
    ('"hello"', "s.encode.base64", "aGVsbG8="),
    ('"aGVsbG8="', "s.decode.base64", "hello"),
    ('"hello"', "s.encode.base64t", "aGVsbG8"),
])
def test_string_escapes_and_encodings(setup: str, expr: str, expected: str) -> None:
    assert value_with(f"$var(s) = {setup};", f"$(var(s){{{expr}}})") == expected


def test_re_subst_rewrites_with_groups() -> None:
    assert value("$(rU{re.subst,/^(b)(.*)$/\\2\\1/})") == "obb"
