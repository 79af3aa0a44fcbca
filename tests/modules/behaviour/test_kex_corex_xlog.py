"""kex flags and destination URI, corex append_branch, xlog levels and formats."""

from __future__ import annotations

import logging

import pytest

from siprouter.core.cfg.source import Span
from siprouter.core.loglevels import NOTICE
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sipstate import Branch
from siprouter.modules import xlog
from tests.core.runtime.sip.helpers import MODULES, message, run, sip_state


def test_script_flags_set_test_and_reset() -> None:
    r = run('setsflag("3"); if (issflagset(3)) { $var(a) = 1; } $var(f) = $sf; resetsflag(3); '
            'if (!issflagset(3)) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "f": 8, "b": 1}


def test_flag_argument_may_be_a_pv_inside_the_string() -> None:
    r = run('$var(flag) = 11; setbflag("$var(flag)"); $var(b) = $bf;')
    assert r.vars["b"] == 1 << 11


def test_branch_flags_of_an_additional_branch_by_index() -> None:
    sip = sip_state()
    sip.branches.append(Branch("sip:a@x"))
    r = run('setbflag(2, 1); if (isbflagset(2, 1)) { $var(a) = 1; } '
            'if (!isbflagset(2)) { $var(b) = 1; } resetbflag(2, 1);', sip=sip)
    assert r.vars == {"a": 1, "b": 1}
    assert sip.branches[0].flags == 0


def test_branch_flag_of_a_missing_branch_is_false() -> None:
    assert run("if (!setbflag(1, 5)) { $var(r) = 1; }").vars["r"] == 1


def test_flag_out_of_range_is_false() -> None:
    assert run("if (!setsflag(40)) { $var(r) = 1; }").vars["r"] == 1


def test_setdsturi_resetdsturi_isdsturiset() -> None:
    r = run('setdsturi("sip:10.0.0.1:5080"); if (isdsturiset()) { $var(a) = $du; } '
            'resetdsturi(); if (!isdsturiset()) { $var(b) = 1; }')
    assert r.vars == {"a": "sip:10.0.0.1:5080", "b": 1}


def test_pv_printf_assigns_the_expanded_format() -> None:
    assert run('pv_printf("$var(x)", "$rU from $si");').vars["x"] == "bob from 198.51.100.7"


def test_km_append_branch_and_corex_append_branch() -> None:
    sip = sip_state()
    run('km_append_branch(); append_branch("sip:alt@b.example", "0.5");', sip=sip)
    assert [(b.uri, b.q) for b in sip.branches] == [
        ("sip:bob@biloxi.example.com:5070;transport=tcp", -1), ("sip:alt@b.example", 500)]


def test_is_myself_uses_the_servers_addresses() -> None:
    r = run('if (is_myself("sip:proxy.example.com")) { $var(a) = 1; } '
            'if (!is_myself("sip:elsewhere.example")) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


def test_myself_keyword_comparison() -> None:
    data = message().raw.replace(b"sip:bob@biloxi.example.com:5070;transport=tcp",
                                 b"sip:bob@192.0.2.10")
    r = run("if (uri == myself) { $var(a) = 1; } if ($fu != myself) { $var(b) = 1; }", data)
    assert r.vars == {"a": 1, "b": 1}


def test_old_style_keywords() -> None:
    r = run('if (method == "INVITE" && proto == UDP && src_port == 5062 && af == INET) '
            '{ $var(a) = 1; } if (src_ip == 198.51.100.0/24) { $var(b) = 1; } '
            'if (uri =~ "^sip:bob@") { $var(c) = 1; } if (msg:len > 100) { $var(d) = 1; }')
    assert r.vars == {"a": 1, "b": 1, "c": 1, "d": 1}


def test_from_select() -> None:
    assert run("$var(u) = @from.uri; $var(t) = @from.tag;").vars == {
        "u": "sip:alice@atlanta.example.com", "t": "1928301774"}


@pytest.fixture
def script_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG - 1, logger="siprouter.script")
    return caplog


def test_xlog_expands_pvs_and_logs_at_the_level(script_log: pytest.LogCaptureFixture) -> None:
    run('xlog("L_INFO", "method $rm from $si\\n");')
    (rec,) = [r for r in script_log.records if "method" in r.getMessage()]
    assert rec.levelno == logging.INFO
    assert rec.getMessage() == "<script>: method INVITE from 198.51.100.7"


def test_xlog_without_level_logs_at_error(script_log: pytest.LogCaptureFixture) -> None:
    run('xlog("ru=$ru\\n");')
    (rec,) = [r for r in script_log.records if "ru=" in r.getMessage()]
    assert rec.levelno == logging.ERROR


def test_xlog_level_from_a_variable(script_log: pytest.LogCaptureFixture) -> None:
    run('$var(l) = 3; xlog("$var(l)", "dbg line\\n");')
    (rec,) = [r for r in script_log.records if "dbg line" in r.getMessage()]
    assert rec.levelno == logging.DEBUG


@pytest.mark.parametrize(("call", "level"), [
    ("xdbg", logging.DEBUG), ("xinfo", logging.INFO), ("xnotice", NOTICE),
    ("xwarn", logging.WARNING), ("xerr", logging.ERROR), ("xalert", logging.CRITICAL),
])
def test_fixed_level_functions(call: str, level: int,
                               script_log: pytest.LogCaptureFixture) -> None:
    run(f'{call}("via $hdr(Via)\\n");')
    (rec,) = [r for r in script_log.records if r.getMessage().startswith("<script>: via")]
    assert rec.levelno == level


def test_xlogl_prefixes_the_cfg_line(script_log: pytest.LogCaptureFixture) -> None:
    xlog.xlogl(Context(message()), "L_WARN", "text\n", span=Span("t.cfg", 42, 5, 42, 20))
    assert script_log.records[-1].getMessage() == "<script>: 42:text"


def test_xlogl_in_a_script_prints_the_line_of_its_call(
        script_log: pytest.LogCaptureFixture) -> None:
    call_line = len(MODULES) + 3  # loadmodule lines, "request_route {", one line before
    run('$var(x) = 1;\nxlogl("L_WARN", "at $var(x)\\n");\nxdbgl("dbg\\n");')
    messages = [r.getMessage() for r in script_log.records]
    assert f"<script>: {call_line}:at 1" in messages
    assert f"<script>: {call_line + 1}:dbg" in messages


@pytest.mark.parametrize(("debug", "printed"), [
    (1, ["notice"]), (2, ["notice", "info"]), (3, ["notice", "info", "dbg"]), (0, []),
])
def test_debug_level_filters_like_kamailio(debug: int, printed: list[str]) -> None:
    """Kamailio's debug=1 prints L_NOTICE but not L_INFO; debug=2 adds L_INFO, 3 L_DBG."""
    from siprouter.core.loglevels import debug_threshold as threshold

    logger = logging.getLogger("siprouter.script")
    old = logger.level
    logger.setLevel(threshold(debug))
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        run('xlog("L_NOTICE", "notice\\n"); xlog("L_INFO", "info\\n"); xlog("L_DBG", "dbg\\n");')
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert [r.getMessage().removeprefix("<script>: ") for r in records] == printed


def test_a_format_is_expanded_only_when_its_level_is_printed(
        caplog: pytest.LogCaptureFixture) -> None:
    """As Kamailio's xlog: an L_DBG line under debug=1 does not read its PVs (a $fu that
    does not parse logs no error), a printed one does."""
    caplog.set_level(NOTICE, logger="siprouter.script")
    broken_from = message().raw.replace(b"From: ", b"From: <sip:bro ken", 1)
    run('xlog("L_DBG", "from $fu\\n"); xdbg("from $fu\\n"); xlog("L_DBG", "const\\n");',
        broken_from)
    assert caplog.records == []
    r = run('xlog("L_NOTICE", "from $fu\\n");', broken_from)
    assert [rec.getMessage() for rec in caplog.records] == [
        "$fu: malformed user part in URI", "<script>: from <null>"]
    assert r.ctx.last_retcode == 1


def test_xlog_with_a_variable_level_still_checks_it_per_call(
        script_log: pytest.LogCaptureFixture) -> None:
    script_log.set_level(NOTICE, logger="siprouter.script")
    run('$var(l) = "L_DBG"; xlog("$var(l)", "hidden\\n"); $var(l) = "L_ERR"; '
        'xlog("$var(l)", "shown\\n");')
    assert [r.getMessage() for r in script_log.records] == ["<script>: shown"]
