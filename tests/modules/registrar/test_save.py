"""save(): what a REGISTER changes and how it is answered (Kamailio's registrar)."""

from __future__ import annotations

from tests.modules.registrar.helpers import FakeClock, Script, register

SAVE = 'save("location");'


def test_a_new_contact_is_saved_and_listed_with_its_expires(setup) -> None:
    r = Script(SAVE).run(register(expires=600))
    assert r.code == 1
    assert (r.reply.status, r.reply.reason) == (200, "OK")
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=600"]


def test_the_reply_lists_every_binding_of_the_aor(setup) -> None:
    s = Script(SAVE)
    s.run(register(contacts=["<sip:alice@192.0.2.1>"], expires=600, callid="a"))
    r = s.run(register(contacts=["<sip:alice@192.0.2.2>;q=0.5"], expires=300, callid="b"))
    assert sorted(r.reply.contacts) == ["<sip:alice@192.0.2.1>;expires=600",
                                        "<sip:alice@192.0.2.2>;q=0.5;expires=300"]


def test_refreshing_a_contact_updates_it(setup, clock: FakeClock) -> None:
    s = Script(SAVE)
    s.run(register(expires=600, cseq=1))
    clock.now += 100
    r = s.run(register(expires=900, cseq=2))
    assert r.code == 2
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=900"]


def test_expires_zero_removes_the_contact(setup) -> None:
    s = Script(SAVE)
    s.run(register(expires=600, cseq=1))
    r = s.run(register(expires=0, cseq=2))
    assert r.code == 3
    assert r.reply.status == 200 and r.reply.contacts == []


def test_contact_expires_param_wins_over_the_header(setup) -> None:
    r = Script(SAVE).run(register(contacts=["<sip:alice@192.0.2.1>;expires=120"], expires=600))
    assert r.reply.contacts == ["<sip:alice@192.0.2.1>;expires=120"]


def test_star_with_expires_zero_removes_every_binding(setup) -> None:
    s = Script(SAVE)
    s.run(register(contacts=["<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>"], expires=600))
    r = s.run(register(contacts=["*"], expires=0, cseq=2))
    assert r.code == 3 and r.reply.status == 200 and r.reply.contacts == []


def test_star_with_a_non_zero_expires_is_400(setup) -> None:
    r = Script(SAVE).run(register(contacts=["*"], expires=60))
    assert r.reply.status == 400
    assert r.reply.header("P-Registrar-Error") == "* used in contact and expires is not zero"


def test_star_with_other_contacts_is_400(setup) -> None:
    r = Script(SAVE).run(register(contacts=["*", "<sip:alice@192.0.2.1>"], expires=0))
    assert r.reply.status == 400
    assert r.reply.header("P-Registrar-Error") == "* used in contact and more than 1 contact"


def test_register_without_contacts_lists_the_bindings(setup) -> None:
    s = Script(SAVE)
    s.run(register(expires=600))
    r = s.run(register(contacts=[], cseq=2))
    assert r.code == 4 and r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=600"]


def test_default_expires_applies_without_expires(setup) -> None:
    setup({"default_expires": 1800})
    r = Script(SAVE).run(register())
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=1800"]


def test_expires_below_min_expires_is_raised_to_it(setup) -> None:
    setup({"min_expires": 60})
    r = Script(SAVE).run(register(expires=10))
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=60"]


def test_min_expires_mode_1_answers_423_with_min_expires(setup) -> None:
    setup({"min_expires": 60, "min_expires_mode": 1})
    r = Script(SAVE).run(register(expires=10))
    assert (r.reply.status, r.reply.reason) == (423, "Interval Too Brief")
    assert r.reply.header("Min-Expires") == "60"


def test_expires_above_max_expires_is_lowered_to_it(setup) -> None:
    setup({"max_expires": 300})
    r = Script(SAVE).run(register(expires=7200))
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=300"]


def test_too_many_contacts_is_503_and_returns_minus_2(setup) -> None:
    setup({"max_contacts": 2, "retry_after": 30})
    s = Script('save("location"); $var(rc) = $rc;')
    s.run(register(contacts=["<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>"], expires=600))
    r = s.run(register(contacts=["<sip:alice@192.0.2.3>"], expires=600, callid="other"))
    assert (r.reply.status, r.reply.reason) == (503, "Service Unavailable")
    assert r.reply.header("P-Registrar-Error") == "Too many registered contacts"
    assert r.reply.header("Retry-After") == "30"
    assert r.ctx.vars["rc"] == -2


