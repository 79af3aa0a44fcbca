"""The Via shape cache (via._SHAPES): a Via of a shape seen before (the same text but for
its branch value) must come out exactly as parse_via's full parse makes it: the same fields,
the same parameters in the same order, the same error; and `via_reply_target` as
`reply_target(parse_via(...))`. Checked over every Via of the torture messages, over variants
of them with other branch values, and over generated Vias."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siprouter.core.sip import SIPError, parse_via, reply_target, via
from siprouter.core.sip.forwarding import via_reply_target
from siprouter.core.sip.syntax import split_commas

DATA = Path(__file__).parents[2] / "data" / "sip-torture"

# Branch values put in place of a Via's own: tokens (the cache's business) and everything a
# token is not (the full parse's business).
BRANCHES = [
    "z9hG4bK776asdhds", "z9hG4bK-1234-1-0", "x", "z9hG4bK", "1", "a.b-c!d%e*f_g+h`i'j~k",
    "", " ", "z9hG4bK x", "z9hG4bK\"q\"", '"z9hG4bKq"', "z9hG4bK,", "z9hG4bK=", "z9hG4bK:1",
    "z9hG4bK\u00e9", "z9hG4bK;", "z9hG4bK\t", "z9hG4bK[1]", "a/b", "a@b", "a?b",
]


def _outcome(text: str, parse=parse_via) -> tuple:
    """Everything parse_via's answer is made of, the parameter order included."""
    try:
        v = parse(text)
    except SIPError as err:
        return ("error", type(err), err.status, err.position, err.header, err.detail)
    return ("via", v.protocol, v.transport, v.host, v.port, list(v.params.items()))


def _fresh(text: str) -> tuple:
    return _outcome(text, lambda t: via._parse_via_text(t, "via"))


def _target(text: str, fn) -> tuple:
    try:
        return ("target", fn(text))
    except SIPError as err:
        return ("error", type(err), err.status, err.position, err.header, err.detail)


def _torture_vias() -> list[str]:
    found = []
    for path in sorted(DATA.glob("*/*.sip")):
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("utf-8", "surrogateescape")
        head = re.sub(r"\r\n[ \t]+", " ", head)  # unfold
        for line in head.split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if colon and name.strip().lower() in ("via", "v"):
                value = value.strip()
                found += [value[s:e] for s, e in split_commas(value) if s < e]
    return found


TORTURE_VIAS = _torture_vias()


def _with_branch(text: str, branch: str) -> str | None:
    head, sep, rest = text.partition(";branch=")
    if not sep:
        return None
    _, semi, tail = rest.partition(";")
    return head + sep + branch + semi + tail


def _check_same(texts: list[str]) -> None:
    """Learn every shape, then every text must give what the full parse gives."""
    via._SHAPES.clear()
    for text in texts:
        _outcome(text)
    assert via._SHAPES, "no shape learnt: the cache would not be exercised"
    for text in texts:
        assert _outcome(text) == _fresh(text), text
        assert _target(text, via_reply_target) == _target(
            text, lambda t: reply_target(via._parse_via_text(t, "via"))), text
        # and again once the target is kept with the shape
        assert _target(text, via_reply_target) == _target(
            text, lambda t: reply_target(via._parse_via_text(t, "via"))), text


def test_torture_vias_are_parsed_alike_with_the_cache() -> None:
    assert len(TORTURE_VIAS) > 50
    texts = list(TORTURE_VIAS)
    for text in TORTURE_VIAS:
        texts += [v for b in BRANCHES if (v := _with_branch(text, b)) is not None]
    _check_same(texts)


