"""t_load_contacts(), t_next_contacts(), t_next_contact_flow(): serial/parallel forking by q
(Kamailio tm's README, "Serial forking"), run through the real cfg compiler on a real INVITE."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import RouteType, default_registry
from siprouter.core.runtime import modinit
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState, XavpItem
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.sip import SIPRequest, parse_message
from siprouter.modules.tm.contacts import (
    Contact,
    proportional_order,
    sort_ascending,
    t_load_contacts,
    t_next_contacts,
)
from siprouter.modules.tm.state import TmTransaction

OUR_SOCKET = SocketInfo("udp", "192.0.2.10", 5060)
OTHER_SOCKET = SocketInfo("tcp", "192.0.2.10", 5061)
MODULES = ("tm", "pv", "xlog", "kex")
PARAMS = ('modparam("tm", "contacts_avp", "tm_contacts")\n'
          'modparam("tm", "contact_flows_avp", "tm_contact_flows")\n')

INVITE = (
    b"INVITE sip:a@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-c1\r\n"
    b"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:a@example.com>\r\n"
    b"Call-ID: contacts-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
)

# The README's example: A without q, B and C at 0.5, D at 1.0.
README_SET = """
    append_branch("sip:b@example.com", "0.5");
    append_branch("sip:c@example.com", "0.5");
    append_branch("sip:d@example.com", "1.0");
"""


class FakeForwarder:
    """The server's forwarder as far as sockets go: two listening sockets."""

    def find_socket(self, spec: str) -> SocketInfo | None:
        return {str(OUR_SOCKET): OUR_SOCKET, str(OTHER_SOCKET): OTHER_SOCKET}.get(spec)


@dataclass
class Run:
    code: int
    ctx: Context

    @property
    def sip(self) -> SipState:
        assert self.ctx.sip is not None
        return self.ctx.sip

    @property
    def ruri(self) -> str:
        msg = self.ctx.msg
        assert isinstance(msg, SIPRequest)
        return str(msg.new_ruri)

    @property
    def branch_uris(self) -> list[str]:
        return [b.uri for b in self.sip.branches]

    def xavp(self, name: str = "tm_contacts") -> list[dict[str, Any]]:
        """The items, the next to try first, each as {field: value}."""
        items = self.ctx.xavps.get(name, [])
        return [{k: v[-1] for k, v in it.fields.items()} for it in reversed(items)]


class Cfg:
    """A compiled config; run() runs one of its routes for the INVITE."""

    def __init__(self, body: str, modparams: str = PARAMS, *, failure: str = "") -> None:
        loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
        text = loads + modparams + f"request_route {{\n{body}\n}}\n"
        if failure:
            text += f"failure_route[NEXT] {{\n{failure}\n}}\n"
        config, diags = parse_text(text, "t.cfg")
        assert not [d for d in diags if d.is_error], diags
        loaded = default_registry().loaded(MODULES)
        self.script = compile_config(config, loaded)
        modinit.init_modules(config, loaded.modules)  # what the server does: modparams
        self.worker = WorkerState(vars={}, shared={})

    def run(self, route: str = "request_route", ctx: Context | None = None) -> Run:
        if ctx is None:
            rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
            sip = SipState(rcv=rcv, sender=None, forwarder=FakeForwarder())  # type: ignore[arg-type]
            ctx = Context(parse_message(INVITE), worker=self.worker, sip=sip)
        code = self.script.run(route, ctx)
        return Run(ctx.last_retcode if ctx.exited else code, ctx)

    def failure(self, previous: Run) -> Run:
        """failure_route[NEXT] for the same request, with what request_route stored (the
        XAVPs travel with the transaction); the destination set starts empty."""
        rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
        sip = SipState(rcv=rcv, sender=None, forwarder=FakeForwarder())  # type: ignore[arg-type]
        ctx = Context(previous.ctx.msg, route_type=RouteType.FAILURE, worker=self.worker,
                      xavps=previous.ctx.xavps, sip=sip)
        return self.run("failure_route:NEXT", ctx)


