"""Kamailio value semantics (reference 1.4): conversions, operators, truth."""

from __future__ import annotations

import pytest

from siprouter.core.runtime import values as V
from siprouter.core.runtime.values import ExprError


@pytest.mark.parametrize(("value", "expected"), [
    (None, 0), ("", 0), ("123", 123), ("abc", 0), ("-7", -7), ("+5", 5), ("0x1f", 31),
    ("12abc", 0), (" 12", 0), (42, 42),
])
def test_int_conversion(value: V.Value, expected: int) -> None:
    assert V.to_int(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, ""), (123, "123"), (-1, "-1"), ("x", "x")])
def test_str_conversion(value: V.Value, expected: str) -> None:
    assert V.to_str(value) == expected


def test_plus_concatenates_when_left_is_string() -> None:
    assert V.add("a", 1) == "a1"
    assert V.add("1", 1) == "11"


def test_plus_adds_when_left_is_int_converting_the_right() -> None:
    assert V.add(1, "2") == 3
    assert V.add(1, "abc") == 1


def test_undef_plus_e_is_empty_string_plus_e() -> None:
    assert V.add(None, 5) == "5"
    assert V.add(None, "x") == "x"


def test_equality_converts_right_to_left_type() -> None:
    assert V.eq(0, "") is True  # "" -> 0
    assert V.eq(123, "123") is True
    assert V.eq("123", 123) is True
    assert V.eq("0123", 123) is False  # string compare: "0123" != "123"
    assert V.ne(1, "2") is True


def test_undef_equality_takes_type_of_right_operand() -> None:
    assert V.eq(None, 0) is True
    assert V.eq(None, "") is True
    assert V.eq(None, "a") is False
    assert V.eq(None, 1) is False


def test_undef_equals_undef() -> None:
    assert V.eq(None, None) is True
    assert V.ne(None, None) is False


def test_string_equality_is_case_sensitive() -> None:
    assert V.eq("INVITE", "invite") is False


def test_eq_compares_as_strings() -> None:
    assert V.streq(0, "") is False
    assert V.streq(1, "1") is True
    assert V.strne(0, "") is True


def test_ieq_compares_as_integers() -> None:
    assert V.inteq("a", "b") is True  # both 0
    assert V.intne("1", "2") is True


def test_relational_operators_compare_integers() -> None:
    assert V.lt("9", "10") is True  # 9 < 10, not "9" < "10"
    assert V.ge(None, 0) is True


def test_regex_match_is_case_insensitive() -> None:
    assert V.match("INVITE sip:x", "^invite") is True
    assert V.match("abc", "^b") is False


def test_regex_posix_bracket_classes() -> None:
    assert V.match("123", "^[[:digit:]]+$") is True
    assert V.match("12a", "^[[:digit:]]+$") is False


def test_regex_is_compiled_once() -> None:
    assert V.compile_regex("^x+$") is V.compile_regex("^x+$")


def test_bad_regex_is_an_expression_error() -> None:
    with pytest.raises(ExprError):
        V.match("a", "(")


def test_division_truncates_toward_zero_like_c() -> None:
    assert V.div(7, 2) == 3
    assert V.div(-7, 2) == -3
    assert V.mod(-7, 3) == -1
    assert V.mod(7, -3) == 1


@pytest.mark.parametrize("op", [V.div, V.mod])
def test_division_by_zero_is_an_expression_error(op) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExprError):
        op(1, 0)


def test_bitwise_operators() -> None:
    assert V.bor(5, 2) == 7
    assert V.band(6, 3) == 2
    assert V.bxor(6, 3) == 5
    assert V.lshift(1, 4) == 16
    assert V.rshift(16, 2) == 4
    assert V.bnot(0) == -1


def test_string_operators() -> None:
    assert V.strlen("abc") == 3
    assert V.strlen(None) == 0
    assert V.strempty("") == 1
    assert V.strempty(None) == 1
    assert V.strempty(0) == 0  # "0" is not empty


def test_truth_converts_strings_to_int() -> None:
    assert V.truth("abc") is False
    assert V.truth("12") is True
    assert V.truth(None) is False
    assert V.truth(-1) is True


def test_lone_pv_truth_is_non_empty_string() -> None:
    assert V.pv_truth("abc") is True
    assert V.pv_truth("") is False
    assert V.pv_truth(None) is False
    assert V.pv_truth(0) is False