@pytest.mark.parametrize("text", [
    "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1",
    "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1;rport",
    "SIP/2.0/UDP 127.0.0.1:5061;rport;branch=z9hG4bK-1;received=192.0.2.1",
    "SIP/2.0/TCP host.example.com;branch=z9hG4bK-1;rport=5070;received=192.0.2.1",
    "SIP/2.0/UDP 127.0.0.1:5061;maddr=239.1.1.1;ttl=1;branch=z9hG4bK-1",
    "SIP/2.0/udp Host.Example.COM;branch=z9hG4bK-1;X=Y",
])
def test_a_known_shape_gives_the_full_parse_for_any_branch(text: str) -> None:
    _check_same([text] + [v for b in BRANCHES if (v := _with_branch(text, b)) is not None])
    via._SHAPES.clear()
    parse_via(text)
    for b in BRANCHES:
        other = _with_branch(text, b)
        assert other is not None
        assert _outcome(other) == _fresh(other), other


def test_a_kept_shape_is_never_changed_by_callers() -> None:
    via._SHAPES.clear()
    first = parse_via("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa;rport")
    first.params["rport"] = "1"
    first.params["branch"] = "changed"
    second = parse_via("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb;rport")
    assert list(second.params.items()) == [("branch", "z9hG4bKb"), ("rport", None)]
    assert second.params is not first.params


def test_two_branch_parameters_are_left_to_the_full_parse() -> None:
    via._SHAPES.clear()
    for text in ("SIP/2.0/UDP h;branch=a;branch=b", "SIP/2.0/UDP h;branch=c;branch=b",
                 "SIP/2.0/UDP h;branch=a;Branch=b", "SIP/2.0/UDP h;branch=b;Branch=b",
                 "SIP/2.0/UDP h;branch=c;Branch=b"):
        assert _outcome(text) == _fresh(text), text
        assert parse_via(text).branch == "b"


def test_the_cache_is_bounded() -> None:
    via._SHAPES.clear()
    for n in range(via._SHAPES_MAX + 10):
        parse_via(f"SIP/2.0/UDP 192.0.2.1:{1000 + n};branch=z9hG4bKa")
    assert len(via._SHAPES) <= via._SHAPES_MAX
    parse_via("SIP/2.0/UDP h;branch=z9hG4bK" + "x" * 300)
    assert not any(len(str(k)) > 300 for k in via._SHAPES)


_tokens = st.text(alphabet="abcXYZ019-.!%*_+`'~", min_size=1, max_size=6)
_values = st.one_of(_tokens, st.sampled_from(["", " x", "1.2.3.4", "[::1]", "99999", "a;b",
                                               '"q"', "\u00e9", "0", "255", "256", "x y"]))
_names = st.sampled_from(["branch", "Branch", "BRANCH", "rport", "received", "maddr", "ttl",
                          "x", "lr", "alias", "i", "branchy"])
_param = st.tuples(_names, st.one_of(st.none(), _values)).map(
    lambda p: ";" + p[0] + ("" if p[1] is None else "=" + p[1]))
_head = st.tuples(
    st.sampled_from(["SIP/2.0/UDP ", "SIP/2.0/tcp ", "SIP/2.0/TLS ", "SIP/2.0/FOO ",
                     "SIP/3.0/UDP ", "SIP / 2.0 / UDP ", "SIP/2.0/UDP  "]),
    st.sampled_from(["127.0.0.1", "Host.Example.com", "[2001:db8::1]", "256.1.1.1", "h_b",
                     "a..b", "x"]),
    st.sampled_from(["", ":5060", ":0", ":65535", ":65536", ": 5060", ":x"]),
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_head, st.lists(_param, max_size=4), st.lists(_param, max_size=3), _values, _values)
def test_generated_vias_are_parsed_alike_with_the_cache(
        head: str, before: list[str], after: list[str], b1: str, b2: str) -> None:
    first = head + "".join(before) + ";branch=" + b1 + "".join(after)
    second = head + "".join(before) + ";branch=" + b2 + "".join(after)
    via._SHAPES.clear()
    parse_outcome = _outcome(first)
    assert parse_outcome == _fresh(first)
    assert _outcome(second) == _fresh(second)
    assert _target(second, via_reply_target) == _target(
        second, lambda t: reply_target(via._parse_via_text(t, "via")))
