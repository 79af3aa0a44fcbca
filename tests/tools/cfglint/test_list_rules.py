"""--list-rules prints the catalogue: every code with its severity and a one-line summary."""

from __future__ import annotations

import json

from siprouter.core.cfg.diagnostics import RULES


def test_lists_every_code_once_with_its_summary(cfglint):
    result = cfglint("--list-rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert line.split(maxsplit=2)[1:] == [rule.severity.value, rule.summary]


def test_needs_no_file(cfglint):
    assert cfglint("--list-rules").stderr == ""


def test_json_form_for_scripts(cfglint):
    data = json.loads(cfglint("--list-rules", "--format", "json").stdout)
    assert data[0].keys() == {"code", "severity", "summary"}
    assert [r["code"] for r in data] == list(RULES)
