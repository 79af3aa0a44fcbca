"""`siprouter -c` checks a config like `kamailio -c`; exit status and output are the contract."""

from __future__ import annotations

import subprocess
import sys

import pytest


def siprouter(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "siprouter.core.main", *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.fixture
def good_cfg(tmp_path):
    path = tmp_path / "good.cfg"
    path.write_text('loadmodule "sl.so"\nrequest_route {\n  sl_send_reply("200", "OK");\n}\n')
    return path


def test_check_good_config_prints_ok_and_exits_zero(good_cfg):
    proc = siprouter("-c", "-f", str(good_cfg))
    assert proc.returncode == 0
    assert proc.stderr == "config file ok, exiting...\n"


def test_check_bad_config_lists_errors_and_exits_one(tmp_path):
    bad = tmp_path / "bad.cfg"
    bad.write_text("request_route {\n  exit\n  nosuch();\n}\n")
    proc = siprouter("-c", "-f", str(bad))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == f"ERROR: {bad}:2:7: E121 missing ';' after exit"
    assert lines[-1] == "ERROR: bad config file (1 error)"


def test_check_bundled_default_config_without_f():
    proc = siprouter("-c")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("define", ["WITH_AUTH", "WITH_USRLOCDB"])
def test_bundled_default_config_checks_with_each_toggle(define):
    proc = siprouter("-c", "-A", define)
    assert proc.returncode == 0, proc.stderr


def test_define_on_command_line_selects_ifdef_branch(tmp_path):
    cfg = tmp_path / "d.cfg"
    cfg.write_text("#!ifdef WITH_BROKEN\nrequest_route {\n#!else\nrequest_route {}\n#!endif\n")
    assert siprouter("-c", "-f", str(cfg)).returncode == 0
    assert siprouter("-c", "-f", str(cfg), "-A", "WITH_BROKEN").returncode == 1


def test_cfg_print_shows_config_after_preprocessing(tmp_path):
    cfg = tmp_path / "p.cfg"
    cfg.write_text("#!define LEVEL 3\ndebug=LEVEL\n")
    proc = siprouter("--cfg-print", "-f", str(cfg))
    assert proc.returncode == 0
    assert "debug=3" in proc.stdout


def test_missing_config_file_is_one_clear_error(tmp_path):
    proc = siprouter("-c", "-f", str(tmp_path / "nope.cfg"))
    assert proc.returncode == 1
    assert "E102" in proc.stderr and "Traceback" not in proc.stderr


def test_kamailio_compat_flags_are_accepted(good_cfg):
    proc = siprouter("-c", "-f", str(good_cfg), "-D", "-E", "-L", "/usr/lib/kamailio/modules",
                     "-m", "64", "-M", "8", "-n", "2")
    assert proc.returncode == 0, proc.stderr


def test_unknown_option_exits_two_with_usage():
    proc = siprouter("--no-such-option")
    assert proc.returncode == 2
    assert "usage: siprouter" in proc.stderr
