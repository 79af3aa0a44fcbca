"""The corpus of bad configs: each snippet must produce exactly these diagnostics (code, line, col).

One run of the front-end must report every problem in a file, at the place the operator has to
look. Snippets are whole configs so they exercise preprocess -> parse -> check together.
"""

from __future__ import annotations

import pytest

from siprouter.core.cfg.frontend import analyze_text

SL = 'loadmodule "sl.so"\nloadmodule "pv.so"\nloadmodule "xlog.so"\n'
TM = SL + 'loadmodule "tm.so"\n'

# name, config text, expected [(code, line, column)] in report order
CORPUS: list[tuple[str, str, list[tuple[str, int, int]]]] = [
    # --- syntax and preprocessor ----------------------------------------------------------------
    ("missing_semicolon", 'request_route {\n  exit\n  drop;\n}\n', [("E121", 2, 7)]),
    ("missing_semicolon_after_call", SL + 'request_route {\n  xlog("a")\n  exit;\n}\n',
     [("E121", 5, 12)]),
    ("not_match_operator", SL + 'request_route {\n  if ($rU !~ "^1") exit;\n}\n', [("E123", 5, 11)]),
    ("percent_operator", SL + "request_route {\n  $var(x) = 7 % 3;\n}\n", [("E123", 5, 15)]),
    ("colon_assign", SL + "request_route {\n  $var(x) := 1;\n}\n", [("E123", 5, 11)]),
    ("plus_assign", SL + "request_route {\n  $var(x) += 1;\n}\n", [("E123", 5, 11)]),
    ("unclosed_block_at_eof", "request_route {\n  exit;\n", [("E122", 1, 15)]),
    ("unclosed_block_before_next_route", "request_route {\n  if (1) {\n    exit;\n}\n"
     "route[X] {\n  exit;\n}\n", [("E122", 1, 15)]),
    ("unclosed_if_block_names_inner_block", "request_route {\n  while (1) {\n    exit;\n  \n",
     [("E122", 1, 15), ("E122", 2, 13)]),
    ("unclosed_string", 'request_route {\n  xlog("abc);\n}\n', [("E110", 2, 8)]),
    ("unclosed_block_comment", "debug=2\n/* never\nclosed\n", [("E110", 2, 1)]),
    ("endif_without_ifdef", "debug=2\n#!endif\n", [("E101", 2, 1)]),
    ("ifdef_never_closed", "#!ifdef WITH_X\ndebug=2\n", [("E101", 1, 1)]),
    ("else_without_ifdef", "#!else\n", [("E101", 1, 1)]),
    ("include_missing", 'include_file "does-not-exist.cfg"\n', [("E102", 1, 14)]),
    ("unknown_directive", "#!frobnicate X\n", [("E104", 1, 1)]),
    ("define_without_name", "#!define\n", [("E104", 1, 1)]),
    ("define_twice", "#!define X 1\n#!define X 2\n", [("E106", 2, 10)]),
    ("break_outside_loop", "request_route {\n  break;\n}\n", [("E126", 2, 3)]),
    ("else_without_if", "request_route {\n  else exit;\n}\n", [("E120", 2, 3)]),
    ("assign_to_word", "request_route {\n  x = 1;\n}\n", [("E120", 2, 3)]),
    ("route_name_not_closed", "route[RELAY {\n  exit;\n}\n", [("E124", 1, 6)]),
    ("top_level_garbage", "debug=2\nfoo bar\n", [("E120", 2, 1)]),
    ("param_without_value", "debug=\nfork=no\n", [("E125", 1, 6)]),
    ("call_never_closed", SL + 'request_route {\n  xlog("a";\n}\n', [("E122", 5, 7)]),
    ("dollar_without_name", "request_route {\n  $ = 1;\n}\n", [("E112", 2, 3)]),
    ("pv_paren_never_closed", "request_route {\n  $(ru = 1;\n}\n", [("E112", 2, 3)]),
    ("bad_character", "request_route {\n  exit; `\n}\n", [("E111", 2, 9)]),
    ("lexical_error_does_not_hide_later_ones", 'request_route {\n  xlog("a);\n}\nfoo bar\n',
     [("E110", 2, 8), ("E120", 4, 1)]),
    ("case_outside_switch", "request_route {\n  case 1: exit;\n}\n", [("E120", 2, 3)]),
    ("if_without_parens", "request_route {\n  if $rU exit;\n}\n", [("E120", 2, 6)]),
    ("two_errors_in_one_run", "request_route {\n  exit\n  $var(x) := 2;\n}\n",
     [("E121", 2, 7), ("E123", 3, 11)]),
    # --- semantic -----------------------------------------------------------------------------
    ("unknown_module", 'loadmodule "nosuchmod.so"\n', [("E201", 1, 1)]),
    ("module_loaded_twice", 'loadmodule "sl.so"\nloadmodule "sl.so"\n', [("E202", 2, 1)]),
    ("modparam_before_loadmodule", 'modparam("tm", "fr_timer", 1)\nloadmodule "tm.so"\n',
     [("E203", 1, 10)]),
    ("unknown_modparam", TM + 'modparam("tm", "fr_timerr", 1)\n', [("E204", 5, 16)]),
    ("modparam_wrong_type", TM + 'modparam("tm", "fr_timer", "soon")\n', [("E205", 5, 28)]),
    ("unknown_function", SL + "request_route {\n  no_such_function();\n}\n", [("E206", 5, 3)]),
    ("wrong_argument_count", SL + 'request_route {\n  sl_send_reply("404");\n}\n',
     [("E207", 5, 3)]),
    ("function_not_allowed_in_route", TM + 'loadmodule "rr.so"\nonreply_route[R] {\n'
     "  record_route();\n}\nrequest_route {\n  t_on_reply(\"R\");\n}\n", [("E208", 7, 3)]),
    ("function_not_allowed_in_caller_route_kind", TM + 'loadmodule "rr.so"\n'
     "route[N] {\n  record_route();\n}\nonreply_route[R] {\n  route(N);\n}\n"
     'request_route {\n  t_on_reply("R");\n  route(N);\n}\n', [("W209", 7, 3)]),
    ("route_call_undefined", "request_route {\n  route(NOPE);\n}\n", [("E209", 2, 9)]),
    ("t_on_failure_undefined", TM + 'request_route {\n  t_on_failure("MISSING");\n}\n',
     [("E210", 6, 16)]),
    ("t_on_failure_wrong_kind", TM + 'request_route {\n  t_on_failure("X");\n}\n'
     "route[X] {\n  exit;\n}\n", [("E210", 6, 16), ("W201", 8, 7)]),
    ("unknown_pv_class", SL + "request_route {\n  $var(x) = $nosuchpv;\n}\n", [("E211", 5, 13)]),
    ("unknown_transformation", SL + "request_route {\n  $var(x) = $(ru{s.nosuch});\n}\n",
     [("E212", 5, 13)]),
    ("read_only_pv", SL + "request_route {\n  $si = \"1.2.3.4\";\n}\n", [("E213", 5, 3)]),
    ("route_defined_twice", "request_route {\n  route(A);\n}\nroute[A] {\n  exit;\n}\n"
     "route[A] {\n  drop;\n}\n", [("E214", 7, 1)]),
    ("unknown_core_param", "debgu=3\n", [("E215", 1, 1)]),
    ("not_binds_tighter_type_error", SL + 'request_route {\n  if (not $rU == "c") exit;\n}\n',
     [("E216", 5, 7)]),
    ("string_in_arithmetic", SL + 'request_route {\n  $var(x) = 1 - "a";\n}\n',
     [("E216", 5, 13)]),
    # --- warnings -----------------------------------------------------------------------------
    ("unreachable_route", "request_route {\n  exit;\n}\nroute[UNUSED] {\n  exit;\n}\n",
     [("W201", 4, 7)]),
    ("not_equal_precedence_trap", SL + "request_route {\n  if (!$var(a) == 1) exit;\n}\n",
     [("W202", 5, 7)]),
    ("return_zero", "request_route {\n  route(A);\n}\nroute[A] {\n  return 0;\n}\n",
     [("W203", 5, 3)]),
    ("unreachable_after_exit", SL + 'request_route {\n  exit;\n  xlog("never");\n}\n',
     [("W204", 6, 3)]),
    ("ru_in_xhttp", SL + 'loadmodule "xhttp.so"\ntcp_accept_no_cl=yes\n'
     'event_route[xhttp:request] {\n  xlog("$ru");\n  $var(u) = $ru;\n}\n',
     [("W205", 7, 9), ("W205", 8, 13)]),
    ("unknown_pv_in_xlog_format", SL + 'request_route {\n'
     '  xlog("L_INFO", "reply $T_reply_code\\n");\n}\n', [("E211", 5, 25)]),
    ("debugger_not_first", SL + 'loadmodule "debugger.so"\n', [("W206", 4, 1)]),
    ("xhttp_without_tcp_accept_no_cl", SL + 'loadmodule "xhttp.so"\n', [("W207", 4, 1)]),
]


@pytest.mark.parametrize(("name", "text", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_snippet_reports_exactly(name, text, expected):
    analysis = analyze_text(text, f"{name}.cfg")
    got = [(d.code, d.span.line, d.span.column) for d in analysis.diagnostics]
    assert got == expected, "\n".join(d.render() for d in analysis.diagnostics)


def test_corpus_is_large_enough_and_covers_every_rule():
    from siprouter.core.cfg.diagnostics import RULES

    assert len(CORPUS) >= 40
    covered = {code for _, _, exp in CORPUS for code, _, _ in exp}
    # E103 (include cycle) and E105 (defenv) need files/env: test_preprocess covers them.
    assert set(RULES) - covered <= {"E103", "E105"}


def test_t_on_branch_failure_may_arm_the_5x_event_route():
    text = ('loadmodule "tm.so"\nrequest_route {\n  t_on_branch_failure("BF");\n  t_relay();\n}\n'
            "event_route[tm:branch-failure:BF] {\n  exit;\n}\n")
    assert [d.code for d in analyze_text(text, "bf.cfg").diagnostics] == []
