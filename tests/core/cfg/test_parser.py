"""The parser turns Kamailio cfg text into the AST the tools share (reference section 1)."""

from __future__ import annotations

import pytest

from siprouter.core.cfg import ast
from siprouter.core.cfg.parser import parse_text


def parse_ok(text: str) -> ast.Config:
    config, diags = parse_text(text, "t.cfg")
    assert [d.render() for d in diags] == []
    return config


def route_body(text: str) -> tuple[ast.Stmt, ...]:
    config = parse_ok("request_route {\n" + text + "\n}\n")
    return config.routes[0].body.body


def cond_of(expr_text: str) -> ast.Expr:
    stmt = route_body(f"if ({expr_text}) exit;")[0]
    assert isinstance(stmt, ast.IfStmt)
    return stmt.cond


def shape(e: ast.Expr) -> str:
    """A compact, parenthesised rendering of an expression tree."""
    if isinstance(e, ast.BinOp):
        return f"({shape(e.left)} {e.op} {shape(e.right)})"
    if isinstance(e, ast.UnOp):
        return f"({e.op} {shape(e.operand)})"
    if isinstance(e, ast.Cast):
        return f"(({e.to}) {shape(e.operand)})"
    if isinstance(e, ast.IntLit):
        return str(e.value)
    if isinstance(e, ast.StrLit):
        return repr(e.value)
    if isinstance(e, ast.PVar):
        return e.text
    if isinstance(e, ast.Ident):
        return e.name
    if isinstance(e, ast.NetLit):
        return e.text
    if isinstance(e, ast.Call):
        return f"{e.name}({', '.join(shape(a) for a in e.args)})"
    return type(e).__name__


def test_global_params_keep_typed_and_raw_values():
    config = parse_ok('debug=2\nfork=yes\nlisten=udp:127.0.0.1:5060\nalias="example.com"\n'
                      "log_facility=LOG_LOCAL0\n")
    params = {p.name: p for p in config.params}
    assert params["debug"].value == 2
    assert params["fork"].value == 1
    assert params["listen"].raw == "udp:127.0.0.1:5060"
    assert params["alias"].value == "example.com"
    assert params["log_facility"].raw == "LOG_LOCAL0"


def test_global_param_value_ends_at_end_of_line():
    config = parse_ok("listen=tls:10.0.0.1:5061 advertise 1.2.3.4:5061\nport=5060\n")
    assert [p.raw for p in config.params] == ["tls:10.0.0.1:5061 advertise 1.2.3.4:5061", "5060"]


def test_custom_cfg_variable_with_dotted_name():
    config = parse_ok('pstn.gw_ip = "1.2.3.4" desc "PSTN GW Address"\n')
    assert config.params[0].name == "pstn.gw_ip"


def test_loadmodule_modparam_and_module_list():
    config = parse_ok('loadpath "/usr/lib/kamailio/modules/"\nloadmodule "tm.so"\n'
                      'loadmodule "sl"\nmodparam("tm", "fr_timer", 30000)\n'
                      'modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")\n')
    assert [m.module for m in config.modules] == ["tm", "sl"]
    mp = config.modparams
    assert (mp[0].module, mp[0].param, shape(mp[0].value)) == ("tm", "fr_timer", "30000")
    assert mp[1].module == "nathelper|registrar"


def test_modparam_with_a_leading_zero_is_octal_as_in_kamailio():
    config = parse_ok('loadmodule "ctl"\nmodparam("ctl", "mode", 0660)\n')
    assert shape(config.modparams[0].value) == str(0o660)


def test_modparam_adjacent_strings_concatenate():
    config = parse_ok('modparam("acc", "log_extra",\n\t"src_user=$fU;"\n\t"dst_user=$rU")\n')
    assert config.modparams[0].value == ast.StrLit(config.modparams[0].value.span,
                                                   "src_user=$fU;dst_user=$rU")


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("route", "request_route"),
        ("route[0]", "request_route"),
        ("request_route", "request_route"),
        ("route[RELAY]", "route:RELAY"),
        ('route["RELAY"]', "route:RELAY"),
        ("route[12]", "route:12"),
        ("failure_route[MANAGE_FAILURE]", "failure_route:MANAGE_FAILURE"),
        ("branch_route[B]", "branch_route:B"),
        ("onreply_route[R]", "onreply_route:R"),
        ("onreply_route", "reply_route"),
        ("reply_route", "reply_route"),
        ("onsend_route", "onsend_route"),
        ("event_route[xhttp:request]", "event_route:xhttp:request"),
        ("event_route[tm:branch-failure:x]", "event_route:tm:branch-failure:x"),
        ("branch_failure_route[BF]", "branch_failure_route:BF"),
    ],
)
def test_route_block_kinds_and_names(header, key):
    config = parse_ok(header + " {\n}\n")
    assert config.routes[0].key == key


def test_if_else_if_chain():
    (stmt,) = route_body('if (is_method("INVITE")) { exit; } else if ($rU == "a") drop; '
                         "else { return; }")
    assert isinstance(stmt, ast.IfStmt)
    assert isinstance(stmt.orelse, ast.IfStmt)
    assert isinstance(stmt.orelse.then, ast.DropStmt)
    assert isinstance(stmt.orelse.orelse, ast.Block)


