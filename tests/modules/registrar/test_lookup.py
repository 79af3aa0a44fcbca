"""lookup(), lookup_to_dset(), lookup_branches(), registered(), unregister()."""

from __future__ import annotations

from siprouter.modules import usrloc
from tests.modules.registrar.helpers import FakeClock, Script, invite, register

SAVE = Script('save("location");')


def saved(*contacts: str, user: str = "alice", expires: int = 600, **kw) -> None:
    SAVE.run(register(user, contacts, expires=expires, callid=f"c-{user}-{len(contacts)}", **kw))


def test_lookup_sets_the_ruri_to_the_highest_q_and_appends_the_rest(setup) -> None:
    saved("<sip:alice@192.0.2.1>;q=0.2", "<sip:alice@192.0.2.2>;q=0.9")
    r = Script('lookup("location");').run(invite())
    assert r.code == 1
    assert str(r.msg.new_ruri) == "sip:alice@192.0.2.2"
    assert [b.uri for b in r.sip.branches] == ["sip:alice@192.0.2.1"]
    assert r.sip.ruri_q == 900


def test_append_branches_0_keeps_only_the_best(setup) -> None:
    setup({"append_branches": 0})
    saved("<sip:alice@192.0.2.1>;q=0.2", "<sip:alice@192.0.2.2>;q=0.9")
    r = Script('lookup("location");').run(invite())
    assert str(r.msg.new_ruri) == "sip:alice@192.0.2.2" and r.sip.branches == []


def test_lookup_of_an_unknown_user_is_minus_1(setup) -> None:
    r = Script('lookup("location"); $var(rc) = $rc;').run(invite("sip:nobody@example.com"))
    assert r.ctx.vars["rc"] == -1


def test_an_expired_binding_is_not_found(setup, clock: FakeClock) -> None:
    saved("<sip:alice@192.0.2.1>", expires=60)
    clock.now += 61
    r = Script('lookup("location"); $var(rc) = $rc;').run(invite())
    assert r.ctx.vars["rc"] == -1


def test_lookup_with_a_uri_argument(setup) -> None:
    saved("<sip:carol@192.0.2.7>", user="carol")
    r = Script('lookup("location", "sip:carol@example.com");').run(invite())
    assert str(r.msg.new_ruri) == "sip:carol@192.0.2.7"


def test_path_becomes_the_destination_and_received_otherwise(setup) -> None:
    setup({"use_path": 1, "path_mode": 0, "received_avp": "$avp(rcv)"})
    SAVE.run(register("alice", ["<sip:alice@10.0.0.1>"], expires=600,
                      extra=["Path: <sip:edge.example.com;lr>"]))
    r = Script('lookup("location");').run(invite())
    assert r.sip.dst_uri == "sip:edge.example.com;lr"
    assert r.sip.path == "<sip:edge.example.com;lr>"
    Script('$avp(rcv) = "sip:203.0.113.9:4000"; save("location");').run(
        register("bob", ["<sip:bob@10.0.0.2>"], expires=600))
    r = Script('lookup("location");').run(invite("sip:bob@example.com"))
    assert r.sip.dst_uri == "sip:203.0.113.9:4000"


def test_cflags_come_back_as_branch_flags_and_nat_bflag_marks_natted(setup) -> None:
    ul = setup(nat_bflag=5)
    Script('$bf = 32; save("location");').run(register(expires=600))
    r = Script('lookup("location");').run(invite())
    assert r.ctx.bflags & 32
    assert [b.aor for b in ul.natted("location")] == ["alice"]


def test_method_filtering_uses_the_allow_header(setup) -> None:
    setup({"method_filtering": 1})
    saved("<sip:alice@192.0.2.1>", extra=["Allow: INVITE, ACK"])
    r = Script('lookup("location"); $var(rc) = $rc;').run(invite(method="MESSAGE"))
    assert r.ctx.vars["rc"] == -2
    assert Script('lookup("location");').run(invite()).code == 1


def test_lookup_to_dset_keeps_the_ruri(setup) -> None:
    saved("<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>")
    r = Script('lookup_to_dset("location");').run(invite())
    assert str(r.msg.new_ruri) == "sip:alice@example.com"
    assert sorted(b.uri for b in r.sip.branches) == ["sip:alice@192.0.2.1",
                                                     "sip:alice@192.0.2.2"]


def test_lookup_branches_expands_plain_branches(setup) -> None:
    saved("<sip:alice@192.0.2.1>")
    saved("<sip:carol@192.0.2.3>", user="carol")
    r = Script('append_branch("sip:carol@example.com"); lookup_branches("location");').run(
        invite())
    assert str(r.msg.new_ruri) == "sip:alice@192.0.2.1"
    assert [b.uri for b in r.sip.branches] == ["sip:carol@192.0.2.3"]


def test_registered_does_not_touch_the_message(setup) -> None:
    saved("<sip:alice@192.0.2.1>")
    r = Script('if (registered("location")) { $var(yes) = 1; }').run(invite())
    assert r.ctx.vars["yes"] == 1
    assert str(r.msg.new_ruri) == "sip:alice@example.com"
    r = Script('if (!registered("location")) { $var(no) = 1; }').run(
        invite("sip:nobody@example.com"))
    assert r.ctx.vars["no"] == 1


def test_unregister_removes_all_or_one_binding(setup) -> None:
    saved("<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>")
    (one, _) = usrloc.service().bindings("location", "alice")
    r = Script(f'unregister("location", "sip:alice@example.com", "{one.ruid}");').run(invite())
    assert r.code == 1
    assert len(usrloc.service().bindings("location", "alice")) == 1
    assert Script('unregister("location", "sip:alice@example.com");').run(invite()).code == 1
    assert usrloc.service().bindings("location", "alice") == []
    r = Script('unregister("location", "sip:alice@example.com"); $var(rc) = $rc;').run(invite())
    assert r.ctx.vars["rc"] == -3


def test_aors_are_case_insensitive_unless_case_sensitive(setup) -> None:
    saved("<sip:alice@192.0.2.1>", user="Alice")
    assert Script('lookup("location");').run(invite("sip:ALICE@example.com")).code == 1


def test_use_domain_keys_by_user_and_domain(setup) -> None:
    setup(use_domain=1)
    saved("<sip:alice@192.0.2.1>")
    assert Script('lookup("location");').run(invite("sip:alice@example.com")).code == 1
    r = Script('lookup("location"); $var(rc) = $rc;').run(invite("sip:alice@example.org"))
    assert r.ctx.vars["rc"] == -1


def test_instance_and_reg_id_replace_the_flow_binding(setup) -> None:
    setup({"outbound_mode": 1})
    inst = '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'
    ob = ["Supported: outbound, path"]
    r1 = SAVE.run(register("alice", [f"<sip:alice@10.0.0.1:5060>;+sip.instance={inst};reg-id=1"],
                           expires=600, callid="ob", cseq=1, extra=ob))
    assert r1.reply.header("Require") == "outbound"
    r2 = SAVE.run(register("alice", [f"<sip:alice@10.0.0.9:6000>;+sip.instance={inst};reg-id=1"],
                           expires=600, callid="ob2", cseq=1, extra=ob))
    assert r2.code == 2
    (b,) = usrloc.service().bindings("location", "alice")
    assert (b.contact, b.reg_id) == ("sip:alice@10.0.0.9:6000", 1)
    assert r2.reply.contacts == ['<sip:alice@10.0.0.9:6000>;expires=600;+sip.instance='
                                 '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1']
