"""Small facts about a list of findings that every reporter and the exit status share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from siprouter.core.cfg.diagnostics import Diagnostic, Severity


def message_text(d: Diagnostic) -> str:
    """The message as a person reads it: say so when the place is inside a `#!define` expansion."""
    if d.span.expanded_from:
        return f"{d.message} (in the expansion of {d.span.expanded_from})"
    return d.message


def unique(findings: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats, keeping the first: a file both linted and included by another linted file
    would otherwise report each of its findings twice."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for d in findings:
        key = (d.code, d.span, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@dataclass(frozen=True)
class Counts:
    """How many findings of each severity, for the summary line and the exit status."""

    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @classmethod
    def of(cls, findings: Iterable[Diagnostic]) -> Counts:
        levels = [d.level for d in findings]
        return cls(levels.count(Severity.ERROR), levels.count(Severity.WARNING),
                   levels.count(Severity.INFO))

    def at_least(self, level: Severity) -> int:
        """Findings of `level` or worse."""
        if level is Severity.ERROR:
            return self.errors
        if level is Severity.WARNING:
            return self.errors + self.warnings
        return self.errors + self.warnings + self.infos


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(counts: Counts, files: int) -> str:
    """`N errors, M warnings in K files` (infos only when there are some)."""
    parts = [plural(counts.errors, "error"), plural(counts.warnings, "warning")]
    if counts.infos:
        parts.append(plural(counts.infos, "info"))
    return f"{', '.join(parts)} in {plural(files, 'file')}"
