"""Several FILEs, included files and #!define expansions: findings name the place written."""

from __future__ import annotations

import json

MAIN = 'request_route {\n    route(ONE);\n    exit;\n}\ninclude_file "part.cfg"\n'
PART = "route[ONE] {\n    return 0;\n}\n"
DEFINE = "#!define TARGET MISSING\nrequest_route {\n    route(TARGET);\n    exit;\n}\n"


def test_finding_in_an_included_file_shows_that_files_line(cfglint, cfg):
    cfg("part.cfg", PART)
    lines = cfglint(cfg("main.cfg", MAIN)).stdout.splitlines()
    assert lines[:3] == [
        "part.cfg:2:5: W203 'return 0' stops the whole script, like exit",
        "2 |     return 0;",
        "  |     ^^^^^^^^^",
    ]


def test_a_file_linted_and_included_reports_each_finding_once(cfglint, cfg):
    cfg("part.cfg", PART)
    result = cfglint("--format", "json", "--select", "W203", cfg("main.cfg", MAIN), "part.cfg")
    assert [(f["file"], f["code"]) for f in json.loads(result.stdout)] == [("part.cfg", "W203")]


def test_text_names_the_define_whose_expansion_is_at_fault(cfglint, cfg):
    first = cfglint(cfg("def.cfg", DEFINE)).stdout.splitlines()[0]
    assert first.endswith("(in the expansion of TARGET)")


def test_json_gives_the_define_in_its_own_field(cfglint, cfg):
    (finding,) = json.loads(cfglint("--format", "json", cfg("def.cfg", DEFINE)).stdout)
    assert (finding["line"], finding["column"], finding["expanded_from"]) == (3, 11, "TARGET")
    assert "expansion" not in finding["message"]
