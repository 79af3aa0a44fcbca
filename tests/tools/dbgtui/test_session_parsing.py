"""Replies of the debugger RPCs become typed values (reference 2.4 and docs/debugger.md)."""

from __future__ import annotations

import pytest

from siprouter.tools.dbgtui.session import (
    EvalResult,
    Location,
    ReplyError,
    parse_breakpoint,
    parse_eval,
    parse_location,
    parse_stack,
    parse_vars,
    parse_where,
    parse_workers,
)


def test_show_reply_is_the_action_about_to_run() -> None:
    loc = parse_location("at bkp [/etc/k.cfg:42] a=26 n=xlog")
    assert loc == Location("/etc/k.cfg", 42, 26, "xlog", executed=False)


def test_next_reply_is_the_action_just_released() -> None:
    loc = parse_location("exec [/etc/k.cfg:43] a=27 n=cnt_inc")
    assert loc == Location("/etc/k.cfg", 43, 27, "cnt_inc", executed=True)


def test_file_names_may_hold_colons_and_brackets() -> None:
    loc = parse_location("exec [C:/cfg [x]/k.cfg:7] a=2 n=if")
    assert (loc.file, loc.line, loc.name) == ("C:/cfg [x]/k.cfg", 7, "if")


def test_a_location_in_a_one_element_list_is_read() -> None:
    assert parse_location(["at bkp [k.cfg:1] a=1 n=assign"]).line == 1


def test_a_reply_that_is_no_location_is_an_error() -> None:
    with pytest.raises(ReplyError):
        parse_location("200 ok")


@pytest.mark.parametrize(("reply", "expected"), [
    ("$var(x) : t=int v=5", EvalResult("$var(x)", "int", 5)),
    ("$(ru{uri.user}) : t=str v=bob", EvalResult("$(ru{uri.user})", "str", "bob")),
    ("$avp(nope) : t=null", EvalResult("$avp(nope)", "null", None)),
    ("$var(e) : t=str v=", EvalResult("$var(e)", "str", "")),
])
def test_eval_replies(reply: str, expected: EvalResult) -> None:
    assert parse_eval(reply) == expected


def test_eval_value_may_contain_the_separator_when_the_pv_is_known() -> None:
    r = parse_eval("$hdr(X) : t=str v=a : t=int v=1", "$hdr(X)")
    assert r == EvalResult("$hdr(X)", "str", "a : t=int v=1")


def test_eval_display() -> None:
    assert EvalResult("$x", "null", None).display() == "<null>"
    assert EvalResult("$x", "int", -3).display() == "-3"
    assert EvalResult("$x", "str", "").display() == "''"
    assert EvalResult("$x", "str", "sip:a@b").display() == "sip:a@b"


def test_eval_with_a_non_number_int_is_an_error() -> None:
    with pytest.raises(ReplyError):
        parse_eval("$x : t=int v=abc")


def test_dbg_ls_rows_with_our_where_fields() -> None:
    [w, idle] = parse_workers([
        {"entry": 1, "pid": 4242, "set": 2, "state": 1, "in.pid": 0, "in.cmd": 0,
         "route": "request_route", "file": "/k.cfg", "line": 12},
        {"entry": 2, "pid": 4243, "set": 0, "state": 0, "in.pid": 0, "in.cmd": 0},
    ])
    assert w.paused and w.breaking and not w.tracing
    assert (w.route, w.file, w.line, w.state_name) == ("request_route", "/k.cfg", 12, "paused")
    assert not idle.paused and idle.state_name == "running" and idle.file == ""


def test_dbg_ls_for_one_pid_may_be_one_struct() -> None:
    assert [w.pid for w in parse_workers({"entry": 0, "pid": 7, "set": 0, "state": 2})] == [7]
    assert parse_workers({"entry": 0, "pid": 7, "set": 0, "state": 2})[0].state_name == "stepping"


def test_breakpoint_where_stack_and_vars() -> None:
    bp = parse_breakpoint({"id": 3, "file": "/k.cfg", "line": 9, "cond": "$rm==\"INVITE\"",
                           "hits": 2})
    assert (bp.id, bp.line, bp.cond, bp.hits) == (3, 9, '$rm=="INVITE"', 2)
    where = parse_where({"state": 1, "route": "route[RELAY]", "file": "/k.cfg", "line": 30,
                         "kind": 12, "name": "t_relay"})
    assert (where.route, where.line, where.kind, where.name) == ("route[RELAY]", 30, 12, "t_relay")
    stack = parse_stack([{"route": "request_route", "file": "/k.cfg", "line": 5},
                         {"route": "route[RELAY]", "file": "/k.cfg", "line": 30}])
    assert [f.route for f in stack] == ["request_route", "route[RELAY]"]
    values = parse_vars({"var": {"x": 5}, "avp": {"a": ["1", "2"]}})
    assert values.var == {"x": 5} and values.avp == {"a": ["1", "2"]} and values.xavp == {}


def test_malformed_structs_are_errors() -> None:
    for fn, bad in ((parse_workers, "x"), (parse_where, []), (parse_stack, {}),
                    (parse_vars, "x"), (parse_breakpoint, {"file": "x"})):
        with pytest.raises(ReplyError):
            fn(bad)
