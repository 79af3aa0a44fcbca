"""--format sarif: a SARIF 2.1.0 log that code-scanning services accept."""

from __future__ import annotations

import json

from siprouter.core.cfg.diagnostics import RULES


def sarif(result):
    return json.loads(result.stdout)


def test_log_is_sarif_2_1_0_from_cfglint(cfglint, cfg):
    log = sarif(cfglint("--format", "sarif", cfg("bad.cfg")))
    assert log["version"] == "2.1.0"
    assert "sarif-2.1.0" in log["$schema"]
    assert len(log["runs"]) == 1
    assert log["runs"][0]["tool"]["driver"]["name"] == "cfglint"


def test_driver_lists_every_rule(cfglint, cfg):
    driver = sarif(cfglint("--format", "sarif", cfg("good.cfg")))["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    assert all(r["shortDescription"]["text"] for r in driver["rules"])


def test_results_carry_rule_level_message_and_region(cfglint, cfg):
    log = sarif(cfglint("--format", "sarif", cfg("bad.cfg")))
    run = log["runs"][0]
    error, warning = run["results"]
    assert (error["ruleId"], error["level"], warning["level"]) == ("E209", "error", "warning")
    assert run["tool"]["driver"]["rules"][error["ruleIndex"]]["id"] == "E209"
    assert error["message"]["text"] == "route(MISSING) calls a route that is not defined"
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad.cfg"
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (2, 11)


def test_clean_config_has_no_results(cfglint, cfg):
    result = cfglint("--format", "sarif", cfg("good.cfg"))
    assert (result.returncode, sarif(result)["runs"][0]["results"]) == (0, [])
