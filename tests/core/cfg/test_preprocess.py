"""The cfg preprocessor: what the lexer reads, and where every piece of it came from.

Each test states one behaviour as an operator sees it: the preprocessed text, the file:line:col
a token maps back to, and the diagnostics (code and place).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from siprouter.core.cfg.preprocess import (
    PreprocessResult,
    parse_cli_define,
    preprocess_file,
    preprocess_text,
)


def pp(text: str, defines: dict[str, str | None] | None = None, *, builtin: bool = True,
       env: Mapping[str, str] | None = None) -> PreprocessResult:
    return preprocess_text(text, "main.cfg", defines, builtin=builtin, env=env)


def lines(result: PreprocessResult) -> list[str]:
    return result.text.split("\n")


def where(result: PreprocessResult, needle: str, nth: int = 0) -> str:
    """file:line:col of the `nth` occurrence of `needle` in the output."""
    start = -1
    for _ in range(nth + 1):
        start = result.text.index(needle, start + 1)
    return str(result.source_map.span(start, start + len(needle)))


def codes(result: PreprocessResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def errors(result: PreprocessResult) -> list[str]:
    """Rendered diagnostics without hints: `file:line:col: CODE message`."""
    return [d.render().split("\n")[0] for d in result.diagnostics]


# --- directive lines -------------------------------------------------------------------------


def test_directive_lines_become_empty_lines_so_line_numbers_survive() -> None:
    r = pp("#!define A 1\nx = A;\n#!KAMAILIO\ny = 2;\n")
    assert lines(r) == ["", "x = 1;", "", "y = 2;", ""]
    assert where(r, "y") == "main.cfg:4:1"


def test_bang_bang_prefix_is_a_directive_like_hash_bang() -> None:
    r = pp("!!define A 1\n  !!ifdef A\nx = A;\n!!endif\n")
    assert lines(r) == ["", "", "x = 1;", "", ""]


def test_directive_may_be_indented() -> None:
    r = pp("route {\n    #!ifdef NOPE\n    drop;\n    #!endif\n}\n")
    assert "drop" not in r.text
    assert r.diagnostics == []


def test_hash_followed_by_other_text_is_a_comment_left_for_the_lexer() -> None:
    r = pp("# #!define A 1 (commented out)\n#!/usr/sbin/kamailio\nx = A;\n")
    assert r.text == "# #!define A 1 (commented out)\n#!/usr/sbin/kamailio\nx = A;\n"
    assert "A" not in r.defines


def test_directive_after_code_on_a_line_is_a_comment() -> None:
    r = pp("x = 1; #!define A 1\ny = A;\n")
    assert "A" not in r.defines
    assert lines(r)[1] == "y = A;"


def test_double_negation_at_line_start_is_not_a_directive() -> None:
    r = pp("if (a &&\n!!is_method(\"INVITE\")) { drop; }\n")
    assert r.text == "if (a &&\n!!is_method(\"INVITE\")) { drop; }\n"
    assert r.diagnostics == []


def test_directives_inside_block_comments_are_ignored() -> None:
    r = pp("/* start\n#!define A 1\n#!ifdef X\n*/\nx = A;\n")
    assert "A" not in r.defines
    assert lines(r)[4] == "x = A;"
    assert r.diagnostics == []


def test_block_comments_nest_like_kamailio() -> None:
    r = pp("/* outer /* inner */\n#!define A 1\n*/\nx = A;\n")
    assert "A" not in r.defines


def test_directive_looking_line_inside_a_multiline_string_is_text() -> None:
    r = pp('x = "first\n#!define A 1\nlast";\n')
    assert "A" not in r.defines
    assert "#!define A 1" in r.text


def test_mode_lines_set_the_mode() -> None:
    assert pp("#!KAMAILIO\n").mode == "KAMAILIO"
    assert pp("#!OPENSER\n").mode == "KAMAILIO"
    assert pp("#!SER\n").mode == "SER"
    assert pp("#!MAXCOMPAT\n").mode == "MAXCOMPAT"
    assert pp("#!ALL\n").mode == "MAXCOMPAT"
    assert pp("x = 1;\n").mode is None


def test_mode_line_may_use_the_double_slash_comment_form() -> None:
    r = pp("//!KAMAILIO\n//!define A 1\n")
    assert r.mode == "KAMAILIO"
    assert "A" not in r.defines


def test_unknown_directive_is_e104_at_the_directive() -> None:
    r = pp("x = 1;\n  #!include \"a.cfg\"\n")
    assert errors(r) == ["main.cfg:2:3: E104 unknown preprocessor directive #!include"]
    assert lines(r)[1] == ""


def test_directive_name_glued_to_text_is_malformed() -> None:
    r = pp("#!ifdef(A)\n")
    assert codes(r) == ["E104"]


# --- #!define and friends ---------------------------------------------------------------------


def test_define_with_value_replaces_the_identifier() -> None:
    r = pp("#!define PORT 5060\nlisten=udp:127.0.0.1:PORT\n")
    assert lines(r)[1] == "listen=udp:127.0.0.1:5060"
    assert r.defines["PORT"].value == "5060"


def test_def_is_an_alias_of_define() -> None:
    assert pp("#!def A 1\nA\n").text == "\n1\n"


def test_define_value_is_the_trimmed_rest_of_the_line() -> None:
    r = pp("#!define DBURL   \"mysql://kamailio:kamailiorw@localhost/kamailio\"   \n")
    assert r.defines["DBURL"].value == '"mysql://kamailio:kamailiorw@localhost/kamailio"'


def test_define_without_value_expands_to_nothing() -> None:
    r = pp("#!define WITH_X\na WITH_X b\n")
    assert r.defines["WITH_X"].value is None
    assert lines(r)[1] == "a  b"


def test_define_records_where_the_name_was_written() -> None:
    r = pp("\n  #!define FLT_ACC 1\n")
    assert str(r.defines["FLT_ACC"].span) == "main.cfg:2:12"


def test_only_whole_identifiers_are_replaced() -> None:
    r = pp("#!define A 1\nA xA A_ 0xA 1A A.b b.A (A)\n")
    assert lines(r)[1] == "1 xA A_ 0xA 1A 1.b b.1 (1)"


def test_define_names_in_strings_are_not_replaced() -> None:
    r = pp("#!define PORT 5060\nxlog(\"PORT is 'PORT'\"); $var(s) = 'PORT \"x\"';\n")
    assert lines(r)[1] == "xlog(\"PORT is 'PORT'\"); $var(s) = 'PORT \"x\"';"


def test_escaped_quote_does_not_end_a_string() -> None:
    r = pp('#!define A 1\nx = "a \\" A"; A\n')
    assert lines(r)[1] == 'x = "a \\" A"; 1'


def test_define_names_in_comments_are_not_replaced() -> None:
    r = pp("#!define A 1\nx # A\ny // A\n/* A */ A\n")
    assert lines(r)[1:4] == ["x # A", "y // A", "/* A */ 1"]


def test_define_names_in_pseudo_variables_are_not_replaced() -> None:
    r = pp("#!define FOO 1\n$var(FOO) = $avp(FOO) + $FOO + $(hdr(FOO)[0]{s.len}) + FOO;\n")
    assert lines(r)[1] == "$var(FOO) = $avp(FOO) + $FOO + $(hdr(FOO)[0]{s.len}) + 1;"


def test_deeply_nested_pseudo_variable_is_skipped_whole() -> None:
    r = pp("#!define A 1\n$(x(y(z(w(A))))) A\n")
    assert lines(r)[1] == "$(x(y(z(w(A))))) 1"


def test_select_names_are_not_replaced() -> None:
    r = pp("#!define user 1\nif (@ruri.user == user) {}\n")
    assert lines(r)[1] == "if (@ruri.user == 1) {}"


def test_define_after_a_string_spanning_a_directive_line_is_replaced() -> None:
    r = pp('#!define A 1\nx = "multi\n#!define B 2\nline"; A\n')
    assert lines(r)[3] == 'line"; 1'


def test_define_on_a_line_that_only_looks_like_a_statement_is_replaced() -> None:
    r = pp("#!define A 1\nx;\nloadmodule nope A\n")
    assert lines(r)[2] == "loadmodule nope 1"
    assert r.loaded_modules == []


def test_define_value_uses_the_defines_of_where_it_is_used() -> None:
    r = pp("#!define B A+A\n#!define A 1\nB\n#!redefine A 2\nB\n")
    assert lines(r)[2] == "1+1"
    assert lines(r)[4] == "2+2"


def test_define_values_are_expanded_recursively_but_not_inside_their_strings() -> None:
    r = pp('#!define HOST example.org\n#!define URI sip:HOST:5060 "HOST"\nURI\n')
    assert lines(r)[2] == 'sip:example.org:5060 "HOST"'


def test_self_referencing_define_is_left_unexpanded_with_e104() -> None:
    r = pp("#!define A A+1\nx = A;\n")
    assert lines(r)[1] == "x = A+1;"
    assert errors(r) == [
        "main.cfg:2:5: E104 #!define A expands into itself (A -> A); left unexpanded"
    ]


def test_mutually_recursive_defines_stop_and_report_once() -> None:
    r = pp("#!define A B\n#!define B A\nA A\n")
    assert lines(r)[2] == "A A"
    assert codes(r) == ["E104"]


def test_expansion_depth_is_limited_to_ten() -> None:
    chain = "".join(f"#!define D{i} D{i + 1}\n" for i in range(12)) + "#!define D12 end\n"
    r = pp(chain + "D0\n")
    assert codes(r) == ["E104"]
    assert "nests deeper than 10" in r.diagnostics[0].message


def test_multiline_define_from_the_3_1_release_notes() -> None:
    text = (
        "#!define IDLOOP $var(i) = 0; \\\n"
        "                while($var(i)<5) { \\\n"
        "                    xlog(\"++++ $var(i)\\n\"); \\\n"
        "                    $var(i) = $var(i) + 1; \\\n"
        "                }\n"
        "route {\n"
        "    IDLOOP\n"
        "}\n"
    )
    r = pp(text)
    value = r.defines["IDLOOP"].value
    assert value is not None
    assert value.startswith("$var(i) = 0;                 while($var(i)<5) {")
    assert value.endswith("$var(i) = $var(i) + 1;                 }")
    assert "\\\n" not in value
    # The consumed continuation lines are empty lines: `route` is still on line 6.
    assert lines(r)[:5] == ["", "", "", "", ""]
    assert where(r, "route") == "main.cfg:6:1"
    assert lines(r)[6] == "    " + value


def test_define_of_a_defined_name_is_e106() -> None:
    r = pp("#!define A 1\n#!define A 2\nA\n")
    assert errors(r) == ["main.cfg:2:10: E106 A is already defined at main.cfg:1:10"]
    assert lines(r)[2] == "1"


def test_trydef_defines_only_when_missing() -> None:
    r = pp("#!trydef A 1\n#!trydefine A 2\n#!trydef B 3\nA B\n")
    assert lines(r)[3] == "1 3"
    assert r.diagnostics == []


def test_redefine_replaces_the_value() -> None:
    r = pp("#!define A 1\n#!redefine A 2\nA\n#!redef A 3\nA\n#!redefine NEW 4\nNEW\n")
    assert [lines(r)[i] for i in (2, 4, 6)] == ["2", "3", "4"]
    assert r.diagnostics == []


def test_undef_and_tryundef_remove_a_define() -> None:
    r = pp("#!define A 1\n#!undef A\nA\n#!define B 2\n#!tryundef B\n#!tryundef NEVER\nB\n")
    assert lines(r)[2] == "A"
    assert lines(r)[6] == "B"
    assert "A" not in r.defines and "B" not in r.defines
    assert r.diagnostics == []


def test_define_without_a_name_is_e104() -> None:
    r = pp("#!define\n#!define 1abc\n")
    assert codes(r) == ["E104", "E104"]


def test_dash_right_after_a_define_name_is_e104() -> None:
    r = pp("#!define WITH-TLS\n#!define NEG -1\n")
    assert codes(r) == ["E104"]
    assert r.defines["NEG"].value == "-1"


def test_command_line_defines_exist_before_the_file() -> None:
    r = pp("#!ifdef WITH_MYSQL\nx = DBHOST;\n#!endif\n", {"WITH_MYSQL": None, "DBHOST": '"db"'})
    assert lines(r)[1] == 'x = "db";'
    assert r.defines["WITH_MYSQL"].span is None


def test_command_line_define_then_define_in_file_is_e106() -> None:
    r = pp("#!define WITH_MYSQL\n", {"WITH_MYSQL": None})
    assert codes(r) == ["E106"]
    assert "built-in or command line" in r.diagnostics[0].message


# --- -A parsing --------------------------------------------------------------------------------


def test_cli_define_name_only() -> None:
    assert parse_cli_define("WITH_NAT") == ("WITH_NAT", None)


def test_cli_define_with_number() -> None:
    assert parse_cli_define("FLT=1") == ("FLT", "1")


def test_cli_define_keeps_quotes_in_the_value() -> None:
    assert parse_cli_define('DBURL="mysql://u:p@h/db"') == ("DBURL", '"mysql://u:p@h/db"')


def test_cli_define_with_empty_value_has_no_value() -> None:
    assert parse_cli_define("X=") == ("X", None)


def test_cli_define_with_bad_name_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_cli_define("1X=2")
    with pytest.raises(ValueError):
        parse_cli_define("=2")


# --- #!ifdef ----------------------------------------------------------------------------------


def test_ifdef_keeps_text_when_defined() -> None:
    r = pp("#!define WITH_NAT\n#!ifdef WITH_NAT\nnat;\n#!endif\n")
    assert lines(r)[2] == "nat;"


def test_inactive_text_is_blanked_but_keeps_its_newlines() -> None:
    r = pp("#!ifdef WITH_NAT\nnat;\nmore;\n#!endif\nafter;\n")
    assert r.text == "\n\n\n\nafter;\n"
    assert where(r, "after") == "main.cfg:5:1"


def test_ifndef_is_the_opposite() -> None:
    r = pp("#!ifndef WITH_NAT\nno_nat;\n#!endif\n")
    assert lines(r)[1] == "no_nat;"


def test_else_switches_branch() -> None:
    r = pp("#!ifdef A\none;\n#!else\ntwo;\n#!endif\n")
    assert r.text == "\n\n\ntwo;\n\n"


def test_nested_ifdefs() -> None:
    text = (
        "#!define OUTER\n"
        "#!ifdef OUTER\n"
        "#!ifdef INNER\n"
        "inner;\n"
        "#!else\n"
        "outer_only;\n"
        "#!endif\n"
        "#!else\n"
        "#!ifndef INNER\n"
        "never;\n"
        "#!endif\n"
        "#!endif\n"
    )
    r = pp(text)
    assert [line for line in lines(r) if line] == ["outer_only;"]
    assert where(r, "outer_only") == "main.cfg:6:1"
    assert r.diagnostics == []


def test_inactive_branch_ignores_its_defines_and_includes() -> None:
    r = pp('#!ifdef NOPE\n#!define A 1\ninclude_file "missing.cfg"\n#!endif\n')
    assert "A" not in r.defines
    assert r.diagnostics == []


def test_inactive_branch_does_not_see_block_comments() -> None:
    # Kamailio skips an inactive branch looking only for #!else/#!endif: a comment there does
    # not hide them.
    r = pp("#!ifdef NOPE\n/*\n#!endif\nvisible;\n")
    assert "visible;" in r.text
    assert r.diagnostics == []


def test_ifdef_directives_inside_an_active_comment_do_not_count() -> None:
    r = pp("#!define A\n#!ifdef A\n/*\n#!endif\n*/\nkept;\n#!endif\n")
    assert "kept;" in r.text
    assert r.diagnostics == []


def test_endif_without_ifdef_is_e101_at_the_endif() -> None:
    r = pp("x;\n#!endif\n")
    assert errors(r) == ["main.cfg:2:1: E101 #!endif without #!ifdef or #!ifndef"]


def test_else_without_ifdef_is_e101_at_the_else() -> None:
    r = pp("  #!else\n")
    assert errors(r) == ["main.cfg:1:3: E101 #!else without #!ifdef or #!ifndef"]


def test_unclosed_ifdef_is_e101_at_the_ifdef_line() -> None:
    r = pp("x;\n#!ifdef WITH_X\ny;\n")
    assert errors(r) == ["main.cfg:2:1: E101 #!ifdef WITH_X opened here is never closed"]


def test_each_unclosed_ifdef_is_reported() -> None:
    r = pp("#!ifdef A\n#!ifndef B\n")
    assert errors(r) == [
        "main.cfg:1:1: E101 #!ifdef A opened here is never closed",
        "main.cfg:2:1: E101 #!ifndef B opened here is never closed",
    ]


def test_second_else_is_e101() -> None:
    r = pp("#!ifdef A\n#!else\n#!else\n#!endif\n")
    assert codes(r) == ["E101"]
    assert r.diagnostics[0].span.line == 3


def test_text_after_endif_is_e104_because_kamailio_ignores_that_line() -> None:
    r = pp("#!ifdef A\n#!endif // A\n")
    assert codes(r) == ["E104"]
    assert "comment" in r.diagnostics[0].message


def test_ifdef_without_name_is_e104_and_still_needs_its_endif() -> None:
    r = pp("#!ifdef\nx;\n#!endif\n")
    assert codes(r) == ["E104"]
    assert "x;" not in r.text


# --- #!subst and #!substdef --------------------------------------------------------------------


def test_subst_from_the_3_1_release_notes_rewrites_strings() -> None:
    r = pp('#!subst "/DBPASSWD/xyz/"\n'
           'modparam("acc", "db_url", "mysql://user:DBPASSWD@localhost/db")\n')
    assert lines(r)[1] == 'modparam("acc", "db_url", "mysql://user:xyz@localhost/db")'
    assert where(r, "modparam") == "main.cfg:2:1"


def test_subst_leaves_code_outside_strings_alone() -> None:
    r = pp('#!subst "/NAME/x/"\nNAME = "NAME";\n')
    assert lines(r)[1] == 'NAME = "x";'


def test_subst_applies_only_to_text_after_it() -> None:
    r = pp('"A"\n#!subst "/A/B/"\n"A"\n')
    assert lines(r)[0] == '"A"'
    assert lines(r)[2] == '"B"'


def test_subst_replaces_the_first_match_unless_g() -> None:
    r = pp('#!subst "/a/b/"\n"aaa"\n#!subst "/x/y/g"\n"xxx"\n')
    assert lines(r)[1] == '"baa"'
    assert lines(r)[3] == '"yyy"'


def test_subst_i_flag_ignores_case() -> None:
    assert lines(pp('#!subst "/host/h/i"\n"HOST"\n'))[1] == '"h"'


def test_subst_accepts_any_separator_and_back_references() -> None:
    r = pp('#!subst "|([a-z]+)@([a-z.]+)|\\2 \\1|"\n"bob@example.org"\n')
    assert lines(r)[1] == '"example.org bob"'


def test_subst_runs_on_pseudo_variable_text_like_kamailio() -> None:
    r = pp('#!subst "/TABLE/users/"\n$sht(TABLE=>k) = 1;\n')
    assert lines(r)[1] == "$sht(users=>k) = 1;"


def test_subst_sees_the_decoded_string_and_writes_a_valid_literal_back() -> None:
    r = pp(r'''#!subst "/X/say \"hi\"/"
$var(a) = "X\n"; $var(b) = 'X';
''')
    # The newline escape stays an escape, so the output keeps its lines.
    assert lines(r)[1] == r'''$var(a) = "say \"hi\"\n"; $var(b) = 'say "hi"';'''


def test_bad_subst_is_e104() -> None:
    r = pp('#!subst "/unclosed(/x/"\n#!subst "/a/b"\n#!subst noquotes\n#!subst "/a/b/q"\n')
    assert codes(r) == ["E104", "E104", "E104", "E104"]


def test_substdef_substitutes_and_defines() -> None:
    r = pp('#!substdef "!MY_DOMAIN!example.org!"\nalias = MY_DOMAIN;\n"sip:MY_DOMAIN"\n')
    assert r.defines["MY_DOMAIN"].value == "example.org"
    assert lines(r)[1] == "alias = example.org;"
    assert lines(r)[2] == '"sip:example.org"'


def test_substdefs_defines_a_quoted_string() -> None:
    r = pp('#!substdefs "/MY_IP/10.0.0.1/"\n$var(ip) = MY_IP;\n')
    assert r.defines["MY_IP"].value == '"10.0.0.1"'
    assert lines(r)[1] == '$var(ip) = "10.0.0.1";'


# --- #!defenv ---------------------------------------------------------------------------------


def test_defenv_defines_the_raw_environment_value() -> None:
    r = pp("#!defenv HOMEV=HOME\nx = HOMEV;\n", env={"HOME": "/root"})
    assert r.defines["HOMEV"].value == "/root"
    assert lines(r)[1] == "x = /root;"


def test_defenv_without_name_uses_the_variable_name() -> None:
    r = pp("#!defenv SIP_PORT\n", env={"SIP_PORT": "5080"})
    assert r.defines["SIP_PORT"].value == "5080"


def test_defenvs_quotes_the_value() -> None:
    r = pp("#!defenvs HOMEV=HOME\n$var(h) = HOMEV;\n", env={"HOME": "/root"})
    assert lines(r)[1] == '$var(h) = "/root";'


def test_defenv_of_a_missing_variable_is_e105() -> None:
    r = pp("\n#!defenv HOMEV=NOT_SET\n", env={})
    assert errors(r) == [
        "main.cfg:2:1: E105 #!defenv HOMEV=NOT_SET: environment variable NOT_SET is not set"
    ]
    assert "HOMEV" not in r.defines


def test_trydefenv_of_a_missing_variable_leaves_it_undefined_silently() -> None:
    r = pp("#!trydefenv A=NOT_SET\n#!trydefenvs B=NOT_SET\n#!ifndef A\nfallback;\n#!endif\n",
           env={})
    assert r.diagnostics == []
    assert "A" not in r.defines and "B" not in r.defines
    assert "fallback;" in r.text


def test_trydefenvs_of_a_set_variable_defines_a_quoted_value() -> None:
    r = pp("#!trydefenvs B=X\n", env={"X": "v"})
    assert r.defines["B"].value == '"v"'


def test_defenv_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIPROUTER_TEST_VAR", "42")
    assert pp("#!defenv V=SIPROUTER_TEST_VAR\n").defines["V"].value == "42"


def test_malformed_defenv_is_e104() -> None:
    r = pp("#!defenv\n#!defenv A=\n#!defenv A=B C\n", env={"B": "1"})
    assert codes(r) == ["E104", "E104", "E104"]


# --- built-in and module defines ------------------------------------------------------------------


def test_builtin_defines() -> None:
    r = pp("#!ifdef KAMAILIO_5\n#!ifdef KAMAILIO_5_6\n#!ifdef SIPROUTER\nyes;\n"
           "#!endif\n#!endif\n#!endif\n")
    assert "yes;" in r.text


def test_builtin_false_leaves_the_table_empty() -> None:
    r = pp('loadmodule "tm.so"\n#!ifdef KAMAILIO_5\nno;\n#!endif\n', builtin=False)
    assert r.defines == {}
    assert "no;" not in r.text
    assert r.loaded_modules == ["tm"]


def test_loadmodule_defines_mod_name_from_that_point_on() -> None:
    text = (
        "#!ifdef MOD_tm\nbefore;\n#!endif\n"
        'loadmodule "tm.so"\n'
        'loadmodule "/usr/lib/x86_64-linux-gnu/kamailio/modules/sl.so"\n'
        "loadmodule 'rr'\n"
        'loadmodulex "xlog.so"\n'
        "#!ifdef MOD_tm\nafter;\n#!endif\n"
    )
    r = pp(text)
    assert "before;" not in r.text
    assert "after;" in r.text
    assert r.loaded_modules == ["tm", "sl", "rr", "xlog"]
    assert {"MOD_tm", "MOD_sl", "MOD_rr", "MOD_xlog"} <= r.defines.keys()
    assert r.defines["MOD_tm"].value is None
    assert str(r.defines["MOD_tm"].span) == "main.cfg:4:12"


def test_loadmodule_in_an_inactive_branch_or_comment_does_not_count() -> None:
    r = pp('#!ifdef NOPE\nloadmodule "tm.so"\n#!endif\n# loadmodule "sl.so"\n'
           '/*\nloadmodule "rr.so"\n*/\n')
    assert r.loaded_modules == []
    assert "MOD_tm" not in r.defines


# --- includes ---------------------------------------------------------------------------------


def test_include_file_inserts_the_file_relative_to_the_includer(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "part.cfg").write_text("#!define FROM_PART 7\nin_part = 1;\n")
    main = tmp_path / "main.cfg"
    main.write_text('before;\ninclude_file "sub/part.cfg"\nafter = FROM_PART;\n')
    r = preprocess_file(str(main))
    assert r.diagnostics == []
    assert r.text == "before;\n\nin_part = 1;\n\nafter = 7;\n"
    assert r.files == [str(main), str(tmp_path / "sub" / "part.cfg")]


def test_spans_inside_an_include_name_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "part.cfg").write_text("\n\n   inside;\n")
    main = tmp_path / "main.cfg"
    main.write_text('a;\n#!include_file "part.cfg"\nafter;\n')
    r = preprocess_file(str(main))
    assert where(r, "inside") == f"{tmp_path / 'part.cfg'}:3:4"
    assert where(r, "after") == f"{main}:3:1"
    assert where(r, "a;") == f"{main}:1:1"


def test_include_forms_with_prefixes(tmp_path: Path) -> None:
    (tmp_path / "p.cfg").write_text("p;\n")
    main = tmp_path / "main.cfg"
    main.write_text('#!include_file "p.cfg"\n!!include_file "p.cfg"\nimport_file "p.cfg"\n'
                    '#!import_file "p.cfg"\n')
    r = preprocess_file(str(main))
    assert r.text.count("p;") == 4
    assert r.files == [str(main), str(tmp_path / "p.cfg")]


def test_include_falls_back_to_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cwd" / "local.cfg").write_text("local;\n")
    main = tmp_path / "cfg" / "main.cfg"
    main.write_text('include_file "local.cfg"\n')
    monkeypatch.chdir(tmp_path / "cwd")
    r = preprocess_file(str(main))
    assert r.diagnostics == []
    assert "local;" in r.text
    assert r.files[1] == "local.cfg"


def test_defines_are_shared_across_includes(tmp_path: Path) -> None:
    (tmp_path / "defs.cfg").write_text("#!define WITH_NAT\n")
    (tmp_path / "uses.cfg").write_text("#!ifdef WITH_NAT\nnat;\n#!endif\n")
    main = tmp_path / "main.cfg"
    main.write_text('include_file "defs.cfg"\ninclude_file "uses.cfg"\n')
    assert "nat;" in preprocess_file(str(main)).text


def test_missing_include_is_e102_at_the_path(tmp_path: Path) -> None:
    main = tmp_path / "main.cfg"
    main.write_text('x;\n  include_file "nope.cfg"\ny;\n')
    r = preprocess_file(str(main))
    assert codes(r) == ["E102"]
    span = r.diagnostics[0].span
    assert (span.file, span.line, span.column) == (str(main), 2, 16)
    assert "y;" in r.text


def test_missing_import_file_is_silently_nothing(tmp_path: Path) -> None:
    main = tmp_path / "main.cfg"
    main.write_text('import_file "local-overrides.cfg"\nx;\n')
    r = preprocess_file(str(main))
    assert r.diagnostics == []
    assert r.text == "\nx;\n"


def test_include_cycle_is_e103_naming_the_chain(tmp_path: Path) -> None:
    (tmp_path / "a.cfg").write_text('include_file "b.cfg"\n')
    (tmp_path / "b.cfg").write_text('include_file "a.cfg"\n')
    main = tmp_path / "a.cfg"
    r = preprocess_file(str(main))
    assert codes(r) == ["E103"]
    a, b = str(tmp_path / "a.cfg"), str(tmp_path / "b.cfg")
    assert r.diagnostics[0].message == f"include cycle: {a} -> {b} -> {a}"
    assert r.diagnostics[0].span.file == b


def test_include_depth_is_limited_to_ten(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"{i}.cfg").write_text(f'level{i};\ninclude_file "{i + 1}.cfg"\n')
    (tmp_path / "12.cfg").write_text("level12;\n")
    r = preprocess_file(str(tmp_path / "0.cfg"))
    assert codes(r) == ["E103"]
    assert "depth limit of 10" in r.diagnostics[0].message
    assert "level10;" in r.text and "level11;" not in r.text


def test_ifdef_balance_is_checked_per_file(tmp_path: Path) -> None:
    (tmp_path / "open.cfg").write_text("#!ifdef A\n")
    main = tmp_path / "main.cfg"
    main.write_text('include_file "open.cfg"\n#!endif\n')
    r = preprocess_file(str(main))
    assert errors(r) == [
        f"{tmp_path / 'open.cfg'}:1:1: E101 #!ifdef A opened here is never closed",
        f"{main}:2:1: E101 #!endif without #!ifdef or #!ifndef",
    ]


def test_include_path_goes_through_subst(tmp_path: Path) -> None:
    (tmp_path / "real.cfg").write_text("real;\n")
    main = tmp_path / "main.cfg"
    main.write_text('#!subst "/NAME/real/"\ninclude_file "NAME.cfg"\n')
    assert "real;" in preprocess_file(str(main)).text


def test_include_without_quoted_path_is_e104() -> None:
    r = pp("include_file part.cfg\n")
    assert codes(r) == ["E104"]


def test_unreadable_main_file_is_e102_not_an_exception(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.cfg")
    r = preprocess_file(missing)
    assert codes(r) == ["E102"]
    assert str(r.diagnostics[0].span) == f"{missing}:1:1"
    assert r.text == ""
    assert r.files == [missing]


def test_byte_order_mark_is_not_part_of_line_one(tmp_path: Path) -> None:
    main = tmp_path / "main.cfg"
    main.write_bytes("\ufeff#!KAMAILIO\nx;\n".encode())
    r = preprocess_file(str(main))
    assert r.mode == "KAMAILIO"
    assert r.text == "\nx;\n"


# --- source map -------------------------------------------------------------------------------


def test_span_of_an_expansion_is_the_use_site() -> None:
    r = pp("#!define DBURL \"mysql://db\"\nmodparam(\"x\", \"db_url\", DBURL);\n")
    start = r.text.index('"mysql')
    span = r.source_map.span(start, start + len('"mysql://db"'))
    assert (span.line, span.column, span.end_column, span.expanded_from) == (2, 25, 30, "DBURL")


def test_text_after_an_expansion_maps_to_its_real_column() -> None:
    r = pp("#!define LONG_NAME_FOR_ONE 1\nx = LONG_NAME_FOR_ONE + y; z\n")
    assert lines(r)[1] == "x = 1 + y; z"
    assert where(r, "y") == "main.cfg:2:25"
    assert where(r, "z") == "main.cfg:2:28"
    span = r.source_map.span(r.text.index("y"), r.text.index("y") + 1)
    assert span.expanded_from is None


def test_text_after_a_substituted_string_maps_to_its_real_column() -> None:
    r = pp('#!subst "/LONGWORD/x/"\n$a = "LONGWORD"; b;\n')
    assert lines(r)[1] == '$a = "x"; b;'
    assert where(r, "b;") == "main.cfg:2:18"


def test_every_output_line_maps_to_its_source_line_in_a_plain_file() -> None:
    text = "\n".join(f"line{i} = {i};" for i in range(1, 50)) + "\n"
    r = pp("#!define UNUSED 1\n" + text)
    for i in range(1, 50):
        assert where(r, f"line{i} ") == f"main.cfg:{i + 1}:1"


def test_crlf_line_endings_are_normalised() -> None:
    r = pp("#!define A 1\r\nx = A;\r\n")
    assert r.text == "\nx = 1;\n"


# --- performance ------------------------------------------------------------------------------


def test_ten_thousand_lines_of_a_real_looking_config_preprocess_cleanly() -> None:
    block = (
        "#!ifdef WITH_NAT\n"
        "route[NATDETECT] {\n"
        "    force_rport();\n"
        "    if (nat_uac_test(\"19\")) {\n"
        "        if (is_method(\"REGISTER\")) { fix_nated_register(); }\n"
        "        setflag(FLT_NATS);  # mark it\n"
        "    }\n"
        "}\n"
        "#!endif\n"
        "route[RELAY] {\n"
        "    if (is_method(\"INVITE|BYE\")) { t_on_branch(\"MANAGE_BRANCH\"); }\n"
        "    $var(x) = $(hdr(Via)[0]{s.len}) + FLT_ACC;\n"
        "    xlog(\"L_INFO\", \"relaying $rm from $fu to $ru\\n\");\n"
        "    /* a block comment */ if (!t_relay()) { sl_reply_error(); }\n"
        "    exit;\n"
        "}\n"
        "modparam(\"usrloc\", \"db_url\", DBURL)\n"
        "loadmodule \"tm.so\"\n"
        "# comment line with FLT_ACC and \"quotes\"\n"
        "\n"
    )
    text = ("#!define FLT_ACC 1\n#!define FLT_NATS 5\n#!define WITH_NAT\n"
            '#!define DBURL "mysql://kamailio:kamailiorw@localhost/kamailio"\n'
            + block * 500)
    assert text.count("\n") > 10_000
    assert preprocess_text(text, "big.cfg").diagnostics == []


def test_unreadable_include_is_e102(tmp_path: Path) -> None:
    # A directory cannot be read as a file, even by root (chmod 0 would not stop root).
    (tmp_path / "secret.cfg").mkdir()
    main = tmp_path / "main.cfg"
    main.write_text('include_file "secret.cfg"\n')
    assert codes(preprocess_file(str(main))) == ["E102"]
