"""`cfglint [options] FILE...`: run the cfg front-end on each file and report what it found.

Exit status: 0 when nothing at or above `--fail-on` remains after `--select`/`--ignore`, 1 when
something does, 2 for usage errors, unreadable files and internal errors (never a traceback:
pre-commit and CI show our output to people who did not write this tool).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

from rich.console import Console

from siprouter.core.cfg.diagnostics import RULES, Diagnostic, Severity
from siprouter.core.cfg.frontend import Analysis, analyze_file, analyze_text
from siprouter.core.cfg.preprocess import parse_cli_define

from . import report_github, report_json, report_sarif, report_text
from .findings import Counts, summary_line, unique
from .selection import Selection, SelectorError, split_selectors, validate
from .sources import SourceLines

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"
STDIN_NAME = "<stdin>"
FORMATS = ("text", "json", "sarif", "github")


class CannotRead(Exception):
    """A FILE argument that cannot be read: reported as one line, exit status 2."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"cannot read {file}: {reason}")


def tool_version() -> str:
    try:
        return metadata.version("siprouter")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The command line; argparse itself answers bad usage with exit status 2."""
    p = argparse.ArgumentParser(
        prog="cfglint",
        description="Lint Kamailio-style config files with siprouter's cfg front-end.",
        epilog="Exit status: 0 clean, 1 findings, 2 usage or I/O error. See docs/cfglint.md.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="config files ('-' reads stdin)")
    p.add_argument("-A", "--define", action="append", default=[], metavar="NAME[=VALUE]",
                   help="define NAME for #!ifdef, like kamailio -A (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    p.add_argument("--select", action="append", default=[], metavar="CODES",
                   help="report only these codes or prefixes, e.g. E2,W203 (repeatable)")
    p.add_argument("--ignore", action="append", default=[], metavar="CODES",
                   help="do not report these codes or prefixes (repeatable)")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], default=Severity.INFO.value,
                   help="lowest severity that makes the exit status 1 "
                        "(default: info, i.e. any finding)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in text output (default: auto, honours NO_COLOR)")
    p.add_argument("--list-rules", action="store_true",
                   help="print every rule code with its severity and summary, then exit")
    p.add_argument("--version", action="version", version=f"cfglint {tool_version()}")
    return p


def make_console(color: str) -> Console:
    """A console for the text report; soft wrap so piped output is never folded at 80 columns."""
    # None leaves the decision to rich: a terminal on stdout, NO_COLOR, FORCE_COLOR, TERM=dumb.
    force_terminal: bool | None = True if color == "always" else None
    no_color: bool | None = {"always": False, "never": True}.get(color)
    color_system: Literal["auto", "standard"] | None = (
        "standard" if color == "always" else None if color == "never" else "auto")
    return Console(file=sys.stdout, force_terminal=force_terminal, no_color=no_color,
                   color_system=color_system, highlight=False, markup=False, emoji=False,
                   soft_wrap=True)


def list_rules(fmt: str) -> str:
    """The rule catalogue: JSON for `--format json`, else one aligned line per rule."""
    rules = list(RULES.values())
    if fmt == "json":
        return report_json.render_rules(rules)
    return "\n".join(f"{r.code}  {r.severity.value:<7}  {r.summary}" for r in rules)


def read_stdin() -> str:
    # Decoded like the preprocessor decodes files, so stdin and a file mean the same.
    try:
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    except OSError as exc:
        raise CannotRead(STDIN, exc.strerror or str(exc)) from None


def check_readable(path: str) -> None:
    """Fail early and plainly for a FILE we cannot open, before any report starts."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise CannotRead(path, exc.strerror or str(exc)) from None


@dataclass
class Run:
    """What one invocation checked and found."""

    findings: list[Diagnostic]
    sources: SourceLines
    files: int


def analyze(files: Sequence[str], defines: dict[str, str | None],
            selection: Selection) -> Run:
    """Analyse every file; raises CannotRead before analysing anything if one is unreadable."""
    stdin_text = read_stdin() if STDIN in files else None
    for path in files:
        if path != STDIN:
            check_readable(path)
    found: list[Diagnostic] = []
    for path in files:
        analysis: Analysis
        if path == STDIN:
            analysis = analyze_text(stdin_text or "", STDIN_NAME, defines)
        else:
            analysis = analyze_file(path, defines)
        found.extend(d for d in analysis.diagnostics if selection.allows(d.code))
    preloaded = {STDIN_NAME: stdin_text} if stdin_text is not None else None
    return Run(unique(found), SourceLines(preloaded), len(files))


def report(run: Run, fmt: str, color: str) -> None:
    """Write the findings in the chosen format to stdout (text: summary to stderr)."""
    if fmt == "text":
        report_text.report(run.findings, run.sources, make_console(color))
        print(summary_line(Counts.of(run.findings), run.files), file=sys.stderr)
        return
    if fmt == "json":
        out = report_json.render(run.findings)
    elif fmt == "sarif":
        out = report_sarif.render(run.findings, tool_version())
    else:
        out = report_github.render(run.findings)
    if out:
        print(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cfglint` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_rules:
        print(list_rules(args.format))
        return EXIT_CLEAN
    if not args.files:
        parser.error("no FILE given (use '-' for stdin)")
    if args.files.count(STDIN) > 1:
        parser.error("'-' (stdin) can be given only once")
    select, ignore = split_selectors(args.select), split_selectors(args.ignore)
    try:
        validate(select + ignore, RULES)
        defines = dict(parse_cli_define(arg) for arg in args.define)
    except (SelectorError, ValueError) as exc:
        parser.error(str(exc))
    try:
        run = analyze(args.files, defines, Selection(tuple(select), tuple(ignore)))
        report(run, args.format, args.color)
    except CannotRead as exc:
        print(f"cfglint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader (`| head`) went away: not our error, and Python must not complain at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug in the front-end must not become a traceback
        print(f"cfglint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    fail_on = Severity(args.fail_on)
    return EXIT_FINDINGS if Counts.of(run.findings).at_least(fail_on) else EXIT_CLEAN
