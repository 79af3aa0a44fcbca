"""PV completion for the eval box: PV class names from the module registry (the modules the
server loaded, per `core.modules`) and the `$var(...)` names seen in `dbg.vars`."""

from __future__ import annotations

from collections.abc import Iterable

from siprouter.core.exports import default_registry


def pv_classes(modules: Iterable[str]) -> dict[str, bool | None]:
    """PV class name -> whether it takes an inner name (`$var(x)`: True, `$ru`: False, either:
    None), for the core plus `modules`."""
    loaded = default_registry().loaded(modules)
    return {name: spec.inner for name, spec in loaded.pvs.items()}


def pv_candidates(classes: dict[str, bool | None], var_names: Iterable[str] = ()) -> list[str]:
    """Completions, sorted: `$ru`, `$hdr(` (an inner name follows), `$var(foo)`."""
    out = {f"${name}(" if inner else f"${name}" for name, inner in classes.items()}
    out.update(f"$var({name})" for name in var_names)
    return sorted(out)


def complete(value: str, candidates: Iterable[str]) -> str | None:
    """`value` with its last `$...` word completed to the shortest candidate it starts, or
    None when nothing longer fits."""
    start = value.rfind("$")
    if start < 0:
        return None
    word = value[start:]
    if "(" in word and word.endswith(")"):
        return None
    fits = sorted((c for c in candidates if c.startswith(word) and c != word),
                  key=lambda c: (len(c), c))
    return value[:start] + fits[0] if fits else None