@pytest.fixture(autouse=True)
def _no_module_env_left() -> Iterator[None]:
    yield
    config, _ = parse_text("", "empty.cfg")
    modinit.init_modules(config, [])


def _rc(body: str, modparams: str = PARAMS) -> int:
    run = Cfg(body + "\n$var(rc) = $rc;", modparams).run()
    return int(run.ctx.vars["rc"])  # type: ignore[arg-type]


# --- t_load_contacts ---------------------------------------------------------------------------


def test_load_contacts_stores_the_destination_set_highest_q_first_and_clears_it() -> None:
    run = Cfg(README_SET + "t_load_contacts();").run()
    assert run.code == 1
    assert [i["uri"] for i in run.xavp()] == [
        "sip:d@example.com", "sip:c@example.com", "sip:b@example.com", "sip:a@example.com"]
    assert run.branch_uris == []


def test_q_flag_marks_the_last_contact_of_each_priority_class() -> None:
    run = Cfg(README_SET + "t_load_contacts();").run()
    assert [(i["uri"][4], i["q_flag"]) for i in run.xavp()] == [
        ("d", 1), ("c", 0), ("b", 1), ("a", 0)]


def test_the_script_reads_the_next_contact_from_the_xavp() -> None:
    run = Cfg(README_SET + 't_load_contacts(); $var(u) = $xavp(tm_contacts=>uri);').run()
    assert run.ctx.vars["u"] == "sip:d@example.com"


def test_load_contacts_keeps_dst_uri_path_socket_flags_and_q_of_each_contact() -> None:
    run = Cfg("""
        $du = "sip:proxy.example.com:5070";
        setbflag(3);
        force_send_socket(tcp:192.0.2.10:5061);
        append_branch();
        $branch(q) = "0.7";
        $branch(path) = "<sip:edge.example.com;lr>";
        append_branch("sip:z@example.com", "0.2");
        t_load_contacts();
    """).run()
    copy, z, ruri = run.xavp()
    assert copy == {"uri": "sip:a@example.com", "dst_uri": "sip:proxy.example.com:5070",
                    "path": "<sip:edge.example.com;lr>", "sock": "tcp:192.0.2.10:5061",
                    "flags": 8, "q_flag": 1, "q": 700}
    assert ruri == {"uri": "sip:a@example.com", "dst_uri": "sip:proxy.example.com:5070",
                    "sock": "tcp:192.0.2.10:5061", "flags": 8, "q_flag": 0}  # no q given
    assert z == {"uri": "sip:z@example.com", "flags": 0, "q_flag": 1, "q": 200}


def test_load_contacts_with_only_the_ruri_does_nothing_and_returns_1() -> None:
    run = Cfg("t_load_contacts(); $var(rc) = $rc;").run()
    assert run.ctx.vars["rc"] == 1
    assert run.ctx.xavps == {} and run.ruri == "sip:a@example.com"


def test_load_contacts_orders_by_q_even_when_equal_q_would_fork_in_parallel() -> None:
    run = Cfg('append_branch("sip:b@example.com"); t_load_contacts();').run()
    assert [(i["uri"], i["q_flag"]) for i in run.xavp()] == [
        ("sip:b@example.com", 0), ("sip:a@example.com", 0)]


def test_load_contacts_without_contacts_avp_is_minus_1_and_keeps_the_set() -> None:
    run = Cfg(README_SET + "t_load_contacts(); $var(rc) = $rc;", modparams="").run()
    assert run.ctx.vars["rc"] == -1
    assert run.branch_uris == ["sip:b@example.com", "sip:c@example.com", "sip:d@example.com"]


@pytest.mark.parametrize("mode", ['"2"', '"x"', '"-1"'])
def test_load_contacts_with_an_unknown_mode_is_minus_1(mode: str) -> None:
    assert _rc(README_SET + f"t_load_contacts({mode});") == -1


def test_load_contacts_mode_1_tries_one_contact_at_a_time_and_q_0_last() -> None:
    run = Cfg('append_branch("sip:z@example.com", "0"); ' + README_SET +
              "t_load_contacts(1);").run()
    items = run.xavp()
    assert {i["uri"] for i in items[:3]} == {
        "sip:b@example.com", "sip:c@example.com", "sip:d@example.com"}
    assert [i["uri"] for i in items[3:]] == ["sip:a@example.com", "sip:z@example.com"]
    assert all(i["q_flag"] == 1 for i in items)


