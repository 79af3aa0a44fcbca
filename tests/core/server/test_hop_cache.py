"""The next hop of a URI is kept per URI text (`StatelessForwarder._hop_for_uri`): asked again,
by the same text or by the URI parsed from it, it must be what `_uri_hop` works out afresh,
for every Request-URI of the torture messages and for $du values of every kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from siprouter.core.server.forward import E_BAD_URI, Hop, StatelessForwarder
from siprouter.core.server.identity import LocalIdentity
from siprouter.core.sip import SIPError, SIPRequest, parse_message, parse_uri

from .conftest import UDP, MemoryTransports, request

DATA = Path(__file__).parents[2] / "data" / "sip-torture"

DU_VALUES = [
    "sip:127.0.0.1:5070", "sip:127.0.0.1:5070;transport=UDP", "sip:h.example.com;transport=tcp",
    "sips:h.example.com", "sip:[2001:db8::1]:5070;transport=tls", "sip:h;transport=sctp",
    "tel:+15551234", "http://example.com/", "sip:bob@h;TRANSPORT=Tcp", "not a uri", "sip:",
    "sip:h;transport", "sip:h%41;transport=tcp",
]


def _ruris() -> list[str]:
    found = []
    for path in sorted(DATA.glob("*/*.sip")):
        try:
            msg = parse_message(path.read_bytes())
        except SIPError:
            continue
        if isinstance(msg, SIPRequest):
            found.append(msg.ruri_text)
    return found


def _forwarder() -> StatelessForwarder:
    return StatelessForwarder(MemoryTransports(), LocalIdentity([UDP]), secret="s")  # type: ignore[arg-type]


def test_there_are_uris_to_try() -> None:
    assert len(_ruris()) > 20


@pytest.mark.parametrize("proto", [None, "udp", "tcp"])
def test_a_kept_hop_is_the_hop_worked_out_afresh(proto: str | None) -> None:
    fwd = _forwarder()
    texts = _ruris() + DU_VALUES
    for _ in range(2):  # the second round answers from what the first one kept
        for text in texts:
            expected = StatelessForwarder._uri_hop(text, proto)
            assert fwd._hop_for_uri(text, proto) == expected, text
            try:
                uri = parse_uri(text)
            except SIPError:
                continue
            assert fwd._hop_for_uri(uri, proto) == StatelessForwarder._uri_hop(uri, proto)
            assert fwd._hop_for_uri(uri, proto) == expected, text


def test_a_changed_uri_is_not_known_by_another_text() -> None:
    fwd = _forwarder()
    uri = parse_uri("sip:bob@192.0.2.1:5070;transport=tcp")
    assert fwd._hop_for_uri(uri, None) == Hop("tcp", "192.0.2.1", 5070)
    changed = uri.replace(host="192.0.2.2", port=5080)  # no text: rendered afresh
    assert fwd._hop_for_uri(changed, None) == Hop("tcp", "192.0.2.2", 5080)
    assert fwd._hop_for_uri("sip:h;transport=sctp", None) == E_BAD_URI


def test_the_kept_hops_are_bounded() -> None:
    fwd = _forwarder()
    for n in range(1100):
        fwd._hop_for_uri(f"sip:192.0.2.1:{1000 + n}", None)
    assert len(fwd._uri_hops) <= 1024


@pytest.mark.parametrize(("script", "ruri", "expected"), [
    ("forward();", "sip:bob@10.1.1.1:5999;transport=tcp", ("tcp", "10.1.1.1", 5999)),
    ("forward();", "sip:bob@10.1.1.1", ("udp", "10.1.1.1", 5060)),
    ('$du = "sip:10.2.2.2:5070;transport=tcp"; forward();', "sip:bob@10.1.1.1",
     ("tcp", "10.2.2.2", 5070)),
    ('$ru = "sip:bob@10.3.3.3:5072"; forward();', "sip:bob@10.1.1.1", ("udp", "10.3.3.3", 5072)),
    ('$rp = 5090; forward();', "sip:bob@10.1.1.1", ("udp", "10.1.1.1", 5090)),
    ('$rd = "10.4.4.4"; forward();', "sip:bob@10.1.1.1;transport=tcp", ("tcp", "10.4.4.4", 5060)),
])
def test_forward_goes_where_the_request_says_each_time(server_for, script: str, ruri: str,
                                                       expected: tuple[str, str, int]) -> None:
    """The hop kept for an R-URI or $du text is used only while the R-URI goes as received:
    a rewritten R-URI goes where it says, also once its old text's hop is kept."""
    server = server_for("loadmodule \"textops.so\"\nloadmodule \"pv.so\"\nrequest_route {\n"
                        f"  if (is_present_hf(\"X-Rewrite\")) {{ {script} exit; }}\n"
                        "  forward();\n}\n")
    [out] = server.receive(request(ruri=ruri))  # as received: its hop is kept now
    assert out.host == "10.1.1.1"
    for _ in range(2):
        [out] = server.receive(request(ruri=ruri, extra="X-Rewrite: 1\r\n"))
        assert (out.proto, out.host, out.port) == expected
