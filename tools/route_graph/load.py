"""Read a config through the shared cfg front-end, the way the server would read it.

route-graph never looks at config text itself: the preprocessor evaluates `#!ifdef` with the
`-A` defines, the parser builds the AST, and everything else works on that AST.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from siprouter.core.cfg import ast
from siprouter.core.cfg.frontend import analyze_file


class ConfigError(Exception):
    """The config cannot be graphed (unreadable, or syntax errors); the message is one line."""


def load_config(path: str, defines: Mapping[str, str | None] | None = None) -> ast.Config:
    """The AST of the config at `path` with `defines` applied; ConfigError when it has errors.

    A graph of a config with syntax errors would silently miss the routes the parser skipped,
    so errors stop the tool instead of producing a misleading picture.
    """
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such file")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"{path}: not readable")
    # check=False: the graph needs no module registry look-ups, and semantic findings (unknown
    # functions, ...) are cfglint's job, not a reason to refuse to draw the graph.
    analysis = analyze_file(path, defines, check=False)
    errors = analysis.errors
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{first.span}: {first.code} {first.message}{more}")
    return analysis.config
