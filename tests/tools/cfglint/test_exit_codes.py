"""cfglint's exit status: 0 clean, 1 findings, 2 usage or I/O error, never a traceback."""

from __future__ import annotations


def test_clean_config_exits_0(cfglint, cfg):
    assert cfglint(cfg("good.cfg")).returncode == 0


def test_findings_exit_1(cfglint, cfg):
    assert cfglint(cfg("bad.cfg")).returncode == 1


def test_warnings_alone_exit_1_by_default(cfglint, cfg):
    result = cfglint("--select", "W", cfg("bad.cfg"))
    assert result.returncode == 1


def test_fail_on_error_lets_warnings_pass(cfglint, cfg):
    result = cfglint("--select", "W", "--fail-on", "error", cfg("bad.cfg"))
    assert result.returncode == 0
    assert "W203" in result.stdout


def test_unknown_option_exits_2_with_usage(cfglint, cfg):
    result = cfglint("--no-such-option", cfg("good.cfg"))
    assert result.returncode == 2
    assert result.stderr.startswith("usage: cfglint")
    assert "Traceback" not in result.stderr


def test_no_file_is_a_usage_error(cfglint):
    assert cfglint().returncode == 2


def test_missing_file_exits_2_with_one_line(cfglint):
    result = cfglint("missing.cfg")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "cfglint: cannot read missing.cfg: No such file or directory\n"


def test_directory_is_unreadable(cfglint, tmp_path):
    (tmp_path / "adir").mkdir()
    result = cfglint("adir")
    assert result.returncode == 2
    assert result.stderr == "cfglint: cannot read adir: Is a directory\n"


def test_unreadable_file_stops_the_run_before_any_report(cfglint, cfg):
    result = cfglint("--format", "json", cfg("bad.cfg"), "missing.cfg")
    assert result.returncode == 2
    assert result.stdout == ""


def test_invalid_define_name_is_a_usage_error(cfglint, cfg):
    result = cfglint("-A", "1BAD", cfg("good.cfg"))
    assert result.returncode == 2
    assert "invalid define name" in result.stderr
