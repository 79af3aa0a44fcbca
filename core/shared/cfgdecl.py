"""What the cfg framework holds: the core's runtime-changeable variables and every loaded
module's `ParamSpec(runtime=True)` parameters, with their start-up values from the config."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from siprouter.core.exports import ModuleExports, ParamSpec

from .cfgframework import CfgFramework, CfgValue

# (name, type, default, help): the part of Kamailio's core cfg group siprouter acts on.
CORE_CFG_VARS: tuple[tuple[str, type, CfgValue, str], ...] = (
    # In the order Kamailio 5.6 lists them (cfg.list).
    ("debug", int, 0, "debug level"),
    ("log_facility", str, "LOG_DAEMON", "syslog facility"),
    ("memdbg", int, 3, "log level for memory debugging messages"),
    ("dns_try_ipv6", int, 0, "try AAAA lookups too"),
    ("dns_retr_time", int, -1, "time in s before retrying a dns request"),
    ("dns_retr_no", int, -1, "number of dns retransmissions before giving up"),
    ("use_dns_failover", int, 0, "failover to the next dns record"),
    ("max_while_loops", int, 100, "maximum iterations allowed for a while loop"),
    ("udp_mtu", int, 0, "fallback to a congestion controlled protocol if send size exceeds udp_mtu"),
    ("udp_mtu_try_proto", int, 1, "if send size > udp_mtu use proto (1 udp, 2 tcp, 3 tls, 4 sctp)"),
    ("force_rport", int, 0, "force rport for all the received messages"),
    ("memlog", int, 3, "log level for memory status/summary information"),
    ("mem_summary", int, 3, "memory debugging information displayed on exit (flags)"),
    ("latency_cfg_log", int, 0, "log level for printing latency of routing blocks"),
    ("latency_log", int, -1, "log level for latency limits alert messages"),
    ("latency_limit_action", int, 0, "limit in ms for alerting on time consuming config actions"),
)


def runtime_type(spec: ParamSpec) -> type:
    """int or str for a runtime parameter; a dual-typed one is int when its default is."""
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    if len(types) == 1:
        return types[0]
    return str if isinstance(spec.default, str) or int not in types else int


def declare_core(cfg: CfgFramework, global_params: Mapping[str, Any] | None = None) -> None:
    """Declare the `core` group; values of `debug=...` and friends in the config win."""
    params = global_params or {}
    for name, type_, default, doc in CORE_CFG_VARS:
        cfg.declare("core", name, type_, default, doc)
        if name in params:
            _initial(cfg, "core", name, params[name])


def declare_modules(cfg: CfgFramework, modules: Iterable[ModuleExports],
                    modparams: Mapping[tuple[str, str], Any] | None = None) -> None:
    """Declare a group per module with runtime parameters; modparam values win over defaults.
    `modparams` maps (module, param) to the value the config gives (the last one)."""
    given = modparams or {}
    for module in modules:
        for spec in module.params.values():
            if not spec.runtime or spec.multi:
                continue
            type_ = runtime_type(spec)
            default: CfgValue | None = (spec.default if isinstance(spec.default, (int, str))
                                        and isinstance(spec.default, type_) else None)
            low, high = spec.range or (None, None)
            cfg.declare(module.name, spec.cfg_var, type_, default, spec.doc, min=low, max=high)
            if (module.name, spec.name) in given:
                _initial(cfg, module.name, spec.cfg_var, given[(module.name, spec.name)])


def _initial(cfg: CfgFramework, group: str, name: str, value: Any) -> None:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, str)):
        cfg.set_initial(group, name, value)
