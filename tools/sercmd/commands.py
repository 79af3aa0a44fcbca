"""What a command line means: kamcmd's aliases and built-ins, and which commands take a method
name, a cfg group and variable, or a counter group and name (for completion and hints)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alias:
    """A short name for a method, with the `-f` format kamcmd prints it with (if any)."""

    method: str
    format: str | None = None


# kamcmd's table; `version` is an alias there too (aliases are resolved before built-ins), so
# `version` asks the server, and `sercmd -V` prints sercmd's own version.
ALIASES: dict[str, Alias] = {
    "ps": Alias("core.ps", "%v\t%v\n"),
    "psx": Alias("core.psx"),
    "list": Alias("system.listMethods"),
    "ls": Alias("system.listMethods"),
    "ver": Alias("core.version"),
    "version": Alias("core.version"),
    "who": Alias("ctl.who", "[%v] %v: %v %v -> %v %v\n"),
    "listen": Alias("ctl.listen", "[%v] %v: %v %v\n"),
    "dns_mem_info": Alias("dns.mem_info", "%v / %v\n"),
    "dns_debug": Alias("dns.debug",
                       "%v (%v): size=%v ref=%v expire=%vs last=%vs ago f=%v\n"),
    "dns_debug_all": Alias("dns.debug_all",
                           "%v (%v) [%v]: size=%v ref=%v expire=%vs last=%vs ago f=%v\n"
                           "\t\t%v:%v expire=%vs f=%v\n"),
    "dst_blocklist_mem_info": Alias("dst_blocklist.mem_info", "%v / %v\n"),
    "dst_blocklist_debug": Alias("dst_blocklist.debug", "%v:%v:%v expire:%v flags: %v\n"),
    # Kamailio before 5.5 said blacklist; old scripts still do.
    "dst_blacklist_mem_info": Alias("dst_blacklist.mem_info", "%v / %v\n"),
    "dst_blacklist_debug": Alias("dst_blacklist.debug", "%v:%v:%v expire:%v flags: %v\n"),
}

BUILTINS: dict[str, str] = {
    "help": "help [command]: list built-ins and aliases, or show a method's help",
    "?": "same as help",
    "h": "same as help",
    "quit": "leave the shell",
    "exit": "leave the shell",
    "connect": "connect [URL]: switch to the server at URL (no URL: list the servers used)",
    "warranty": "show sercmd's warranty",
    "license": "show sercmd's license",
}
SHELL_ONLY = frozenset({"quit", "exit", "connect"})
HELP_WORDS = frozenset({"help", "?", "h"})

# Commands whose first parameter is a method name.
METHOD_PARAM = HELP_WORDS | {"system.methodHelp", "system.methodSignature"}
# Commands taking a cfg group, then a variable of that group (kamcmd's list plus 5.x names).
CFG_GROUP_VAR = frozenset({
    "cfg.get", "cfg.help", "cfg.set", "cfg.seti", "cfg.sets", "cfg.set_now_int",
    "cfg.set_now_string", "cfg.set_delayed", "cfg.set_delayed_int", "cfg.set_delayed_string",
    "cfg.del", "cfg.del_delayed",
})
# Commands taking only a cfg group.
CFG_GROUP_ONLY = frozenset({"cfg.reset", "cfg.list", "cfg.add_group_inst", "cfg.del_group_inst"})
# Commands taking a counter group; of those, the ones whose second parameter is a counter name.
CNT_GROUP = frozenset({"cnt.get", "cnt.get_raw", "cnt.grp_get_all", "cnt.reset", "cnt.var_list",
                       "cnt.list_vars", "cnt.get_vars", "cnt.help"})
CNT_GROUP_NAME = frozenset({"cnt.get", "cnt.get_raw", "cnt.reset", "cnt.help"})

LICENSE_TEXT = """\
sercmd is part of siprouter, free software; you can redistribute it and/or modify it under the
terms of the GNU General Public License as published by the Free Software Foundation; either
version 2 of the License, or (at your option) any later version.

It is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without even
the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU
General Public License for more details."""


def resolve(name: str) -> tuple[str, str | None]:
    """(method, default format) for a command name: aliases expand, methods stay."""
    alias = ALIASES.get(name)
    return (alias.method, alias.format) if alias else (name, None)


def command_names() -> list[str]:
    """Built-ins and aliases: what the first word can be besides a method."""
    return sorted(set(BUILTINS) | set(ALIASES))
