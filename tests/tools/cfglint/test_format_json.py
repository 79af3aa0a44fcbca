"""--format json: one array of finding objects, the shape CI scripts depend on (docs/cfglint.md)."""

from __future__ import annotations

import json

REQUIRED = {"file", "line", "column", "code", "severity", "message"}


def findings(result):
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_clean_config_prints_an_empty_array(cfglint, cfg):
    assert findings(cfglint("--format", "json", cfg("good.cfg"))) == []


def test_every_finding_has_the_required_fields(cfglint, cfg):
    for item in findings(cfglint("--format", "json", cfg("bad.cfg"))):
        assert REQUIRED <= item.keys()
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        assert item["severity"] in {"error", "warning", "info"}


def test_positions_are_one_based_and_point_at_the_problem(cfglint, cfg):
    first = findings(cfglint("--format", "json", cfg("bad.cfg")))[0]
    assert first == {
        "file": "bad.cfg",
        "line": 2,
        "column": 11,
        "end_line": 2,
        "end_column": 18,
        "code": "E209",
        "severity": "error",
        "message": "route(MISSING) calls a route that is not defined",
        "hint": None,
        "rule": "call to a route that is not defined",
        "expanded_from": None,
    }


def test_severity_follows_the_rule(cfglint, cfg):
    data = findings(cfglint("--format", "json", cfg("bad.cfg")))
    assert [(f["code"], f["severity"]) for f in data] == [("E209", "error"), ("W203", "warning")]


def test_findings_of_all_files_form_one_array(cfglint, cfg):
    result = cfglint("--format", "json", cfg("bad.cfg"), cfg("other.cfg", "request_route {\n"
                                                             "  route(GONE);\n}\n"))
    assert [f["file"] for f in findings(result)] == ["bad.cfg", "bad.cfg", "other.cfg"]


def test_stdout_holds_only_json(cfglint, cfg):
    result = cfglint("--format", "json", cfg("bad.cfg"))
    json.loads(result.stdout)
    assert result.stderr == ""
