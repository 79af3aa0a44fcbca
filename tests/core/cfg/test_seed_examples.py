"""Every code example of the Kamailio 3.1 release notes, completed into a whole config, is
accepted by the front-end: no errors, and for most no warnings either."""

from __future__ import annotations

from pathlib import Path

import pytest

from siprouter.core.cfg.frontend import analyze_file

SEED = Path(__file__).parent / "seed"
EXAMPLES = sorted(SEED.glob("*.cfg"))


def test_every_release_note_module_has_an_example():
    names = {p.stem for p in EXAMPLES}
    assert {"acc_radius", "app_lua", "counters", "debugger", "geoip", "mqueue", "mtree",
            "pipelimit", "textopsx", "xhttp", "xcap_server", "tm", "tmx", "uac", "xlog", "pv",
            "blst", "preprocessor", "expressions_as_params", "core_params", "tls",
            "lcr", "presence_conference", "dialog_dispatcher_msilo"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_release_note_example_is_accepted(path):
    analysis = analyze_file(str(path))
    assert [d.render() for d in analysis.diagnostics] == []


def test_multi_line_define_expands_into_the_while_loop():
    analysis = analyze_file(str(SEED / "preprocessor.cfg"))
    body = analysis.config.routes[0].body.body
    assert [type(s).__name__ for s in body] == ["AssignStmt", "AssignStmt", "AssignStmt",
                                                "WhileStmt"]


def test_subst_rewrites_the_password_inside_the_db_url_string():
    analysis = analyze_file(str(SEED / "preprocessor.cfg"))
    (mp,) = analysis.config.modparams
    assert mp.value.value == "mysql://user:xyz@localhost/db"
