"""The cfg highlighter colours what a reader looks for; block comments span lines."""

from __future__ import annotations

from siprouter.tools.dbgtui.highlight import STYLES, highlight_line, highlight_lines, spans_of


def kinds(line: str, in_comment: bool = False) -> dict[str, str]:
    text, _ = highlight_line(line, in_comment)
    names = {str(v): k for k, v in STYLES.items()}
    return {sub: names[style] for sub, style in spans_of(text)}


def test_keywords_pvs_strings_functions_and_numbers() -> None:
    got = kinds('if ($rm=="OPTIONS") { sl_send_reply("200", "OK"); exit; }')
    assert got == {"if": "keyword", "$rm": "pv", '"OPTIONS"': "string",
                   "sl_send_reply": "function", '"200"': "string", '"OK"': "string",
                   "exit": "keyword"}


def test_pvs_with_inner_names_and_transformations() -> None:
    got = kinds("$var(x) = $(ru{uri.user}) + $hdr(From)[0];")
    assert got == {"$var(x)": "pv", "$(ru{uri.user})": "pv", "$hdr(From)[0]": "pv"}


def test_route_names_and_directives() -> None:
    assert kinds("route[RELAY] {") == {"route": "keyword", "RELAY": "route_name"}
    assert kinds("#!define WITH_AUTH 1") == {"#!define": "directive", "1": "number"}


def test_line_comments_and_strings_with_hashes() -> None:
    assert kinds('xlog("a # b"); # note') == {"xlog": "function", '"a # b"': "string",
                                              "# note": "comment"}


def test_block_comment_carries_over_lines() -> None:
    lines = highlight_lines(["x = 1; /* one", "two", "three */ exit;"])
    assert spans_of(lines[1]) == [("two", str(STYLES["comment"]))]
    assert ("three */", str(STYLES["comment"])) in spans_of(lines[2])
    assert ("exit", str(STYLES["keyword"])) in spans_of(lines[2])


def test_highlighting_keeps_the_text() -> None:
    line = '  if (is_method("INVITE")) { route(RELAY); } // c'
    assert highlight_line(line)[0].plain == line
