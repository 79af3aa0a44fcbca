"""`--format sarif`: a SARIF 2.1.0 log, the format code-scanning services (GitHub) import.

Every rule of the catalogue is listed under `tool.driver.rules`, so a result's `ruleIndex` points
at its rule whatever `--select` kept. Columns are Unicode code points (Python string indices),
which the run says with `columnKind`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from siprouter.core.cfg.diagnostics import RULES, Diagnostic, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"

# SARIF has no "info" level; "note" is its name for the same thing.
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(file: str) -> str:
    """A URI reference for a path: relative paths stay relative (code scanning resolves them
    against the checkout), absolute ones become file:// URIs."""
    path = PurePath(file)
    if path.is_absolute():
        return PurePosixPath(path.as_posix()).as_uri()
    return quote(path.as_posix())


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.code,
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
        }
        for rule in RULES.values()
    ]


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    text = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": LEVELS[d.level],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(d.span.file)},
                    "region": {
                        "startLine": d.span.line,
                        "startColumn": d.span.column,
                        "endLine": d.span.end_line,
                        "endColumn": d.span.end_column,
                    },
                }
            }
        ],
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    return result


def render(findings: Sequence[Diagnostic], tool_version: str) -> str:
    """The whole SARIF log for one run."""
    index = {code: i for i, code in enumerate(RULES)}
    log = {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cfglint",
                        "version": tool_version,
                        "rules": _rules(),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index) for d in findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
