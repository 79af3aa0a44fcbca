"""What the core itself exports: the script actions of Kamailio's grammar, the few pseudo-variables
that exist without the pv module, and the core RPC commands.

Names and argument counts follow the cfg grammar (cfg.lex/cfg.y) of Kamailio 3.1, plus the actions
5.x added (`set_forward_close`, `set_reply_close`, `set_reply_no_connect`, `cfg_select` ...).
Functions that Kamailio 3.1 kept in a module are declared there, not here: `setbflag`/`setsflag`/
`setdsturi` and friends live in `kex`, `send_udp`/`send_data` in `corex`.
"""

from __future__ import annotations

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("core", doc="Core script actions, core pseudo-variables and core RPC commands")

ANY = RouteType.ANY

# Routing and forwarding. forward() uses the R-URI (or $du); forward(host[, port]) a fixed target.
exports.function("route", args=1, routes=ANY, doc="Run the named route block")
for _fwd in ("forward", "forward_udp", "forward_tcp", "forward_tls", "forward_sctp"):
    exports.function(_fwd, args=(0, 1, 2), routes=ANY, doc="Forward statelessly (optional host, port)")
# 3.1 core actions; 5.x moved them to corex (send_udp, send_tcp) and dropped send().
exports.function("send", args=(1, 2), routes=ANY, doc="Send the message as is to host[, port] over UDP")
exports.function("send_tcp", args=(1, 2), routes=ANY,
                 doc="Send the message as is to host[, port] over TCP")

# Logging and external commands.
exports.function("log", args=(1, 2), routes=ANY, doc="Log a message: log([level,] text)")
exports.function("error", args=2, routes=ANY, doc="Log an error: error(code, text)")
exports.function("exec", args=1, routes=ANY, doc="Run an external command")

# Message flags (setflag ...) and AVP flags (setavpflag ...).
exports.function("setflag", args=1, routes=ANY, doc="Set a message flag")
exports.function("resetflag", args=1, routes=ANY, doc="Reset a message flag")
exports.function("isflagset", args=1, routes=ANY, doc="True if a message flag is set")
exports.function("setavpflag", args=2, routes=ANY, doc="Set a flag on an AVP: setavpflag(avp, flag)")
exports.function("resetavpflag", args=2, routes=ANY, doc="Reset a flag on an AVP")
exports.function("isavpflagset", args=2, routes=ANY, doc="True if an AVP has the flag")

# Request-URI rewriting; each action has its short and rewrite* spellings.
_URI_ACTIONS = {
    ("seturi", "rewriteuri"): "Replace the request URI",
    ("sethost", "rewritehost", "seth"): "Replace the host of the request URI",
    ("sethostport", "rewritehostport", "sethp"): "Replace host:port of the request URI",
    ("sethostporttrans", "rewritehostporttrans", "sethpt"):
        "Replace host:port and transport of the request URI",
    ("setuser", "rewriteuser", "setu"): "Replace the user of the request URI",
    ("setuserpass", "rewriteuserpass", "setup"): "Replace user:password of the request URI",
    ("setport", "rewriteport", "setp"): "Replace the port of the request URI",
}
for _names, _doc in _URI_ACTIONS.items():
    for _name in _names:
        exports.function(_name, args=1, routes=ANY, doc=_doc)
exports.function("prefix", args=1, routes=ANY, doc="Add a prefix to the user of the request URI")
exports.function("strip", args=1, routes=ANY, doc="Strip n leading characters from the R-URI user")
exports.function("strip_tail", args=1, routes=ANY,
                 doc="Strip n trailing characters from the R-URI user")
exports.function("userphone", args=0, routes=ANY, doc="Add user=phone to the request URI")
exports.function("revert_uri", args=0, routes=ANY, doc="Restore the original request URI")

# Branches. append_branch was core in 3.1 (corex in 5.x).
exports.function("append_branch", args=(0, 1, 2), routes=REQ_FAIL,
                 doc="Add a branch: the R-URI or the given uri[, q]")
exports.function("remove_branch", args=(0, 1), routes=ANY, doc="Remove the branch at an index")
exports.function("clear_branches", args=0, routes=ANY, doc="Remove all extra branches")

# Via, connection and socket handling.
for _name in ("force_rport", "add_rport"):
    exports.function(_name, args=0, routes=ANY, doc="Add rport to the first Via (reply to source port)")
