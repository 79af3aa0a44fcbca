"""What the management side needs from a parsed config: global parameters, loaded modules,
modparam values and defines, as plain Python values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg import ast

YES = {"yes", "true", "on", "enable"}
NO = {"no", "false", "off", "disable"}


def literal(expr: ast.Expr) -> int | str | None:
    """The value of a literal modparam expression (`1`, `-1`, `"x"`, `yes`), else None."""
    if isinstance(expr, ast.IntLit):
        return expr.value
    if isinstance(expr, ast.StrLit):
        return expr.value
    if isinstance(expr, ast.UnOp) and expr.op == "-" and isinstance(expr.operand, ast.IntLit):
        return -expr.operand.value
    if isinstance(expr, ast.Ident):
        low = expr.name.lower()
        if low in YES:
            return 1
        if low in NO:
            return 0
        return expr.name
    if isinstance(expr, ast.NetLit):
        return expr.text
    return None


@dataclass
class ConfigSettings:
    """A config's global parameters (every value, in order), modules, modparams and defines."""

    params: dict[str, list[int | str | None]] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    modparams: dict[tuple[str, str], list[int | str | None]] = field(default_factory=dict)
    defines: dict[str, str | None] = field(default_factory=dict)
    path: str = ""

    @classmethod
    def from_config(cls, config: ast.Config, defines: dict[str, str | None] | None = None,
                    path: str = "") -> ConfigSettings:
        out = cls(defines=dict(defines or {}), path=path)
        for item in config.items:
            if isinstance(item, ast.GlobalParam):
                value: int | str | None = item.value if item.value is not None else item.raw
                if isinstance(value, str) and value.lower() in YES | NO:
                    value = 1 if value.lower() in YES else 0
                out.params.setdefault(item.name, []).append(value)
            elif isinstance(item, ast.LoadModule):
                if item.module not in out.modules:
                    out.modules.append(item.module)
            elif isinstance(item, ast.ModParam):
                for module in item.module.split("|"):
                    key = (module.strip(), item.param)
                    out.modparams.setdefault(key, []).append(literal(item.value))
        return out

    def param(self, name: str, default: Any = None) -> Any:
        """The last value of global parameter `name`."""
        values = self.params.get(name)
        return values[-1] if values else default

    def modparam(self, module: str, name: str, default: Any = None) -> Any:
        """The last value given for `modparam(module, name, ...)`."""
        values = self.modparams.get((module, name))
        return values[-1] if values else default

    def modparam_all(self, module: str, name: str) -> list[Any]:
        return list(self.modparams.get((module, name), []))

    def last_params(self) -> dict[str, Any]:
        return {k: v[-1] for k, v in self.params.items() if v}

    def last_modparams(self) -> dict[tuple[str, str], Any]:
        return {k: v[-1] for k, v in self.modparams.items() if v}
