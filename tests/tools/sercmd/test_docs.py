"""docs/sercmd.md stays in step with the code: every option, alias and built-in is described."""

from __future__ import annotations

import re
from pathlib import Path

from siprouter.tools.sercmd.cli import build_parser
from siprouter.tools.sercmd.commands import ALIASES, BUILTINS

DOC = (Path(__file__).resolve().parents[3] / "docs" / "sercmd.md").read_text(encoding="utf-8")


def table_rows(first_cell: str) -> list[list[str]]:
    """Rows of the markdown table whose header starts with `first_cell`."""
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_cell} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_every_option_is_in_the_options_table() -> None:
    documented = " ".join(row[0] for row in table_rows("Option"))
    for action in build_parser()._actions:
        for flag in action.option_strings:
            assert f"`{flag}" in documented, flag


def test_alias_table_matches_the_aliases() -> None:
    rows = {}
    for names, method, fmt in table_rows("Alias"):
        for name in re.findall(r"`([^`]+)`", names):
            rows[name] = (method.strip("`"), fmt.strip("`") or None)
    assert rows == {name: (a.method, a.format.replace("\t", "\\t").replace("\n", "\\n")
                           if a.format else None) for name, a in ALIASES.items()}


def test_every_builtin_is_described() -> None:
    documented = " ".join(row[0] for row in table_rows("Built-in"))
    for name in BUILTINS:
        assert f"`{name}`" in documented, name


def test_exit_statuses_match_the_code() -> None:
    from siprouter.tools.sercmd import cli, runner

    codes = [int(row[0]) for row in table_rows("Exit")]
    assert codes == [runner.EXIT_OK, runner.EXIT_FAULT, runner.EXIT_USAGE,
                     runner.EXIT_CONNECTION, cli.EXIT_INTERNAL]