exports.function("add_local_rport", args=0, routes=ANY, doc="Add rport to the local Via")
for _name in ("force_tcp_alias", "add_tcp_alias"):
    exports.function(_name, args=(0, 1), routes=ANY,
                     doc="Add a TCP alias for the connection (optional port)")
exports.function("udp_mtu_try_proto", args=1, routes=ANY,
                 doc="Protocol to switch to when a UDP request exceeds udp_mtu")
exports.function("force_send_socket", args=1, routes=ANY,
                 doc="Send through the given local socket [proto:]addr[:port]")
exports.function("set_advertised_address", args=1, routes=ANY,
                 doc="Address to put in Via/Record-Route for this message")
exports.function("set_advertised_port", args=1, routes=ANY,
                 doc="Port to put in Via/Record-Route for this message")
exports.function("set_forward_no_connect", args=0, routes=ANY,
                 doc="Forward only over an existing TCP/TLS connection")
exports.function("set_reply_no_connect", args=0, routes=ANY,
                 doc="Send the reply only over an existing TCP/TLS connection")
exports.function("set_forward_close", args=0, routes=ANY,
                 doc="Close the TCP/TLS connection after forwarding")
exports.function("set_reply_close", args=0, routes=ANY,
                 doc="Close the TCP/TLS connection after sending the reply")

# Message size test (3.1 core action len_gt, the function form of `msg:len > n`).
exports.function("len_gt", args=1, routes=ANY, doc="True if the message is longer than n bytes")

# Runtime configuration groups.
exports.function("cfg_select", args=2, routes=ANY, doc="Use an instance of a cfg group: (group, id)")
exports.function("cfg_reset", args=1, routes=ANY, doc="Return to the default cfg group instance")

# Pseudo-variables registered by the core itself (pv_core.c); everything else is in modules/pv.py.
exports.pv("?", doc="Return code of the last function or route")
exports.pv("rc", doc="Return code of the last function or route")
exports.pv("retcode", doc="Return code of the last function or route")
exports.pv("env", inner=True, doc="Value of an environment variable ($env(NAME))")
exports.pv("envn", inner=True, doc="Environment variable as a number ($envn(NAME))")
exports.pv("def", inner=True, doc="Value of a #!define ($def(NAME))")
exports.pv("defn", inner=True, doc="Value of a #!define as a number ($defn(NAME))")
exports.pv("null", doc="The null value; assigning it deletes an AVP, XAVP or resets a variable")

# Event routes the core runs itself.
exports.event_routes = ("core:worker-one-init", "core:receive-parse-error", "core:msg-received")

# Core RPC commands (core_cmd.c); kex, cfg_rpc, counters ... declare their own.
_CORE_RPCS = {
    "core.aliases_list": ("Returns the list of local SIP server host aliases", ()),
    "core.arg": ("Print command line arguments", ()),
    "core.echo": ("Returns back its parameters", ("...",)),
    "core.flags": ("Returns the compile flags", ()),
    "core.info": ("Verbose info: version, compile flags, compiler, repository hash", ()),
    "core.runinfo": ("Runtime details like running version, uptime", ()),
    "core.kill": ("Kill the application", ("signal",)),
    "core.printi": ("Returns the integers given as parameters", ("...",)),
    "core.prints": ("Returns the strings given as parameters", ("...",)),
    "core.ps": ("Returns the description of running processes", ()),
    "core.psx": ("Returns the detailed description of running processes", ()),
    "core.pwd": ("Print working directory", ()),
    "core.shmmem": ("Returns shared memory info", ("units",)),
    "core.sockets_list": ("Returns the list of local SIP server listen sockets", ()),
    "core.tcp_info": ("Returns TCP related info", ()),
    "core.tcp_list": ("Returns TCP connections details", ()),
    "core.tcp_options": ("Returns active TCP options", ()),
    "core.udp4_raw_info": ("Returns udp4_raw mode related info", ()),
    "core.uptime": ("Print uptime", ()),
    "core.version": ("Print version information", ()),
    "core.ppdefines": ("List preprocessor defines enabled in config", ()),
    "core.ppdefines_full": ("List preprocessor defines with their values", ()),
    "core.modules": ("List loaded modules in config", ()),
    "system.listMethods": ("Lists all RPC methods supported by the server", ()),
    "system.methodHelp": ("Returns the help text of a method", ("method",)),
    "system.methodSignature": ("Returns signature of given method", ("method",)),
}
for _rpc, (_doc, _params) in _CORE_RPCS.items():
    exports.rpc(_rpc, _doc, _params)
