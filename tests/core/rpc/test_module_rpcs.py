"""What each RPC answers, called through the dispatcher as a transport would."""

from __future__ import annotations

from typing import Any

import pytest

from siprouter.core.rpc.errors import INVALID_PARAMS, METHOD_NOT_FOUND, RPCFault


def call(mgmt, method: str, *params: Any) -> Any:
    return mgmt.dispatcher.call_sync(method, list(params))


def fault(mgmt, method: str, *params: Any) -> RPCFault:
    with pytest.raises(RPCFault) as exc:
        call(mgmt, method, *params)
    return exc.value


# --- core and system ----------------------------------------------------------------------------

def test_core_version_is_shaped_like_kamailios(mgmt):
    assert call(mgmt, "core.version").startswith("siprouter 0.1.0 (")


def test_core_uptime_has_now_up_since_and_uptime(mgmt):
    assert set(call(mgmt, "core.uptime")) == {"now", "up_since", "uptime"}


def test_core_ps_alternates_pid_and_description_and_psx_is_structs(mgmt):
    ps = call(mgmt, "core.ps")
    assert isinstance(ps[0], int) and isinstance(ps[1], str)
    assert set(call(mgmt, "core.psx")[0]) == {"IDX", "PID", "DSC"}


def test_core_echo_returns_its_parameters(mgmt):
    assert call(mgmt, "core.echo", "a", 1, 2.5) == ["a", 1, 2.5]


def test_core_modules_defines_sockets_and_aliases_come_from_the_config(mgmt):
    assert "counters" in call(mgmt, "core.modules")
    assert "WITH_DEMO" in call(mgmt, "core.ppdefines")
    (entry,) = call(mgmt, "core.sockets_list")
    assert entry == {"socket": {"proto": "udp", "address": "127.0.0.1", "port": "5060",
                                "mcast": "no", "mhomed": "no", "virtual": "no"}}
    assert call(mgmt, "core.aliases_list") == {
        "myself_callbacks": "no",
        "aliases": [{"alias": {"proto": "*", "address": "example.com", "port": 5070}}]}


def test_core_info_tcp_shmmem_and_udp4_raw_are_structs(mgmt):
    assert "version" in call(mgmt, "core.info")
    assert "max_connections" in call(mgmt, "core.tcp_info")
    assert {"total", "free", "used"} <= set(call(mgmt, "core.shmmem"))
    assert call(mgmt, "core.udp4_raw_info")["udp4_raw"] == 0
    assert fault(mgmt, "core.shmmem", "parsecs").code == 400


def test_core_kill_sends_the_signal_through_the_server(mgmt):
    sent = []
    mgmt.info.kill = sent.append
    call(mgmt, "core.kill")
    call(mgmt, "core.kill", "USR1")
    assert sent == [15, 10]
    assert fault(mgmt, "core.kill", "nonsense").code == 400


def test_system_introspection(mgmt):
    names = call(mgmt, "system.listMethods")
    assert {"core.version", "cnt.get", "cfg.get", "stats.fetch", "tls.info"} <= set(names)
    assert call(mgmt, "system.methodHelp", "cnt.get") == (
        "get counter value (takes group and counter name as parameters)")
    assert call(mgmt, "system.methodSignature", "cnt.get") == [["any", "string", "string"]]


def test_method_help_of_an_unknown_method_is_kamailios_400(mgmt):
    unknown = fault(mgmt, "system.methodHelp", "nope.nope")
    assert (unknown.code, unknown.message) == (400, "command not found")
    missing = fault(mgmt, "system.methodHelp")
    assert (missing.code, missing.message) == (400, "Method Name Expected")


def test_declared_but_unwritten_methods_are_not_listed_and_answer_method_not_found(mgmt):
    assert "tm.stats" not in call(mgmt, "system.listMethods")
    assert fault(mgmt, "cfg.add_group_inst", "core", "x").code == METHOD_NOT_FOUND


def test_tls_rpcs_report_config_values(mgmt):
    assert call(mgmt, "tls.options")["verify_depth"] == 9
    assert call(mgmt, "tls.list") == []
    assert call(mgmt, "tls.info")["opened_connections"] == 0


# --- counters -----------------------------------------------------------------------------------

def test_module_and_script_counters_are_defined(mgmt):
    assert call(mgmt, "cnt.grps_list") == ["location", "registrar", "script"]  # sorted
    assert "accepted_regs" in call(mgmt, "cnt.var_list", "registrar")
    assert call(mgmt, "cnt.var_list", "location") == ["offline"]
    assert call(mgmt, "cnt.help", "script", "foo") == "my test counter"


def test_cnt_get_reset_and_grp_get_all(mgmt):
    mgmt.counters.handle("script", "foo").inc(6)
    assert call(mgmt, "cnt.get", "script", "foo") == 6
    assert call(mgmt, "cnt.grp_get_all", "script") == {"foo": 6}
    assert call(mgmt, "cnt.reset", "script", "foo") is None
    assert call(mgmt, "cnt.get", "script", "foo") == 0
    assert call(mgmt, "cnt.get_raw", "script", "foo") == 0


def test_unknown_counter_is_a_fault_and_unknown_group_empty_as_in_kamailio(mgmt):
    assert fault(mgmt, "cnt.get", "script", "nope").code == 400
    assert call(mgmt, "cnt.var_list", "nope") == []
    assert call(mgmt, "cnt.grp_get_all", "nope") == {}
    assert call(mgmt, "cnt.get", "nope") == {}
    assert fault(mgmt, "cnt.get").code == INVALID_PARAMS


