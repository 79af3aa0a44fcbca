"""The variables pane: `$var`, `$avp` and `$xavp` of the message a paused worker runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from siprouter.tools.dbgtui.session import Vars

SECTIONS = (("var", "$var"), ("avp", "$avp"), ("xavp", "$xavp"))


def _add(node: TreeNode[Any], key: str, value: Any) -> None:
    if isinstance(value, Mapping):
        child = node.add(key, expand=True)
        for k, v in value.items():
            _add(child, str(k), v)
    elif isinstance(value, list):
        child = node.add(f"{key} [{len(value)}]", expand=True)
        for i, v in enumerate(value):
            _add(child, f"[{i}]", v)
    else:
        node.add_leaf(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")


class VariablesView(Tree[Any]):
    """A tree with one branch per kind of variable."""

    DEFAULT_CSS = """
    VariablesView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("variables", id=id, classes=classes)
        self.show_root = False

    def update_vars(self, values: Vars | None) -> None:
        """Show `values` (None: nothing is paused)."""
        self.clear()
        if values is None:
            return
        for attr, label in SECTIONS:
            section: Mapping[str, Any] = getattr(values, attr)
            branch = self.root.add(f"{label} ({len(section)})", expand=True)
            for name in sorted(section):
                _add(branch, f"{label}({name})", section[name])
        self.root.expand()
