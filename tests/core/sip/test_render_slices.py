"""`edits.render` copies the runs of untouched header lines as slices of the octets received;
it must give exactly what `render_line_by_line` (every line re-encoded) gives, for every
torture message and any mix of edits: lines inserted (before any line, after the last),
lines replaced or removed, a new start line, a new body, a first line (our Via)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from siprouter.core.sip import SIPError, parse_message
from siprouter.core.sip.edits import Edits, render, render_line_by_line

DATA = Path(__file__).parents[2] / "data" / "sip-torture"


def _messages() -> list:
    found = []
    for path in sorted(DATA.glob("*/*.sip")):
        try:
            found.append(parse_message(path.read_bytes()))
        except SIPError:
            continue
    return found


MESSAGES = _messages()
_VALUES = st.sampled_from(["x", "<sip:192.0.2.1;lr>", "SIP/2.0/UDP h;branch=z9hG4bKq", "",
                           "caf\u00e9", "a\udce9b"])


def _both(msg, edits: Edits, first: bytes) -> tuple[bytes, bytes]:
    args = (msg._data, msg._start_end, msg._lines, msg._body_start, msg._body_end, edits, first)
    return render(*args), render_line_by_line(*args)


def test_there_are_messages_of_both_kinds() -> None:
    # the slices' path (as many characters as octets) and the other (multi-octet characters)
    narrow = [m for m in MESSAGES if m.raw.isascii()]
    assert len(narrow) > 20 and len(MESSAGES) - len(narrow) > 0
    assert any(m.has_folded_lines for m in narrow)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_render_is_the_line_by_line_render(data: st.DataObject) -> None:
    msg = data.draw(st.sampled_from(MESSAGES))
    n = len(msg._lines)
    edits = Edits()
    places = st.integers(min_value=-1, max_value=n + 1)
    for i in data.draw(st.lists(places, max_size=4)):
        edits.inserts.setdefault(i, []).extend(
            f"X-{k}: {v}" for k, v in enumerate(data.draw(st.lists(_VALUES, max_size=2))))
    for i in data.draw(st.lists(places, max_size=4)):
        edits.values[i] = data.draw(st.none() | _VALUES)
    if data.draw(st.booleans()):
        edits.start_line = "INVITE sip:bob@example.com SIP/2.0"
    if data.draw(st.booleans()):
        edits.body = data.draw(st.binary(max_size=20))
    first = data.draw(st.sampled_from([b"", b"Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKa\r\n"]))
    fast, reference = _both(msg, edits, first)
    assert fast == reference


def test_every_single_edit_on_every_line() -> None:
    for msg in MESSAGES:
        n = len(msg._lines)
        for i in range(n + 1):
            for kind in ("insert", "remove", "replace"):
                edits = Edits()
                if kind == "insert":
                    edits.inserts[i] = ["X-A: 1"]
                elif i < n:
                    edits.values[i] = None if kind == "remove" else "new"
                fast, reference = _both(msg, edits, b"")
                assert fast == reference, (msg.start_line, i, kind)


def test_serialize_with_first_line_as_serialize_then_the_line() -> None:
    line = b"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKours\r\n"
    for msg in MESSAGES:
        if not msg.is_request or "via" not in msg.header_key_set:
            continue
        msg.add_header("Record-Route", "<sip:192.0.2.9;lr>", first=True)
        data = msg.serialize()
        eol = data.find(b"\r\n") + 2
        assert msg.serialize_with_first_line(line) == data[:eol] + line + data[eol:]