def test_cnt_get_without_a_name_answers_the_whole_group(mgmt):
    mgmt.counters.handle("script", "foo").inc(2)
    assert call(mgmt, "cnt.get", "script") == call(mgmt, "cnt.grp_get_all", "script")
    assert call(mgmt, "cnt.get", "script")["foo"] >= 2


def test_registrar_parameter_statistics_show_the_configured_values(mgmt):
    values = call(mgmt, "stats.fetch", "registrar:")
    assert set(values) == {f"registrar.{n}" for n in (
        "accepted_regs", "default_expire", "default_expires_range", "expires_range",
        "max_contacts", "max_expires", "rejected_regs")}
    assert values["registrar.default_expire"] == call(mgmt, "cfg.get", "registrar",
                                                      "default_expires")


def test_stats_rpcs_give_structured_results(mgmt):
    mgmt.counters.handle("location", "offline").inc(2)
    assert call(mgmt, "stats.get_statistics", "location:") == {"location:offline": 2}
    assert call(mgmt, "stats.get_statistics", "offline") == {"location:offline": 2}
    fetched = call(mgmt, "stats.fetch", "all")
    assert fetched["location.offline"] == 2 and fetched["registrar.accepted_regs"] == 0
    assert call(mgmt, "stats.clear_statistics", "offline") == {"location:offline": 2}
    assert call(mgmt, "stats.fetch", "location:offline") == {"location.offline": 0}
    mgmt.counters.handle("script", "foo").inc()
    call(mgmt, "stats.reset_statistics", "all")
    after = call(mgmt, "stats.fetch")
    assert after.pop("registrar.default_expire") == 1800  # a parameter's value: not reset
    assert set(after.values()) == {0}


# --- cfg ----------------------------------------------------------------------------------------

def test_cfg_list_get_and_help(mgmt):
    assert "core: debug" in call(mgmt, "cfg.list")
    assert "registrar: default_expires" in call(mgmt, "cfg.list", "registrar")
    assert call(mgmt, "cfg.get", "core", "debug") == 2
    assert call(mgmt, "cfg.get", "registrar", "default_expires") == 1800
    assert call(mgmt, "cfg.help", "core", "debug") == "debug level\n(parameter type is integer)"


def test_cfg_get_without_a_variable_answers_the_whole_group(mgmt):
    group = call(mgmt, "cfg.get", "registrar")
    assert group["default_expires"] == 1800
    assert set(group) == {v.split(": ")[1] for v in call(mgmt, "cfg.list", "registrar")}
    assert call(mgmt, "cfg.get", "nosuchgroup") == {}  # as Kamailio answers


def test_cfg_set_now_variants(mgmt):
    call(mgmt, "cfg.seti", "core", "debug", 3)
    assert call(mgmt, "cfg.get", "core", "debug") == 3
    call(mgmt, "cfg.set_now_int", "core", "debug", "1")
    assert call(mgmt, "cfg.get", "core", "debug") == 1
    call(mgmt, "cfg.sets", "core", "log_facility", "LOG_LOCAL0")
    call(mgmt, "cfg.set", "registrar", "default_expires", 60)
    assert call(mgmt, "cfg.get", "core", "log_facility") == "LOG_LOCAL0"
    assert call(mgmt, "cfg.get", "registrar", "default_expires") == 60


def test_cfg_delayed_changes_commit_and_rollback(mgmt):
    call(mgmt, "cfg.set_delayed_int", "core", "debug", 4)
    call(mgmt, "cfg.set_delayed_string", "core", "log_facility", "LOG_LOCAL1")
    assert call(mgmt, "cfg.get", "core", "debug") == 2
    assert call(mgmt, "cfg.diff") == [
        {"group name": "core", "variable name": "debug", "old value": 2, "new value": 4},
        {"group name": "core", "variable name": "log_facility", "old value": "LOG_DAEMON",
         "new value": "LOG_LOCAL1"}]
    call(mgmt, "cfg.commit")
    assert call(mgmt, "cfg.get", "core", "debug") == 4
    call(mgmt, "cfg.set_delayed_int", "core", "debug", 0)
    call(mgmt, "cfg.rollback")
    assert call(mgmt, "cfg.diff") == []
    assert call(mgmt, "cfg.get", "core", "debug") == 4


def test_cfg_bad_names_types_and_instances_are_faults(mgmt):
    assert fault(mgmt, "cfg.get", "nope", "debug").code == 400
    assert fault(mgmt, "cfg.get", "core", "nope").code == 400
    assert fault(mgmt, "cfg.seti", "core", "log_facility", "x").code == INVALID_PARAMS
    assert fault(mgmt, "cfg.set_now_string", "core", "debug", "lots").code == 400
    assert fault(mgmt, "cfg.get", "core[1]", "debug").code == 400


# --- ctl ----------------------------------------------------------------------------------------

def test_ctl_reports_the_management_listeners(mgmt):
    # Kamailio's flat rows: protocol, type, address, port per listener.
    mgmt.info.listeners = lambda: [("http", "tcp", "127.0.0.1", "5080")]
    assert call(mgmt, "ctl.listen") == ["http", "tcp", "127.0.0.1", "5080"]
    assert call(mgmt, "ctl.connections") == 0


def test_a_blocking_handler_runs_off_the_event_loop():
    import asyncio
    import threading

    from siprouter.core.exports import ModuleExports
    from siprouter.core.rpc.context import ServerInfo
    from siprouter.core.rpc.dispatch import Dispatcher, blocking
    from siprouter.core.rpc.registry import RPCRegistry

    m = ModuleExports("demo")

    @m.rpc("demo.where")
    @blocking
    def where(ctx) -> str:
        return threading.current_thread().name

    d = Dispatcher(RPCRegistry([m]), ServerInfo())
    assert asyncio.run(d.call("demo.where", [])).startswith("rpc-handler")
    d.close()
