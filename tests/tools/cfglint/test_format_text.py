"""--format text (the default): location, code and message, the source line, a caret, the hint."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

RED = "\x1b[1;31m"


def test_first_line_is_file_line_col_code_message(cfglint, cfg):
    first = cfglint(cfg("bad.cfg")).stdout.splitlines()[0]
    assert first == "bad.cfg:2:11: E209 route(MISSING) calls a route that is not defined"


def test_source_line_and_caret_spanning_the_finding(cfglint, cfg):
    lines = cfglint(cfg("bad.cfg")).stdout.splitlines()
    assert lines[1:3] == [
        "2 |     route(MISSING);",
        "  |           ^^^^^^^",
    ]


def test_hint_follows_the_caret(cfglint, cfg):
    block = cfglint(cfg("bad.cfg")).stdout.split("\n\n")[1].splitlines()
    assert block == [
        "bad.cfg:3:5: W203 'return 0' stops the whole script, like exit",
        "3 |     return 0;",
        "  |     ^^^^^^^^^",
        "  = hint: return 1 (true) or -1 (false) to go back to the caller",
    ]


def test_caret_stays_under_the_column_after_a_tab(cfglint, cfg):
    lines = cfglint(cfg("tab.cfg", "request_route {\n\troute(MISSING);\n}\n")).stdout.splitlines()
    assert lines[1:3] == [
        "2 |         route(MISSING);",
        "  |               ^^^^^^^",
    ]


def test_point_at_end_of_line_gets_one_caret(cfglint, cfg):
    text = 'request_route {\n    xlog("x")\n    exit;\n}\n'
    lines = cfglint(cfg("semi.cfg", text)).stdout.splitlines()
    assert lines[0].startswith("semi.cfg:2:14: E121 ")
    assert lines[1:3] == [
        '2 |     xlog("x")',
        "  |              ^",
    ]


def test_summary_goes_to_stderr(cfglint, cfg):
    result = cfglint(cfg("bad.cfg"), cfg("good.cfg"))
    assert result.stderr == "1 error, 1 warning in 2 files\n"
    assert "in 2 files" not in result.stdout


def test_clean_run_prints_only_the_summary(cfglint, cfg):
    result = cfglint(cfg("good.cfg"))
    assert (result.stdout, result.stderr) == ("", "0 errors, 0 warnings in 1 file\n")


def test_stdin_is_linted_with_its_own_source_lines(cfglint, configs):
    lines = cfglint("-", stdin=configs["bad.cfg"]).stdout.splitlines()
    assert lines[:3] == [
        "<stdin>:2:11: E209 route(MISSING) calls a route that is not defined",
        "2 |     route(MISSING);",
        "  |           ^^^^^^^",
    ]


def test_piped_output_has_no_colour(cfglint, cfg):
    assert "\x1b" not in cfglint(cfg("bad.cfg")).stdout


def test_color_always_colours_piped_output(cfglint, cfg):
    assert RED in cfglint("--color", "always", cfg("bad.cfg")).stdout


def run_on_terminal(tmp_path, *args: str, env: dict[str, str]) -> str:
    """Run cfglint with stdout on a pseudo-terminal, as a person at a shell would."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "siprouter.tools.cfglint", *args],
                            cwd=tmp_path, stdout=secondary, stderr=subprocess.DEVNULL, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    proc.wait(timeout=60)
    return b"".join(chunks).decode()


def test_terminal_output_is_coloured(tmp_path, cfg, make_env):
    out = run_on_terminal(tmp_path, cfg("bad.cfg"), env=make_env(TERM="xterm-256color"))
    assert RED in out


def test_no_color_turns_colour_off_on_a_terminal(tmp_path, cfg, make_env):
    env = make_env(TERM="xterm-256color", NO_COLOR="1")
    out = run_on_terminal(tmp_path, cfg("bad.cfg"), env=env)
    assert "E209" in out
    assert "31m" not in out and "33m" not in out
