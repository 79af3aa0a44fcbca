"""Module export declarations: every module loads, names itself after its file, and declares
what Kamailio's modules export. The stock-cfg data below was extracted once from the Debian
kamailio 5.6.3 `kamailio.cfg` (every `#!ifdef` branch) and is kept here as data."""

from __future__ import annotations

import pytest

from siprouter.core.exports import ModuleExports, Registry, RouteType

# loadmodule lines of the stock kamailio.cfg (all WITH_* defines on).
STOCK_CFG_MODULES = (
    "db_mysql", "xhttp", "jsonrpcs", "kex", "corex", "tm", "tmx", "sl", "rr", "pv", "maxfwd",
    "usrloc", "registrar", "textops", "textopsx", "siputils", "xlog", "sanity", "ctl",
    "cfg_rpc", "acc", "counters", "auth", "auth_db", "permissions", "alias_db", "speeddial",
    "domain", "presence", "presence_xml", "nathelper", "rtpengine", "rtpproxy", "tls", "htable",
    "pike", "debugger",
)

# Every script function the stock cfg calls, with the argument counts it uses.
STOCK_CFG_CALLS = {
    ("add_rr_param", 1), ("alias_db_lookup", 1), ("allow_source_address", 0), ("append_hf", 1),
    ("auth_challenge", 2), ("auth_check", 3), ("check_route_param", 1),
    ("consume_credentials", 0), ("fix_nated_register", 0), ("force_rport", 0),
    ("handle_publish", 0), ("handle_ruri_alias", 0), ("handle_subscribe", 0), ("has_totag", 0),
    ("is_first_hop", 0), ("is_method", 1), ("is_reply", 0), ("is_request", 0),
    ("isbflagset", 1), ("isdsturiset", 0), ("isflagset", 1), ("jsonrpc_dispatch", 0),
    ("lookup", 1), ("loose_route", 0), ("mf_process_maxfwd_header", 1),
    ("msg_apply_changes", 0), ("nat_uac_test", 1), ("pike_check_req", 0), ("prefix", 1),
    ("record_route", 0), ("remove_hf", 1), ("route", 1), ("rtpengine_manage", 1),
    ("rtpproxy_manage", 1), ("sanity_check", 2), ("save", 1), ("sd_lookup", 1),
    ("send_reply", 2), ("set_contact_alias", 0), ("set_forward_no_connect", 0),
    ("set_reply_close", 0), ("set_reply_no_connect", 0), ("setbflag", 1), ("setflag", 1),
    ("sl_reply_error", 0), ("sl_send_reply", 2), ("starts_with", 2), ("strip", 1),
    ("t_check_status", 1), ("t_check_trans", 0), ("t_is_branch_route", 0), ("t_is_canceled", 0),
    ("t_is_set", 1), ("t_newtran", 0), ("t_on_branch", 1), ("t_on_failure", 1),
    ("t_on_reply", 1), ("t_precheck_trans", 0), ("t_relay", 0), ("t_release", 0),
    ("t_reply", 2), ("xdbg", 1), ("xhttp_reply", 4), ("xlog", 1), ("xlog", 2),
}
STOCK_CFG_FUNCTIONS = {name for name, _ in STOCK_CFG_CALLS}

# modparam("module", "name", ...) lines (the "nathelper|registrar" regex line counts for both).
STOCK_CFG_MODPARAMS = {
    "acc": {"db_extra", "db_flag", "db_missed_flag", "db_url", "detect_direction", "early_media", "failed_transaction_flag", "log_extra", "log_flag", "log_missed_flag", "report_ack", "report_cancels"},
    "alias_db": {"db_url", "use_domain"},
    "auth_db": {"calculate_ha1", "db_url", "load_credentials", "password_column", "use_domain"},
    "debugger": {"cfgtrace", "log_level_name"},
    "domain": {"db_url", "register_myself"},
    "htable": {"htable"},
    "jsonrpcs": {"pretty_format", "transport"},
    "nathelper": {"natping_interval", "ping_nated_only", "received_avp", "sipping_bflag", "sipping_from"},
    "permissions": {"db_url", "load_backends"},
    "pike": {"remove_latency", "reqs_density_per_unit", "sampling_time_unit"},
    "presence": {"db_url"},
    "presence_xml": {"db_url", "force_active"},
    "registrar": {"gruu_enabled", "max_expires", "method_filtering", "path_mode", "received_avp", "use_path"},
    "rr": {"append_fromtag", "enable_full_lr"},
    "rtpengine": {"rtpengine_sock"},
    "rtpproxy": {"rtpproxy_sock"},
    "sanity": {"autodrop"},
    "speeddial": {"db_url", "use_domain"},
    "tls": {"config"},
    "tm": {"failure_reply_mode", "fr_inv_timer", "fr_timer"},
    "usrloc": {"db_mode", "db_url", "nat_bflag", "timer_interval", "timer_procs", "use_domain"},
}

# Pseudo-variable classes the stock cfg reads or writes ($var(x), $(avp(x)), $T_branch_idx ...).
STOCK_CFG_PVS = {
    "T_branch_idx", "avp", "ci", "du", "fU", "fd", "fu", "hdr", "hu", "mt", "null", "rU", "rc",
    "rd", "rm", "ru", "sel", "sht", "si", "sp", "tU", "ua", "var",
}

KAMAILIO_31_MODULES = (
    "acc_radius", "app_lua", "geoip", "mqueue", "mtree", "pipelimit", "presence_conference",
    "xcap_server", "blst", "dialog", "dispatcher", "lcr", "msilo", "uac", "db_sqlite",
    "db_postgres", "xmlrpc", "cfgutils", "sqlops", "avpops", "ratelimit", "uac_redirect", "exec",
)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


