"""The debugger's modparams as one typed object, read from the config at server start.

The server has no generic modparam mechanism for modules yet, so the debugger reads its own
`modparam("debugger", ...)` lines from the parsed config (through the RPC layer's
`ConfigSettings`, which already turns literals, `yes`/`no` and negative numbers into values).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.loglevels import debug_threshold
from siprouter.core.rpc.settings import ConfigSettings


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_mod_levels(values: list[Any]) -> dict[str, int]:
    """`mod_level` values ("tm=3", repeatable) as {module: level}; bad entries are skipped."""
    out: dict[str, int] = {}
    for v in values:
        name, sep, level = str(v).partition("=")
        if sep and name.strip():
            try:
                out[name.strip()] = int(level.strip())
            except ValueError:
                continue
    return out


@dataclass(frozen=True)
class DebuggerSettings:
    """modparam("debugger", ...) values (Kamailio 5.6 defaults)."""

    cfgtrace: int = 0
    cfgtrace_format: int = 0
    breakpoint: int = 0
    log_level: int = -1
    log_level_name: str | None = None
    log_facility: str | None = None
    log_prefix: str = "*** cfgtrace:"
    log_assign: int = 0
    step_usleep: int = 100000
    step_loops: int = 200
    mod_level_mode: int = 0
    mod_levels: dict[str, int] = field(default_factory=dict)
    mod_facility_mode: int = 0
    reset_msgid: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any],
                    mod_level: list[Any] | None = None) -> DebuggerSettings:
        """From {param: value} (the last value of each) and the repeated mod_level values."""
        d = cls()
        name = params.get("log_level_name")
        facility = params.get("log_facility")
        return cls(
            cfgtrace=_int(params.get("cfgtrace"), d.cfgtrace),
            cfgtrace_format=_int(params.get("cfgtrace_format"), d.cfgtrace_format),
            breakpoint=_int(params.get("breakpoint"), d.breakpoint),
            log_level=_int(params.get("log_level"), d.log_level),
            log_level_name=str(name) if name not in (None, "") else None,
            log_facility=str(facility) if facility not in (None, "") else None,
            log_prefix=str(params.get("log_prefix", d.log_prefix)),
            log_assign=_int(params.get("log_assign"), d.log_assign),
            step_usleep=max(1, _int(params.get("step_usleep"), d.step_usleep)),
            step_loops=max(1, _int(params.get("step_loops"), d.step_loops)),
            mod_level_mode=_int(params.get("mod_level_mode"), d.mod_level_mode),
            mod_levels=parse_mod_levels(list(mod_level or [])),
            mod_facility_mode=_int(params.get("mod_facility_mode"), d.mod_facility_mode),
            reset_msgid=_int(params.get("reset_msgid"), d.reset_msgid),
        )

    @classmethod
    def from_config(cls, config: ast.Config) -> DebuggerSettings:
        cs = ConfigSettings.from_config(config)
        params = {name: value for (mod, name), value in cs.last_modparams().items()
                  if mod == "debugger"}
        return cls.from_params(params, cs.modparam_all("debugger", "mod_level"))

    @property
    def python_level(self) -> int:
        """The logging level cfgtrace lines are written at."""
        return debug_threshold(self.log_level)

    @property
    def step_seconds(self) -> float:
        return self.step_usleep / 1_000_000

    @property
    def wait_seconds(self) -> float:
        """How long a stopped worker waits for a command, and the RPC side for an answer."""
        return self.step_loops * self.step_usleep / 1_000_000


LOGGER = logging.getLogger("siprouter.debugger")
