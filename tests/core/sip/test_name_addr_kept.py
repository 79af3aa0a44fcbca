"""name-addr values kept by their text (address._KEPT): a value parsed before must come out
exactly as the full parse makes it (fields, parameter order, defects, the same error for a
bad one), as a copy of its own that the caller may change. Checked over every From, To,
Contact, Route and Record-Route value of the torture messages and over generated values."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from siprouter.core.sip import SIPError, address, parse_name_addr
from siprouter.core.sip.syntax import split_commas

DATA = Path(__file__).parents[2] / "data" / "sip-torture"
_NAMES = {"from", "f", "to", "t", "contact", "m", "route", "record-route"}


def _outcome(text: str, parse=parse_name_addr) -> tuple:
    try:
        v = parse(text, "to")
    except SIPError as err:
        return ("error", type(err), err.status, err.position, err.header, err.detail)
    return ("addr", v.display_name, str(v.uri), type(v.uri), list(v.params.items()),
            v.bracketed, v.defects)


def _torture_values() -> list[str]:
    found = []
    for path in sorted(DATA.glob("*/*.sip")):
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("utf-8", "surrogateescape")
        head = re.sub(r"\r\n[ \t]+", " ", head)
        for line in head.split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if colon and name.strip().lower() in _NAMES:
                value = value.strip(" \t")
                found.append(value)
                found += [value[s:e].strip() for s, e in split_commas(value) if s < e]
    return found


TORTURE_VALUES = _torture_values()


def _check_same(texts: list[str]) -> None:
    address._KEPT.clear()
    for text in texts:
        _outcome(text)
    assert address._KEPT, "nothing kept: the kept values would not be exercised"
    for text in texts:
        assert _outcome(text) == _outcome(text, address.parse_name_addr_text), text


def test_torture_values_are_parsed_alike_when_kept() -> None:
    assert len(TORTURE_VALUES) > 100
    _check_same(TORTURE_VALUES)


_TOKEN = st.text(alphabet="abcXYZ019-.!%*_+`'~", min_size=1, max_size=6)
_PIECES = st.sampled_from(["", " ", '"', "<", ">", ";", "=", "\\", "sip:", "@", ":", ",", "\t",
                           "tag", "lr", "\u00e9", "?", "%41"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TOKEN, _PIECES), max_size=12))
def test_generated_values_are_parsed_alike_when_kept(pieces: list[str]) -> None:
    text = "".join(pieces)
    for candidate in (text, f"<sip:{text}@h>", f"A <sip:a@h>;{text}", f'"{text}" <sip:a@h>'):
        first = _outcome(candidate)
        assert first == _outcome(candidate, address.parse_name_addr_text), candidate
        assert _outcome(candidate) == first, candidate  # now from what was kept


def test_a_kept_value_is_never_changed_by_callers() -> None:
    address._KEPT.clear()
    text = "sipp <sip:sipp@127.0.0.1:5061>;tag=4242"
    first = parse_name_addr(text)
    first.params["tag"] = "changed"
    first.params["x"] = None
    first.display_name = "other"
    second = parse_name_addr(text)
    assert second.display_name == "sipp"
    assert list(second.params.items()) == [("tag", "4242")]
    assert second.params is not first.params and second is not first


def test_the_kept_values_are_bounded() -> None:
    address._KEPT.clear()
    for n in range(address._KEPT_MAX + 10):
        parse_name_addr(f"<sip:a@h>;tag={n}")
    assert len(address._KEPT) <= address._KEPT_MAX
    parse_name_addr("<sip:a@h>;tag=" + "x" * 300)
    assert ("<sip:a@h>;tag=" + "x" * 300) not in address._KEPT