def _in_relayed_transaction(cfg: Cfg, ruri: str) -> Context:
    """A failure_route context of a transaction that relayed `ruri` already."""
    rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
    sip = SipState(rcv=rcv, sender=None, forwarder=FakeForwarder())  # type: ignore[arg-type]
    msg = parse_message(INVITE)
    tm = TmTransaction(msg, rcv, None, None, "tag", ruri=ruri,  # type: ignore[arg-type]
                       branches=[None])  # type: ignore[list-item]
    vars(sip)["tm"] = tm
    return Context(msg, route_type=RouteType.FAILURE, worker=cfg.worker, sip=sip)


def test_in_failure_route_the_relayed_ruri_is_not_loaded_again() -> None:
    cfg = Cfg("", failure=README_SET + "t_load_contacts();")
    run = cfg.run("failure_route:NEXT", _in_relayed_transaction(cfg, "sip:a@example.com"))
    assert [i["uri"] for i in run.xavp()] == [
        "sip:d@example.com", "sip:c@example.com", "sip:b@example.com"]


def test_in_failure_route_a_new_ruri_is_loaded_with_the_branches() -> None:
    cfg = Cfg("", failure='$ru = "sip:n@example.com";' + README_SET + "t_load_contacts();")
    run = cfg.run("failure_route:NEXT", _in_relayed_transaction(cfg, "sip:a@example.com"))
    assert [i["uri"] for i in run.xavp()][-1] == "sip:n@example.com"


def test_in_failure_route_a_single_branch_stays_where_it_is() -> None:
    cfg = Cfg("", failure='append_branch("sip:b@example.com"); t_load_contacts();')
    run = cfg.run("failure_route:NEXT", _in_relayed_transaction(cfg, "sip:a@example.com"))
    assert run.ctx.xavps == {} and run.branch_uris == ["sip:b@example.com"]


# --- t_next_contacts ---------------------------------------------------------------------------


def test_next_contacts_sets_the_first_class_as_ruri_and_branches() -> None:
    run = Cfg(README_SET + "t_load_contacts(); t_next_contacts();").run()
    assert run.code == 1
    assert run.ruri == "sip:d@example.com" and run.branch_uris == []
    assert [i["uri"] for i in run.xavp()] == [
        "sip:c@example.com", "sip:b@example.com", "sip:a@example.com"]


def test_failure_route_gets_the_next_class_in_parallel_then_the_last_then_minus_2() -> None:
    cfg = Cfg(README_SET + "t_load_contacts(); t_next_contacts();",
              failure="t_next_contacts(); $var(rc) = $rc;")
    first = cfg.run()
    second = cfg.failure(first)
    assert second.ctx.vars["rc"] == 1
    assert second.ruri == "sip:c@example.com" and second.branch_uris == ["sip:b@example.com"]
    third = cfg.failure(second)
    assert third.ruri == "sip:a@example.com" and third.branch_uris == []
    assert third.ctx.xavps.get("tm_contacts") == []
    assert cfg.failure(third).ctx.vars["rc"] == -2


def test_readme_failure_route_exits_when_no_contacts_are_left() -> None:
    cfg = Cfg('t_next_contacts(); $var(after) = 1;',
              failure='if (!t_next_contacts()) { $var(done) = 1; exit; } $var(more) = 1;')
    run = cfg.failure(cfg.run())
    assert run.ctx.vars.get("done") == 1 and "more" not in run.ctx.vars


def test_next_contacts_with_nothing_loaded_is_minus_2_and_the_ruri_stays() -> None:
    run = Cfg("t_next_contacts(); $var(rc) = $rc;").run()
    assert run.ctx.vars["rc"] == -2 and run.ruri == "sip:a@example.com"


def test_next_contacts_without_contacts_avp_is_minus_1() -> None:
    assert _rc("t_next_contacts();", modparams="") == -1


