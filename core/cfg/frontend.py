"""The cfg front-end in one call: preprocess -> lex -> parse -> check.

The server, `siprouter -c`, `cfglint`, `route-graph` and the debugger all enter here, so a config
means the same thing to every tool. `check=False` stops after parsing (route-graph needs no
module registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from siprouter.core.exports import Registry, default_registry

from . import ast
from .check import check as run_checks
from .diagnostics import Diagnostic
from .parser import parse
from .preprocess import PreprocessResult, preprocess_file, preprocess_text


@dataclass
class Analysis:
    """Everything the front-end learned about one config."""

    config: ast.Config
    preprocessed: PreprocessResult
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def _finish(pre: PreprocessResult, registry: Registry | None, check: bool) -> Analysis:
    config, syntax = parse(pre.source_map)
    config = ast.Config(config.span, config.items, tuple(pre.files))
    diagnostics = list(pre.diagnostics) + syntax
    # Semantic checks on a config with syntax errors would mostly report their echoes.
    if check and not any(d.is_error for d in syntax):
        diagnostics += run_checks(config, registry or default_registry())
    diagnostics.sort(key=Diagnostic.sort_key)
    return Analysis(config, pre, diagnostics)


def analyze_file(path: str, defines: Mapping[str, str | None] | None = None, *,
                 registry: Registry | None = None, check: bool = True) -> Analysis:
    """Run the front-end on a config file; never raises on bad input."""
    return _finish(preprocess_file(path, defines), registry, check)


def analyze_text(text: str, file: str = "<string>",
                 defines: Mapping[str, str | None] | None = None, *,
                 registry: Registry | None = None, check: bool = True) -> Analysis:
    """Run the front-end on config text (tests, editors, stdin)."""
    return _finish(preprocess_text(text, file, defines), registry, check)
