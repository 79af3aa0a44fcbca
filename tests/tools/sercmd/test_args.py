"""Arguments are typed like kamcmd types them; shell lines split into words."""

from __future__ import annotations

import pytest

from siprouter.tools.sercmd.args import ArgError, Word, split_line, type_arg, type_word


@pytest.mark.parametrize("text, value", [
    ("1", 1), ("-7", -7), ("+3", 3), ("007", 7),
    ("1.5", 1.5), ("-.5", -0.5), ("2.", 2.0), ("1e3", 1000.0),
    ("abc", "abc"), ("1a", "1a"), ("", ""), ("1_000", "1_000"),
])
def test_int_if_it_parses_fully_else_float_else_string(text: str, value: object) -> None:
    result = type_arg(text)
    assert result == value and type(result) is type(value)


def test_s_prefix_forces_a_string() -> None:
    assert type_arg("s:1") == "1"
    assert type_arg("s:abc") == "abc"
    assert type_arg("s:") == ""


@pytest.mark.parametrize("text", ["inf", "nan", "0x10", "Infinity"])
def test_what_json_cannot_carry_stays_a_string(text: str) -> None:
    assert type_arg(text) == text


def test_kamcmd_echo_example() -> None:
    assert [type_arg(a) for a in ["a", "1", "s:2"]] == ["a", 1, "2"]


def test_line_splits_on_blanks() -> None:
    assert split_line("  core.echo a\t1  ") == [Word("core.echo"), Word("a"), Word("1")]


def test_quotes_keep_spaces_and_force_a_string() -> None:
    words = split_line('core.echo "a b" \'12\' x"y z"')
    assert words[1:] == [Word("a b", True), Word("12", True), Word("xy z", True)]
    assert [type_word(w) for w in words[1:]] == ["a b", "12", "xy z"]


def test_double_quotes_allow_escaped_quote_and_backslash() -> None:
    assert split_line(r'"a\"b\\c"') == [Word('a"b\\c', True)]


def test_unclosed_quote_is_an_error() -> None:
    with pytest.raises(ArgError, match="unclosed"):
        split_line('core.echo "abc')


def test_empty_line_has_no_words() -> None:
    assert split_line("   ") == []
