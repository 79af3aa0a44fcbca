"""Diagnostics are data: a stable code, a severity, a span, a message and an optional hint.

Every stage of the cfg front-end reports problems by returning `Diagnostic` values; none prints.
The catalogue `RULES` gives each code its default severity and a one-line explanation (what
`cfglint --list-rules` shows). Codes: E1xx syntax and preprocessor errors, E2xx semantic errors,
W2xx warnings. Codes are stable: tools and CI filters depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    summary: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # Preprocessor (E10x)
        Rule("E101", _E, "unbalanced #!ifdef/#!ifndef/#!else/#!endif"),
        Rule("E102", _E, "include_file target missing or unreadable"),
        Rule("E103", _E, "include cycle or include depth limit exceeded"),
        Rule("E104", _E, "malformed preprocessor directive"),
        Rule("E105", _E, "#!defenv of an environment variable that is not set"),
        Rule("E106", _E, "#!define of a name already defined (use #!redefine or #!trydef)"),
        # Lexical and syntax (E11x..E13x)
        Rule("E110", _E, "unterminated string or comment"),
        Rule("E111", _E, "character not allowed here"),
        Rule("E112", _E, "malformed pseudo-variable"),
        Rule("E120", _E, "syntax error: unexpected token"),
        Rule("E121", _E, "missing ';' after a statement"),
        Rule("E122", _E, "unclosed block, parenthesis or bracket"),
        Rule("E123", _E, "operator Kamailio does not have (!~, %, :=, +=, ...)"),
        Rule("E124", _E, "malformed route block header"),
        Rule("E125", _E, "malformed global parameter"),
        Rule("E126", _E, "'break' outside switch or while"),
        # Semantic (E2xx)
        Rule("E201", _E, "unknown module"),
        Rule("E202", _E, "module loaded twice"),
        Rule("E203", _E, "modparam for a module that is not loaded"),
        Rule("E204", _E, "unknown module parameter"),
        Rule("E205", _E, "module parameter value of the wrong type"),
        Rule("E206", _E, "unknown function (not core, not exported by a loaded module)"),
        Rule("E207", _E, "wrong number of arguments in a function call"),
        Rule("E208", _E, "function not allowed in this kind of route"),
        Rule("E209", _E, "call to a route that is not defined"),
        Rule("E210", _E, "route armed by t_on_* is missing or of the wrong kind"),
        Rule("E211", _E, "unknown pseudo-variable class"),
        Rule("E212", _E, "unknown transformation"),
        Rule("E213", _E, "assignment to a read-only pseudo-variable"),
        Rule("E214", _E, "route block defined twice"),
        Rule("E215", _E, "unknown core parameter"),
        Rule("E216", _E, "bad expression: operand types do not fit the operator"),
        # Warnings (W2xx)
        Rule("W201", _W, "route defined but never reached from any entry point"),
        Rule("W202", _W, "'not a == b' parses as '(not a) == b'"),
        Rule("W203", _W, "'return 0' stops the whole script, like exit"),
        Rule("W204", _W, "unreachable code after exit, drop or return"),
        Rule("W205", _W, "$ru inside event_route[xhttp:request]: the HTTP URL is $hu"),
        Rule("W206", _W, "debugger module loaded but not first"),
        Rule("W207", _W, "xhttp loaded without tcp_accept_no_cl=yes"),
        Rule("W209", _W, "function not allowed in a route kind that calls this named route"),
    )
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: where, what, and what to do about it."""

    code: str
    span: Span
    message: str
    hint: str | None = None
    severity: Severity | None = None

    @property
    def level(self) -> Severity:
        """The severity: explicit, else the rule's default."""
        if self.severity is not None:
            return self.severity
        rule = RULES.get(self.code)
        return rule.severity if rule else Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.level is Severity.ERROR

    def render(self) -> str:
        """`file:line:col: CODE message` (pyflakes' shape), hint on its own line."""
        text = f"{self.span}: {self.code} {self.message}"
        if self.span.expanded_from:
            text += f" (in the expansion of {self.span.expanded_from})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)


def diag(code: str, span: Span, message: str, hint: str | None = None) -> Diagnostic:
    """Build a diagnostic; the code must be in the catalogue."""
    if code not in RULES:
        raise KeyError(f"unknown diagnostic code {code}")
    return Diagnostic(code, span, message, hint)
