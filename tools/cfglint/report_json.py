"""`--format json`: one JSON array of finding objects, the contract CI scripts rely on.

Stable shape (docs/cfglint.md): `file`, `line`, `column`, `end_line`, `end_column` (1-based,
end exclusive), `code`, `severity` (`error`|`warning`|`info`), `message`, `hint` (string or
null), `rule` (the rule's one-line summary, or null), `expanded_from` (the `#!define` name or
null). Fields may be added; none is ever removed or renamed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from siprouter.core.cfg.diagnostics import RULES, Diagnostic, Rule


def finding_object(d: Diagnostic) -> dict[str, Any]:
    """The JSON object for one finding."""
    rule = RULES.get(d.code)
    return {
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "code": d.code,
        "severity": d.level.value,
        "message": d.message,
        "hint": d.hint,
        "rule": rule.summary if rule else None,
        "expanded_from": d.span.expanded_from,
    }


def render(findings: Sequence[Diagnostic]) -> str:
    """The whole report: a JSON array (`[]` when clean)."""
    return json.dumps([finding_object(d) for d in findings], indent=2, ensure_ascii=False)


def render_rules(rules: Sequence[Rule]) -> str:
    """`--list-rules --format json`: the catalogue as an array of {code, severity, summary}."""
    return json.dumps(
        [{"code": r.code, "severity": r.severity.value, "summary": r.summary} for r in rules],
        indent=2,
        ensure_ascii=False,
    )
