"""tm's pure parts: best final answer (RFC 3261 s16.7), CANCEL building (s9.1), settings."""

from __future__ import annotations

from typing import Any

from siprouter.core.sip import SIPRequest, SIPResponse, parse_message
from siprouter.modules.tm.cancel import build_cancel
from siprouter.modules.tm.replies import best_branch, reply_priority, without_our_via
from siprouter.modules.tm.state import TmSettings

INVITE = (
    b"INVITE sip:bob@10.0.0.2:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKours\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKtheirs\r\n"
    b"Route: <sip:10.0.0.3;lr>\r\n"
    b"From: <sip:alice@a>;tag=1\r\nTo: <sip:bob@b>\r\nCall-ID: c1\r\n"
    b"CSeq: 7 INVITE\r\nMax-Forwards: 69\r\nContent-Length: 0\r\n\r\n"
)


class FakeBranch:
    def __init__(self, code: int) -> None:
        self.final_code = code

    @property
    def pending(self) -> bool:
        return self.final_code == 0


def _best(*codes: int) -> int:
    branches: Any = [FakeBranch(c) for c in codes]
    got = best_branch(branches)
    return got.final_code if got is not None else 0


def test_a_6xx_wins_over_every_other_final() -> None:
    assert _best(404, 603, 302) == 603


def test_lowest_class_wins_without_6xx() -> None:
    assert _best(500, 404, 302) == 302


def test_a_challenge_is_preferred_among_client_errors() -> None:
    assert _best(404, 407, 486) == 407


def test_503_is_the_last_choice_among_server_errors() -> None:
    assert _best(503, 500) == 500


def test_pending_branches_are_not_candidates() -> None:
    assert _best(0, 0) == 0
    assert _best(0, 486) == 486


def test_priority_orders_classes_6_2_3_4_5() -> None:
    codes = [500, 404, 302, 200, 600]
    assert sorted(codes, key=reply_priority) == [600, 200, 302, 404, 500]


def test_cancel_copies_ruri_top_via_route_and_cseq_number() -> None:
    req = parse_message(INVITE)
    assert isinstance(req, SIPRequest)
    cancel = build_cancel(req, ['Q.850;cause=16'])
    assert cancel is not None
    assert cancel.method == "CANCEL" and cancel.ruri_text == "sip:bob@10.0.0.2:5060"
    assert cancel.header_values("via") == ["SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKours"]
    assert cancel.header_all("route") == ["<sip:10.0.0.3;lr>"]
    assert cancel.header("cseq") == "7 CANCEL"
    assert cancel.header_all("reason") == ["Q.850;cause=16"]


def test_cancel_without_reason_has_no_reason_header() -> None:
    req = parse_message(INVITE)
    assert isinstance(req, SIPRequest)
    cancel = build_cancel(req)
    assert cancel is not None and cancel.header_all("reason") == []


def test_settings_take_modparams_of_the_right_type_only() -> None:
    got = TmSettings.from_params({"fr_timer": 2000, "fr_inv_timer": "bad", "other": 1})
    assert got.fr_timer == 2000 and got.fr_inv_timer == 120000


def test_wt_timer_is_kamailios_5_s_unless_a_modparam_sets_it() -> None:
    assert TmSettings().wt_timer == 5000
    assert TmSettings.from_params({"wt_timer": 1500}).wt_timer == 1500


REPLY_HEAD = "SIP/2.0 {code} X\r\n"
REPLY_TAIL = ("To: <sip:b@b>;tag=uas\r\nFrom: <sip:a@a>;tag=1\r\nCall-ID: c1\r\n"
              "CSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n")


def _reply(code: int, vias: str) -> SIPResponse:
    msg = parse_message((REPLY_HEAD.format(code=code) + vias + REPLY_TAIL).encode())
    assert isinstance(msg, SIPResponse)
    return msg


def test_relayed_reply_loses_our_via_line_and_keeps_the_rest_as_received() -> None:
    got = without_our_via(_reply(200, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKours\r\n"
                                      "v: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n"))
    assert got is not None
    data, tag = got
    assert data == (REPLY_HEAD.format(code=200) + "v: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n"
                    + REPLY_TAIL).encode()
    assert tag == "uas"


def test_relayed_reply_with_both_vias_on_one_line_keeps_the_second() -> None:
    got = without_our_via(_reply(180, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKours, "
                                      "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n"))
    assert got is not None
    assert got[0] == (REPLY_HEAD.format(code=180) + "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n"
                      + REPLY_TAIL).encode()
    assert got[1] is None  # a provisional reply's tag is not the transaction's


def test_relayed_reply_with_a_folded_via_line_keeps_the_others() -> None:
    got = without_our_via(_reply(200, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKours,\r\n"
                                      " SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n"))
    assert got is not None
    reparsed = parse_message(got[0])
    assert reparsed.header_values("via") == ["SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs"]
    assert got[1] == "uas"


def test_a_final_reply_relayed_without_its_tag_has_the_same_octets() -> None:
    vias = ("Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKours\r\n"
            "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKtheirs\r\n")
    with_tag = without_our_via(_reply(200, vias))
    assert with_tag is not None and with_tag[1] == "uas"
    assert without_our_via(_reply(200, vias), want_tag=False) == (with_tag[0], None)


def test_reply_with_only_our_via_is_not_relayed() -> None:
    assert without_our_via(_reply(200, "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKours\r\n")) is None