def test_switch_with_int_string_regex_and_default_cases():
    (stmt,) = route_body('switch ($rU) {\n case 1: xlog("one"); case "two":\n case /"^t.*":\n'
                         '  xlog("t"); break;\n default:\n  exit;\n}')
    assert isinstance(stmt, ast.SwitchStmt)
    labels = [(shape(c.value) if c.value else "default", c.regex, len(c.body)) for c in stmt.cases]
    assert labels == [("1", False, 1), ("'two'", False, 0), ("'^t.*'", True, 2),
                      ("default", False, 1)]


def test_while_with_break_and_assignment():
    (stmt,) = route_body("while ($var(i) < 5) { $var(i) = $var(i) + 1; if ($var(i) == 3) break; }")
    assert isinstance(stmt, ast.WhileStmt)
    assert shape(stmt.cond) == "($var(i) < 5)"


def test_return_forms():
    stmts = route_body("return;\nreturn 1;\nreturn(-1);\nreturn $var(x);")
    assert [shape(s.value) if s.value else None for s in stmts] == [None, "1", "-1", "$var(x)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$a || $b && $c", "($a || ($b && $c))"),
        ("$a or $b and not $c", "($a || ($b && (! $c)))"),
        ("not $rU == \"c\"", "((! $rU) == 'c')"),
        ("$a == 1 | 2", "(($a == 1) | 2)"),
        ("$a + 2 * 3 mod 4", "($a + ((2 * 3) mod 4))"),
        ("$a - $b - $c", "(($a - $b) - $c)"),
        ("$a < $b == 1", "(($a < $b) == 1)"),
        ("$a & 4 ^ 1 << 2 >> 1", "($a & (4 ^ (1 << (2 >> 1))))"),
        ("-$a + ~$b", "((- $a) + (~ $b))"),
        ("defined $avp(x) && strlen($ru) > 3", "((defined $avp(x)) && ((strlen $ru) > 3))"),
        ("strempty($rU)", "(strempty $rU)"),
        ("(int)$var(s) + 1", "(((int) $var(s)) + 1)"),
        ("$x eq \"a\" && $y ieq 1 || $z ne $w", "((($x eq 'a') && ($y ieq 1)) || ($z ne $w))"),
        ("$ru =~ \"^sip:\"", "($ru =~ '^sip:')"),
        ("method == \"INVITE\" && uri == myself", "((method == 'INVITE') && (uri == myself))"),
        ("src_ip == 10.0.0.0/8", "(src_ip == 10.0.0.0/8)"),
        ("af == INET && proto == UDP", "((af == INET) && (proto == UDP))"),
        ("msg:len > 4096", "(msg:len > 4096)"),
        ("!t_check_trans()", "(! t_check_trans())"),
        ("$(hdr(Via)[0]{s.len}) > 1", "($(hdr(Via)[0]{s.len}) > 1)"),
        ("@from.uri == \"x\"", "(Select == 'x')"),
        ("0x1F == 31", "(31 == 31)"),
        ("0660 == 432", "(432 == 432)"),
        ("0 == 0", "(0 == 0)"),
    ],
)
def test_operator_precedence(text, expected):
    assert shape(cond_of(text)) == expected


def test_function_arguments_are_expressions():
    (stmt,) = route_body('f($a, "b = " + $b, 7 * 6);')
    assert isinstance(stmt, ast.CallStmt)
    assert [shape(a) for a in stmt.call.args] == ["$a", "('b = ' + $b)", "(7 * 6)"]


def test_address_arguments():
    stmts = route_body("force_send_socket(udp:1.2.3.4:5060);\nforward(uri:host, uri:port);\n"
                       "forward(sip.example.com, 5060);")
    assert [[shape(a) for a in s.call.args] for s in stmts] == [
        ["udp:1.2.3.4:5060"], ["uri:host", "uri:port"], ["sip.example.com", "5060"]]


def test_paren_less_core_call():
    (stmt,) = route_body("force_rport;")
    assert isinstance(stmt, ast.CallStmt) and stmt.call.parens is False


def test_route_call_with_bare_quoted_and_dynamic_names():
    stmts = route_body('route(RELAY);\nroute("AUTH");\nroute("test" + $var(i));')
    assert [shape(s.call.args[0]) for s in stmts] == ["RELAY", "'AUTH'", "('test' + $var(i))"]


def test_pseudo_variable_forms():
    stmts = route_body("$avp(s:x) = 1;\n$(avp(x)[*]) = $null;\n$xavp(a=>b) = \"v\";\n"
                       "$(ru{uri.user}{s.tolower}) = 1;\n$sht(t=>$var(k)) = 2;")
    assert [s.target.text for s in stmts] == ["$avp(s:x)", "$(avp(x)[*])", "$xavp(a=>b)",
                                              "$(ru{uri.user}{s.tolower})", "$sht(t=>$var(k))"]


def test_every_node_has_a_span_with_file_line_and_column():
    config = parse_ok('request_route {\n    xlog("L_INFO", "x");\n}\n')
    call = config.routes[0].body.body[0].call
    assert (call.span.file, call.span.line, call.span.column) == ("t.cfg", 2, 5)
    assert (call.name_span.end_line, call.name_span.end_column) == (2, 9)


def test_comments_of_all_three_kinds_are_ignored():
    config = parse_ok("# hash\n// slashes\n/* block\n spanning */ debug=3 # trailing\n")
    assert config.params[0].value == 3


def test_block_comments_nest_as_in_kamailio():
    config = parse_ok("/* outer /* inner */ still comment */\ndebug=4\n")
    assert config.params[0].value == 4


def test_dollar_question_mark_is_the_return_code_pv():
    (stmt,) = route_body("if ($? == 1) exit;")
    assert shape(stmt.cond) == "($? == 1)"
