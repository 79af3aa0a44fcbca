"""docs/cfglint.md's rules table stays in step with the catalogue `--list-rules` prints."""

from __future__ import annotations

import re
from pathlib import Path

from siprouter.core.cfg.diagnostics import RULES

DOC = Path(__file__).resolve().parents[3] / "docs" / "cfglint.md"
ROW = re.compile(r"^\| `([EWI]\d+)` \| (\w+) \| (.*) \|$")


def test_rules_table_matches_the_catalogue():
    rows = [m.groups() for m in map(ROW.match, DOC.read_text(encoding="utf-8").splitlines()) if m]
    documented = [(code, sev, summary.replace("\\|", "|")) for code, sev, summary in rows]
    assert documented == [(r.code, r.severity.value, r.summary) for r in RULES.values()]
