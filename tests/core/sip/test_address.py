"""name-addr / addr-spec parsing (From, To, Contact, Route)."""

from __future__ import annotations

import pytest

from siprouter.core.sip import RemoteSIPError, parse_name_addr


def test_quoted_display_name_with_escapes() -> None:
    addr = parse_name_addr('"A \\"B\\" C" <sip:a@b>;tag=1')
    assert addr.display_name == 'A "B" C' and addr.tag == "1"


def test_token_display_name() -> None:
    assert parse_name_addr("Alice Smith <sip:a@b>").display_name == "Alice Smith"


def test_addr_spec_params_belong_to_the_header() -> None:
    addr = parse_name_addr("sip:a@b;tag=x;lr")
    assert str(addr.uri) == "sip:a@b" and addr.params == {"tag": "x", "lr": None}
    assert not addr.bracketed


def test_bracketed_params_belong_to_the_uri() -> None:
    addr = parse_name_addr("<sip:a@b;lr>;expires=60")
    assert addr.uri.params == {"lr": None}  # type: ignore[union-attr]
    assert addr.param("expires") == "60"


def test_param_names_are_case_insensitive() -> None:
    assert parse_name_addr("<sip:a@b>;TAG=x").tag == "x"


def test_quoted_param_value_is_unquoted_by_param() -> None:
    assert parse_name_addr('<sip:a@b>;p="x y"').param("p") == "x y"


def test_lws_around_params() -> None:
    addr = parse_name_addr("<sip:a@b> ;  tag = 7 ; q=0.5")
    assert addr.params == {"tag": "7", "q": "0.5"}


def test_unterminated_quote_is_400() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_name_addr('"Mr. J. User <sip:j@b>')
    assert info.value.position == 0


def test_missing_closing_bracket_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_name_addr("<sip:a@b")


def test_trailing_junk_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_name_addr("<sip:a@b> junk")


def test_empty_param_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_name_addr('"Joe" <sip:joe@example.org>;;;;')


def test_spaces_inside_brackets_are_a_defect_not_an_error() -> None:
    addr = parse_name_addr("< sip:a@b >")
    assert str(addr.uri) == "sip:a@b"
    assert [d.detail for d in addr.defects] == ["whitespace inside <>"]


def test_non_token_display_name_is_a_defect() -> None:
    addr = parse_name_addr("Bell, Alexander <sip:a@b>")
    assert addr.display_name == "Bell, Alexander" and addr.defects


def test_str_renders_a_name_addr() -> None:
    assert str(parse_name_addr('Bob <sip:b@h>;tag=1')) == '"Bob" <sip:b@h>;tag=1'
