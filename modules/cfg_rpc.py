"""Kamailio's `cfg_rpc` module: the cfg.* RPCs over the server's cfg framework
(siprouter.core.shared.cfgframework). Group instances (`group[id]`, cfg.del, cfg.add_group_inst
...) are not supported yet; those RPCs stay declared without an implementation."""

from __future__ import annotations

from typing import Any

from siprouter.core.exports import ModuleExports
from siprouter.core.rpc.context import RPCContext
from siprouter.core.rpc.errors import BAD_REQUEST, RPCFault
from siprouter.core.shared.cfgframework import CfgError, CfgFramework, CfgValue

exports = ModuleExports("cfg_rpc", doc="RPC commands for the runtime configuration framework (cfg.*)")

# Declared without an implementation (group instances).
exports.rpc("cfg.del", "cfg.del - Delete the value of a configuration variable from a group instance and commit...", ())
exports.rpc("cfg.del_delayed", "cfg.del_delayed - Prepare the deletion of the value of a configuration variable from a...", ())
exports.rpc("cfg.add_group_inst", "cfg.add_group_inst - Add a new instance to an existing configuration group.", ())
exports.rpc("cfg.del_group_inst", "cfg.del_group_inst - Delete an instance of an existing configuration group.", ())


def _group(group: str) -> str:
    if "[" in group:
        raise RPCFault(BAD_REQUEST, "cfg group instances are not supported")
    return group


def _cfg(ctx: RPCContext) -> CfgFramework:
    cfg = ctx.server.cfg
    cfg.refresh()
    return cfg


def _apply(ctx: RPCContext, group: str, var: str, value: CfgValue, delayed: bool) -> None:
    cfg = _cfg(ctx)
    try:
        if delayed:
            cfg.set_delayed(_group(group), var, value)
        else:
            cfg.set_now(_group(group), var, value)
    except CfgError as exc:
        raise RPCFault(BAD_REQUEST, str(exc)) from None


@exports.rpc("cfg.list", params=("group",))
def rpc_list(ctx: RPCContext, group: str = "") -> list[str]:
    """List the configuration variables (`group: variable`), of one group when given."""
    cfg = _cfg(ctx)
    defs = cfg.variables(_group(group) if group else None)
    if group and not defs:
        raise RPCFault(BAD_REQUEST, f"unknown cfg group {group}")
    # Kamailio lists the group declared last first (each new group goes to the head of its
    # list); variables keep their order within a group.
    groups: dict[str, list[str]] = {}
    for d in defs:
        groups.setdefault(d.group, []).append(f"{d.group}: {d.name}")
    return [line for lines in reversed(groups.values()) for line in lines]


def _shown(value: CfgValue) -> CfgValue | None:
    # An empty string variable is Kamailio's NULL str (kamcmd prints "<null string>").
    return None if value == "" else value


@exports.rpc("cfg.get", params=("group", "var"))
def rpc_get(ctx: RPCContext, group: str, var: str = "") -> Any:
    """Get the value of a configuration variable."""
    cfg = _cfg(ctx)
    try:
        if not var:  # every variable of the group, as Kamailio answers
            # An unknown group is an empty object, as in Kamailio.
            return {d.name: _shown(cfg.get(d.group, d.name))
                    for d in cfg.variables(_group(group))}
        return _shown(cfg.get(_group(group), var))
    except CfgError:
        raise RPCFault(BAD_REQUEST, "Failed to get the variable") from None


@exports.rpc("cfg.help", params=("group", "var"))
def rpc_help(ctx: RPCContext, group: str, var: str) -> str:
    """Print the description of a configuration variable."""
    try:
        d = _cfg(ctx).definition(_group(group), var)
    except CfgError as exc:
        raise RPCFault(BAD_REQUEST, str(exc)) from None
    return f"{d.doc}\n(parameter type is {d.type_name})"


@exports.rpc("cfg.set_now_int", params=("group", "var", "value"))
def rpc_set_now_int(ctx: RPCContext, group: str, var: str, value: int) -> None:
    """Set the value of an integer variable and commit the change immediately."""
    _apply(ctx, group, var, value, delayed=False)


@exports.rpc("cfg.seti", params=("group", "var", "value"))
def rpc_seti(ctx: RPCContext, group: str, var: str, value: int) -> None:
    """Set the value of an integer variable and commit the change immediately."""
    _apply(ctx, group, var, value, delayed=False)


@exports.rpc("cfg.set_now_string", params=("group", "var", "value"))
def rpc_set_now_string(ctx: RPCContext, group: str, var: str, value: str) -> None:
    """Set the value of a string variable and commit the change immediately."""
    _apply(ctx, group, var, value, delayed=False)


@exports.rpc("cfg.sets", params=("group", "var", "value"))
def rpc_sets(ctx: RPCContext, group: str, var: str, value: str) -> None:
    """Set the value of a string variable and commit the change immediately."""
    _apply(ctx, group, var, value, delayed=False)


@exports.rpc("cfg.set", params=("group", "var", "value"))
def rpc_set(ctx: RPCContext, group: str, var: str, value: Any) -> None:
    """Set the value of a configuration variable (int or string) and commit it immediately."""
    if not isinstance(value, (int, str)) or isinstance(value, bool):
        raise RPCFault(BAD_REQUEST, "value must be an integer or a string")
    _apply(ctx, group, var, value, delayed=False)


@exports.rpc("cfg.set_delayed_int", params=("group", "var", "value"))
def rpc_set_delayed_int(ctx: RPCContext, group: str, var: str, value: int) -> None:
    """Prepare the change of an integer variable; cfg.commit applies it."""
    _apply(ctx, group, var, value, delayed=True)


@exports.rpc("cfg.set_delayed_string", params=("group", "var", "value"))
def rpc_set_delayed_string(ctx: RPCContext, group: str, var: str, value: str) -> None:
    """Prepare the change of a string variable; cfg.commit applies it."""
    _apply(ctx, group, var, value, delayed=True)


@exports.rpc("cfg.set_delayed", params=("group", "var", "value"))
def rpc_set_delayed(ctx: RPCContext, group: str, var: str, value: Any) -> None:
    """Prepare the change of a configuration variable (int or string); cfg.commit applies it."""
    if not isinstance(value, (int, str)) or isinstance(value, bool):
        raise RPCFault(BAD_REQUEST, "value must be an integer or a string")
    _apply(ctx, group, var, value, delayed=True)


@exports.rpc("cfg.commit")
def rpc_commit(ctx: RPCContext) -> None:
    """Commit the previously prepared configuration changes (all at once)."""
    _cfg(ctx).commit()


@exports.rpc("cfg.rollback")
def rpc_rollback(ctx: RPCContext) -> None:
    """Drop the prepared configuration changes."""
    _cfg(ctx).rollback()


@exports.rpc("cfg.diff")
def rpc_diff(ctx: RPCContext) -> list[dict[str, Any]]:
    """List the pending configuration changes that have not been committed yet."""
    return [{"group name": d.group, "variable name": d.name, "old value": old,
             "new value": new} for d, old, new in _cfg(ctx).diff()]


@exports.rpc("cfg.reset", params=("group",))
def rpc_reset(ctx: RPCContext, group: str) -> None:
    """Reset the variable values of a configuration group to their defaults."""
    try:
        _cfg(ctx).reset_group(_group(group))
    except CfgError as exc:
        raise RPCFault(BAD_REQUEST, str(exc)) from None
