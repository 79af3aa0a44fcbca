"""What the server offers, asked once and remembered: method names (`system.listMethods`), cfg
groups and variables (`cfg.list`), counter groups and names (`cnt.grps_list`, `cnt.var_list`),
and per-method help and signatures. Completion and the hint toolbar read it; a failed question
gives an empty answer (completion must never raise). Answers to questions the server could not
take (no such method) are kept; connection failures are not, so completion starts working once
the server is up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .client import RPCError, RPCFault

Call = Callable[..., Any]


def names_in(result: Any) -> list[str]:
    """Names from a listing reply: a list of strings (one per line in kamcmd), the keys of a
    struct, or structs carrying a `name`."""
    if isinstance(result, str):
        return [line.strip() for line in result.splitlines() if line.strip()]
    if isinstance(result, dict):
        return [str(k) for k in result]
    out: list[str] = []
    for item in result if isinstance(result, list) else []:
        if isinstance(item, dict):
            name = item.get("name", item.get("group"))
            if name is not None:
                out.append(str(name))
        elif item is not None and not isinstance(item, list):
            out.append(str(item))
    return out


def parse_cfg_list(result: Any) -> dict[str, list[str]]:
    """`cfg.list` as {group: [variables]}: Kamailio sends lines `group: var`; a structured reply
    may be {group: [vars]} / {group: {var: value}} or structs with group and name members."""
    groups: dict[str, list[str]] = {}

    def add(group: str, var: str | None) -> None:
        vars_ = groups.setdefault(group.strip(), [])
        if var and var.strip() and var.strip() not in vars_:
            vars_.append(var.strip())

    if isinstance(result, dict):
        for group, members in result.items():
            if isinstance(members, dict | list):
                for var in names_in(members):
                    add(str(group), var)
            else:
                add(str(group), None)
        return groups
    for item in result if isinstance(result, list) else [result]:
        if isinstance(item, str):
            group, sep, var = item.partition(":")
            if sep:
                add(group, var)
        elif isinstance(item, dict):
            grp = item.get("group", item.get("grp"))
            name = item.get("name", item.get("var", item.get("variable")))
            if grp is not None:
                add(str(grp), None if name is None else str(name))
    return groups


class Catalogue:
    """Cached knowledge about one server, fetched through `call(method, *params)`."""

    def __init__(self, call: Call) -> None:
        self._call = call
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def _ask(self, key: tuple[Any, ...], empty: Any, convert: Callable[[Any], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            value = convert(self._call(*key))
        except RPCFault:
            value = empty  # the server does not have it: remember that
        except (RPCError, ValueError, TypeError, AttributeError):
            return empty  # unreachable or odd: ask again next time
        with self._lock:
            self._cache[key] = value
        return value

    def forget(self) -> None:
        """Drop everything remembered (after `connect`, or when the server restarted)."""
        with self._lock:
            self._cache.clear()

    def methods(self) -> list[str]:
        """Method names from `system.listMethods`."""
        result: list[str] = self._ask(("system.listMethods",), [], names_in)
        return result

    def cfg(self) -> dict[str, list[str]]:
        """{group: [variables]} from `cfg.list`."""
        result: dict[str, list[str]] = self._ask(("cfg.list",), {}, parse_cfg_list)
        return result

    def cfg_groups(self) -> list[str]:
        return list(self.cfg())

    def cfg_vars(self, group: str) -> list[str]:
        return list(self.cfg().get(group, []))

    def counter_groups(self) -> list[str]:
        """Counter groups from `cnt.grps_list`."""
        result: list[str] = self._ask(("cnt.grps_list",), [], names_in)
        return result

    def counter_names(self, group: str) -> list[str]:
        """Counter names of `group` from `cnt.var_list`."""
        result: list[str] = self._ask(("cnt.var_list", group), [], names_in)
        return result

    def help(self, method: str) -> str:
        """`system.methodHelp`, or "" when the server has none."""
        result: str = self._ask(("system.methodHelp", method), "",
                                lambda r: r if isinstance(r, str) else "")
        return result

    def signature(self, method: str) -> list[str]:
        """The first signature from `system.methodSignature` ([result type, param types...]),
        or [] (Kamailio answers "Not Implemented Yet")."""
        def first(result: Any) -> list[str]:
            if isinstance(result, list) and result and isinstance(result[0], list):
                return [str(t) for t in result[0]]
            if isinstance(result, list) and all(isinstance(t, str) for t in result):
                return list(result)
            return []
        result: list[str] = self._ask(("system.methodSignature", method), [], first)
        return result

    def cached_hint(self, method: str) -> tuple[list[str], str] | None:
        """(signature, help) if both are known already, without asking the server."""
        with self._lock:
            sig = self._cache.get(("system.methodSignature", method))
            doc = self._cache.get(("system.methodHelp", method))
        if sig is None or doc is None:
            return None
        return sig, doc
