"""--format github: one GitHub Actions workflow command per finding."""

from __future__ import annotations


def test_each_finding_is_a_workflow_command(cfglint, cfg):
    lines = cfglint("--format", "github", cfg("bad.cfg")).stdout.splitlines()
    assert lines == [
        "::error file=bad.cfg,line=2,endLine=2,col=11,endColumn=18,title=E209::"
        "route(MISSING) calls a route that is not defined",
        "::warning file=bad.cfg,line=3,endLine=3,col=5,endColumn=14,title=W203::"
        "'return 0' stops the whole script, like exit"
        "%0Ahint: return 1 (true) or -1 (false) to go back to the caller",
    ]


def test_separators_in_file_names_are_escaped(cfglint, cfg, configs):
    line = cfglint("--format", "github", cfg("a,b.cfg", configs["bad.cfg"])).stdout.splitlines()[0]
    assert line.startswith("::error file=a%2Cb.cfg,line=2,")


def test_clean_config_prints_nothing(cfglint, cfg):
    result = cfglint("--format", "github", cfg("good.cfg"))
    assert (result.returncode, result.stdout) == (0, "")