def test_refusing_too_many_contacts_changes_nothing(setup) -> None:
    setup({"max_contacts": 1})
    s = Script(SAVE)
    s.run(register(contacts=["<sip:alice@192.0.2.1>"], expires=600))
    s.run(register(contacts=["<sip:alice@192.0.2.2>"], expires=600, callid="x"))
    r = s.run(register(contacts=[], cseq=9, callid="y"))
    assert r.reply.contacts == ["<sip:alice@192.0.2.1>;expires=600"]


def test_refreshing_at_the_limit_is_not_too_many(setup) -> None:
    setup({"max_contacts": 1})
    s = Script(SAVE)
    s.run(register(expires=600, cseq=1))
    assert s.run(register(expires=600, cseq=2)).reply.status == 200


def test_flag_4_keeps_one_contact_per_aor(setup) -> None:
    s = Script('save("location", "0x04");')
    s.run(register(contacts=["<sip:alice@192.0.2.1>"], expires=600, callid="a"))
    r = s.run(register(contacts=["<sip:alice@192.0.2.2>"], expires=600, callid="b"))
    assert r.reply.contacts == ["<sip:alice@192.0.2.2>;expires=600"]


def test_flag_2_defers_the_reply_to_reg_send_reply(setup) -> None:
    r = Script('save("location", "0x02"); xlog("L_INFO", "between\n"); reg_send_reply();').run(
        register(expires=600))
    assert r.reply.status == 200


def test_flag_2_without_reg_send_reply_sends_nothing(setup) -> None:
    r = Script('save("location", "0x02");').run(register(expires=600))
    assert r.forwarder.replies == []


def test_the_third_argument_replaces_the_to_uri_as_aor(setup) -> None:
    s = Script('save("location", "0", "sip:carol@example.com");')
    s.run(register(expires=600))
    from siprouter.modules import usrloc
    assert [b.contact for b in usrloc.service().bindings("location", "carol")] == [
        "sip:alice@198.51.100.7:5062"]


def test_an_old_cseq_on_the_same_call_id_changes_nothing(setup, clock: FakeClock) -> None:
    s = Script(SAVE)
    s.run(register(expires=600, cseq=5))
    clock.now += 60
    r = s.run(register(expires=0, cseq=4))
    assert r.reply.status == 200
    assert r.reply.header("P-Registrar-Error") == "Out of order request"
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=540"]


def test_a_retransmission_is_answered_like_the_original(setup) -> None:
    s = Script(SAVE)
    s.run(register(expires=600, cseq=5))
    r = s.run(register(expires=600, cseq=5))
    assert r.reply.status == 200
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=600"]


def test_q_user_agent_path_and_methods_are_stored(setup) -> None:
    setup({"use_path": 1, "path_mode": 0})
    Script(SAVE).run(register(
        contacts=["<sip:alice@192.0.2.1>;q=0.7"], expires=600,
        extra=["User-Agent: phone/2.0", "Path: <sip:edge.example.com;lr>",
               "Allow: INVITE, ACK, BYE"]))
    from siprouter.modules import usrloc
    (b,) = usrloc.service().bindings("location", "alice")
    assert (b.q, b.user_agent, b.path, b.socket) == (
        700, "phone/2.0", "<sip:edge.example.com;lr>", "udp:192.0.2.10:5060")
    assert b.methods == usrloc.METHOD_BITS["INVITE"] | usrloc.METHOD_BITS["ACK"] | \
        usrloc.METHOD_BITS["BYE"]


def test_path_mode_2_without_path_support_is_420(setup) -> None:
    setup({"use_path": 1, "path_mode": 2})
    r = Script(SAVE).run(register(expires=600, extra=["Path: <sip:edge.example.com;lr>"]))
    assert (r.reply.status, r.reply.reason) == (420, "Bad Extension")
    assert r.reply.header("Unsupported") == "path"


def test_path_mode_2_with_support_echoes_path(setup) -> None:
    setup({"use_path": 1, "path_mode": 2})
    r = Script(SAVE).run(register(expires=600, extra=["Path: <sip:edge.example.com;lr>",
                                                      "Supported: path"]))
    assert r.reply.status == 200 and r.reply.header("Path") == "<sip:edge.example.com;lr>"


def test_received_avp_is_stored_and_shown_in_the_reply(setup) -> None:
    setup({"received_avp": "$avp(RECEIVED)"})
    r = Script('$avp(RECEIVED) = "sip:203.0.113.9:40000"; save("location");').run(
        register(expires=600))
    assert r.reply.contacts == [
        '<sip:alice@198.51.100.7:5062>;expires=600;received="sip:203.0.113.9:40000"']


def test_branch_flags_are_saved_as_cflags(setup) -> None:
    Script('$bf = 8; save("location");').run(register(expires=600))
    from siprouter.modules import usrloc
    (b,) = usrloc.service().bindings("location", "alice")
    assert b.cflags & (1 << 3)