@pytest.fixture(scope="module")
def stock(registry: Registry):
    return registry.loaded(STOCK_CFG_MODULES)


def test_every_available_module_imports_and_is_named_after_its_file(registry):
    names = registry.available()
    assert names, "no modules found"
    for name in names:
        exports = registry.get(name)
        assert isinstance(exports, ModuleExports)
        assert exports.name == name


def test_stock_cfg_and_31_modules_are_all_declared(registry):
    missing = [m for m in (*STOCK_CFG_MODULES, *KAMAILIO_31_MODULES) if not registry.has(m)]
    assert missing == []


def test_core_declarations_load(registry):
    core = registry.core()
    assert core.name == "core"
    assert "route" in core.functions and "force_rport" in core.functions


def _module_sources():
    import importlib
    import inspect

    registry = Registry()
    for name in registry.available():
        yield name, inspect.getsource(importlib.import_module(f"siprouter.modules.{name}"))


@pytest.mark.parametrize("kind", ["function", "param", "pv", "rpc"])
def test_no_module_declares_a_name_twice(kind):
    # A second declaration would silently replace the first in the dict: check the source.
    import re

    for name, source in _module_sources():
        declared = re.findall(rf'exports\.{kind}\(\s*"([^"]+)"', source)
        dupes = {f for f in declared if declared.count(f) > 1}
        assert not dupes, f"{name} declares {kind} {sorted(dupes)} more than once"


def test_function_arities_and_routes_are_well_formed(registry):
    for name in registry.available():
        for spec in registry.get(name).functions.values():
            assert spec.arities and all(a >= 0 for a in spec.arities), (name, spec.name)
            assert spec.routes & RouteType.ANY, (name, spec.name)
            assert spec.module == name


def test_t_relay_takes_no_args_or_host_and_port(registry):
    t_relay = registry.get("tm").functions["t_relay"]
    assert t_relay.accepts(0) and t_relay.accepts(2)
    assert not t_relay.accepts(1)


def test_t_relay_runs_in_request_and_failure_routes(registry):
    routes = registry.get("tm").functions["t_relay"].routes
    assert routes & RouteType.REQUEST and routes & RouteType.FAILURE
    # Kamailio's tm registers t_relay for REQUEST_ROUTE|FAILURE_ROUTE only; branch_route is
    # refused at startup, so we refuse it too.
    assert not routes & RouteType.BRANCH


def test_sl_send_reply_takes_code_and_reason(registry):
    assert registry.get("sl").functions["sl_send_reply"].arities == (2,)


def test_xlog_takes_format_with_optional_level(registry):
    xlog = registry.get("xlog").functions["xlog"]
    assert xlog.accepts(1) and xlog.accepts(2)


def test_save_takes_one_to_three_args(registry):
    save = registry.get("registrar").functions["save"]
    assert all(save.accepts(n) for n in (1, 2, 3))
    assert not save.accepts(0)


def test_source_ip_is_read_only_and_request_uri_writable(registry):
    pv = registry.get("pv").pvs
    assert not pv["si"].writable
    assert pv["ru"].writable


def test_string_length_transformation_exists(registry):
    assert "len" in registry.get("pv").transformations["s"]


def test_tm_declares_local_request_event_route(registry):
    assert "tm:local-request" in registry.get("tm").event_routes


def test_31_renamed_functions_are_declared(registry):
    for module, function in [
        ("xlog", "xlogl"), ("tm", "t_set_no_e2e_cancel_reason"), ("acc_radius", "acc_rad_request"),
        ("uac", "uac_reg_lookup"), ("dispatcher", "ds_load_update"), ("dialog", "is_known_dlg"),
        ("pipelimit", "pl_check"), ("textopsx", "change_reply_status"),
        ("textopsx", "msg_apply_changes"), ("blst", "blst_set_ignore"),
        ("blst", "blst_is_blacklisted"), ("kex", "km_append_branch"),
    ]:
        assert function in registry.get(module).functions, (module, function)


def test_module_pv_classes_live_in_their_modules(registry):
    for module, pv in [
        ("tmx", "T_reply_code"), ("htable", "sht"), ("geoip", "gip"), ("mqueue", "mqk"),
        ("mqueue", "mqv"), ("mqueue", "mq_size"), ("xhttp", "hu"), ("jsonrpcs", "jsonrpl"),
        ("dialog", "dlg"), ("dialog", "dlg_var"), ("registrar", "ulc"), ("pv", "shv"),
    ]:
        assert pv in registry.get(module).pvs, (module, pv)


def test_every_stock_cfg_function_is_exported(stock):
    missing = sorted(STOCK_CFG_FUNCTIONS - stock.functions.keys())
    assert missing == []


@pytest.mark.parametrize(("name", "argc"), sorted(STOCK_CFG_CALLS))
def test_stock_cfg_call_has_an_accepted_argument_count(stock, name, argc):
    assert stock.functions[name].accepts(argc)


def test_every_stock_cfg_modparam_is_declared(registry):
    missing = [
        (module, param)
        for module, params in STOCK_CFG_MODPARAMS.items()
        for param in params
        if param not in registry.get(module).params
    ]
    assert missing == []


def test_every_stock_cfg_pv_class_is_declared(stock):
    missing = sorted(STOCK_CFG_PVS - stock.pvs.keys())
    assert missing == []