def test_next_contacts_restores_dst_uri_path_socket_flags_and_q() -> None:
    run = Cfg("""
        $xavp(tm_contacts=>uri) = "sip:x@192.0.2.50";
        $xavp(tm_contacts[0]=>dst_uri) = "sip:192.0.2.60:5070";
        $xavp(tm_contacts[0]=>path) = "<sip:edge.example.com;lr>";
        $xavp(tm_contacts[0]=>sock) = "tcp:192.0.2.10:5061";
        $xavp(tm_contacts[0]=>flags) = 8;
        $xavp(tm_contacts[0]=>q_flag) = 0;
        $xavp(tm_contacts[0]=>q) = 500;
        t_next_contacts();
    """).run()
    assert run.ruri == "sip:x@192.0.2.50"
    assert run.sip.dst_uri == "sip:192.0.2.60:5070"
    assert run.sip.path == "<sip:edge.example.com;lr>"
    assert run.sip.force_socket == OTHER_SOCKET
    assert run.ctx.bflags == 8 and run.sip.ruri_q == 500


def test_next_contacts_with_a_socket_that_is_not_ours_is_minus_1() -> None:
    assert _rc("""
        $xavp(tm_contacts=>uri) = "sip:x@192.0.2.50";
        $xavp(tm_contacts[0]=>sock) = "udp:203.0.113.1:5060";
        t_next_contacts();
    """) == -1


def test_one_contact_per_instance_the_other_flows_go_to_contact_flows_avp() -> None:
    script = ""
    for uri, instance in (("sip:w@192.0.2.3", ""), ("sip:ua@192.0.2.2", "<urn:uuid:1>"),
                          ("sip:ua@192.0.2.1", "<urn:uuid:1>")):
        script += f'$xavp(tm_contacts=>uri) = "{uri}"; $xavp(tm_contacts[0]=>q_flag) = 0;\n'
        if instance:
            script += f'$xavp(tm_contacts[0]=>instance) = "{instance}";\n'
    run = Cfg(script + "t_next_contacts();").run()
    assert run.ruri == "sip:ua@192.0.2.1" and run.branch_uris == ["sip:w@192.0.2.3"]
    assert [i["uri"] for i in run.xavp("tm_contact_flows")] == ["sip:ua@192.0.2.2"]
    assert run.ctx.xavps["tm_contacts"] == []


def test_next_contact_flow_has_nothing_to_do_for_a_branch_without_instance() -> None:
    assert _rc("t_next_contact_flow();") == -2
    assert _rc("t_next_contact_flow();", modparams="") == -1


def test_a_reply_has_no_destination_set_to_load() -> None:
    cfg = Cfg(README_SET)
    ctx = Context(parse_message(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\r\n"
                                b"Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"),
                  worker=cfg.worker, sip=None)
    assert t_load_contacts(ctx) == -1 and t_next_contacts(ctx) == -1


# --- the pure orderings ------------------------------------------------------------------------


def test_among_equal_q_a_contact_with_a_path_goes_before_the_others() -> None:
    got = sort_ascending([Contact("sip:1@x", q=500), Contact("sip:2@x", q=500, path="<sip:p>"),
                          Contact("sip:3@x", q=500)])
    assert [c.uri for c in got] == ["sip:2@x", "sip:1@x", "sip:3@x"]


def test_an_unset_q_sorts_below_q_0() -> None:
    got = sort_ascending([Contact("sip:0@x", q=0), Contact("sip:none@x")])
    assert [c.uri for c in got] == ["sip:none@x", "sip:0@x"]


def test_proportional_order_draws_the_heavier_contact_first_more_often() -> None:
    rand = random.Random(7)
    heavy_first = sum(
        proportional_order([Contact("sip:light@x", q=100), Contact("sip:heavy@x", q=900)],
                           rand)[0].uri == "sip:heavy@x"
        for _ in range(1000))
    assert 850 <= heavy_first <= 950


def test_an_item_without_uri_is_no_contact() -> None:
    assert Contact.of_item(XavpItem({"q_flag": [1]})) is None
