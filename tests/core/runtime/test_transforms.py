"""Transformations: s.*, param.*, line.*; parameters as PVs; errors at compile time."""

from __future__ import annotations

import hashlib

import pytest

from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.transforms import register_transformation, split_transform


def value_of(pv_text: str, **vars: object) -> object:
    ctx = Context(worker=WorkerState(vars=dict(vars), shared={}))
    return compile_pv(pv_text).get(ctx)


@pytest.mark.parametrize(("tr", "value", "expected"), [
    ("s.len", "hello", 5),
    ("s.len", 1234, 4),
    ("s.int", "42", 42),
    ("s.int", "x", 0),
    ("s.substr,1,3", "abcdef", "bcd"),
    ("s.substr,-2,0", "abcdef", "ef"),
    ("s.substr,1,-2", "abcdef", "bcd"),
    ("s.select,1,;", "a;b;c", "b"),
    ("s.select,-1,;", "a;b;c", "c"),
    ("s.select,0,,", "a,b", "a"),
    ("s.tolower", "AbC", "abc"),
    ("s.toupper", "AbC", "ABC"),
    ("s.encode.hexa", "ab", "6162"),
    ("s.decode.hexa", "6162", "ab"),
    ("s.escape.common", "a'b\"c\\", "a\\'b\\\"c\\\\"),
    ("s.unescape.common", "a\\'b", "a'b"),
    ("s.strip,2", "abcdef", "cdef"),
    ("s.striptail,2", "abcdef", "abcd"),
    ("s.strip,9", "abc", ""),
    ("s.prefixes", "123", "1,12,123"),
    ("s.prefixes,2", "123", "1,12"),
    ("s.prefixes.quoted", "12", "'1','12'"),
    ("s.trim", "  x \t", "x"),
    ("s.rtrim", " x ", " x"),
    ("s.ltrim", " x ", "x "),
    ("s.replace,a,o", "banana", "bonono"),
    ("s.numeric", "+1 (555) 12", "155512"),
    ("s.before,@", "alice@example.com", "alice"),
    ("s.after,@", "alice@example.com", "example.com"),
    ("param.value,b", "a=1;b=2", "2"),
    ("param.value,B", "a=1;b=2", "2"),
    ("param.value,c", "a=1;b=2", None),
    ("param.value,b,&", "a=1&b=2", "2"),
    ("param.valueat,1", "a=1;b=2", "2"),
    ("param.name,0", "a=1;b=2", "a"),
    ("param.count", "a=1;b=2;c", 3),
    ("param.count,&", "a=1&b=2", 2),
    ("param.in,c", "a=1;c", 1),
    ("line.count", "a\nb\r\nc\n", 3),
    ("line.at,1", "a\nb\r\nc\n", "b"),
    ("line.at,-1", "a\nb\nc", "c"),
    ("line.sw,Via:", "To: x\nVia: y\n", "Via: y"),
])
def test_transformation(tr: str, value: object, expected: object) -> None:
    assert value_of(f"$(var(v){{{tr}}})", v=value) == expected


def test_digests() -> None:
    assert value_of("$(var(v){s.md5})", v="abc") == hashlib.md5(b"abc").hexdigest()
    assert value_of("$(var(v){s.sha256})", v="abc") == hashlib.sha256(b"abc").hexdigest()


def test_transformations_chain_left_to_right() -> None:
    assert value_of("$(var(v){s.toupper}{s.substr,0,2}{s.len})", v="abc") == 2


def test_transformation_parameter_may_be_a_pv() -> None:
    assert value_of("$(var(v){s.select,$var(i),;})", v="a;b;c", i=2) == "c"


def test_undefined_input_gives_undefined() -> None:
    assert value_of("$(avp(none){s.len})") is None


def test_unknown_transformation_is_a_compile_error() -> None:
    with pytest.raises(PVError, match=r"unknown transformation \{s\.nosuch\}"):
        compile_pv("$(var(v){s.nosuch})")


def test_wrong_parameter_count_is_a_compile_error() -> None:
    with pytest.raises(PVError, match="s.substr"):
        compile_pv("$(var(v){s.substr,1})")


def test_split_transform_keeps_comma_separator() -> None:
    assert split_transform("s.select,1,,") == ("s", "select", ["1", ","])
    assert split_transform("s.encode.hexa") == ("s", "encode.hexa", [])


def test_registered_transformation_is_used() -> None:
    register_transformation("test", "twice", lambda params: lambda ctx, v: (v or "") * 2)
    assert value_of("$(var(v){test.twice})", v="ab") == "abab"
