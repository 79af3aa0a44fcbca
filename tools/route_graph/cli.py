"""`route-graph`: the routing script as a graph, for people (text, pictures) and for CI (json,
`--check`, `--diff`). Usage and exit codes: docs/route-graph.md.

Exit codes: 0 ok; 1 `--check` found something not `--allow`ed; 2 usage, I/O or config errors,
always as one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from typing import NoReturn

import networkx as nx

from siprouter.core.cfg.preprocess import parse_cli_define

from .analysis import CATEGORIES, findings, gate
from .diff import diff_graphs, render_diff_json, render_diff_text
from .graph import build_graph
from .load import ConfigError, load_config
from .render_dot import render_dot
from .render_image import IMAGE_FORMATS, ImageError, render_image
from .render_json import render_json
from .render_mermaid import render_mermaid
from .render_text import render_text

FORMATS = ("text", "dot", "mermaid", "json", *IMAGE_FORMATS)
# `-o graph.svg` without --format means svg.
SUFFIX_FORMATS = {".txt": "text", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid",
                  ".json": "json", ".svg": "svg", ".png": "png"}
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Bad command line; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; CI logs want one line that says what is wrong.
        raise UsageError(message)


def _define(arg: str) -> tuple[str, str | None]:
    try:
        return parse_cli_define(arg)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _categories(arg: str) -> frozenset[str]:
    names = frozenset(part.strip() for part in arg.split(",") if part.strip())
    unknown = sorted(names - set(CATEGORIES))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown finding kind {', '.join(unknown)} (choose from {', '.join(CATEGORIES)})")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The command line of `route-graph`."""
    p = _Parser(prog="route-graph",
                description="Draw and check the route graph of a Kamailio-style config.")
    p.add_argument("file", nargs="?", metavar="FILE", help="the config file")
    p.add_argument("-A", dest="defines", action="append", type=_define, default=[],
                   metavar="NAME[=VALUE]", help="define NAME for #!ifdef, as the server's -A")
    p.add_argument("--format", "-f", choices=FORMATS, default=None,
                   help="output format (default text, or from the -o file's suffix)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the output here, not stdout")
    p.add_argument("--check", action="store_true",
                   help="report undefined targets, unreachable routes and recursion; exit 1 "
                        "when any is found")
    p.add_argument("--allow", type=_categories, default=frozenset(), metavar="KINDS",
                   help="with --check: comma-separated finding kinds that do not fail "
                        f"({','.join(CATEGORIES)})")
    p.add_argument("--diff", nargs=2, metavar=("OLD", "NEW"),
                   help="show routes and edges added or removed from OLD to NEW")
    return p


def _choose_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output:
        return SUFFIX_FORMATS.get(os.path.splitext(args.output)[1].lower(), "text")
    return "text"


def _validate(args: argparse.Namespace, fmt: str) -> None:
    if args.diff and args.file:
        raise UsageError("give either FILE or --diff OLD NEW, not both")
    if not args.diff and not args.file:
        raise UsageError("no config file given")
    if args.allow and not args.check:
        raise UsageError("--allow only applies with --check")
    if args.diff and fmt not in ("text", "json"):
        raise UsageError(f"--diff prints text or json, not {fmt}")


def _render(g: nx.MultiDiGraph, fmt: str, root_file: str, to_terminal: bool) -> str | bytes:
    if fmt == "text":
        width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
        return render_text(g, root_file, color=to_terminal, width=width)
    renderers = {"dot": render_dot, "mermaid": render_mermaid, "json": render_json}
    if fmt in renderers:
        return renderers[fmt](g)
    return render_image(render_dot(g), fmt)


def _write(output: str | None, content: str | bytes) -> None:
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    try:
        if isinstance(content, bytes):
            with open(output, "wb") as fh:
                fh.write(content)
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(content)
    except OSError as exc:
        raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from None


def _report_check(g: nx.MultiDiGraph, allowed: frozenset[str], to_stderr: bool) -> int:
    found = findings(g)
    failing = gate(found, allowed)
    stream = sys.stderr if to_stderr else sys.stdout
    for f in found:
        stream.write(f"{f}{'' if f in failing else ' (allowed)'}\n")
    if failing:
        kinds = sorted({f.category for f in failing})
        stream.write(f"route-graph: check failed: {len(failing)} finding(s) "
                     f"({', '.join(kinds)})\n")
        return EXIT_FINDINGS
    stream.write(f"route-graph: check passed ({len(found)} allowed finding(s))\n" if found
                 else "route-graph: check passed\n")
    return EXIT_OK


def run(argv: Sequence[str] | None = None) -> int:
    """Run route-graph; returns the exit code. Raises UsageError/ConfigError/ImageError."""
    args = build_parser().parse_args(argv)
    fmt = _choose_format(args)
    _validate(args, fmt)
    defines = dict(args.defines)
    to_terminal = args.output is None and sys.stdout.isatty()
    if fmt == "png" and to_terminal:
        raise UsageError("--format png writes binary data: give -o FILE or redirect stdout")
    # With --check alone the findings are the output; a graph is written when asked for.
    want_graph = (bool(args.diff) or not args.check or args.format is not None
                  or args.output is not None)
    if args.diff:
        old_file, new_file = args.diff
        old = build_graph(load_config(old_file, defines))
        g = build_graph(load_config(new_file, defines))
        if want_graph:
            diff = diff_graphs(old, g)
            _write(args.output, render_diff_json(diff) if fmt == "json"
                   else render_diff_text(diff, old, g))
    else:
        g = build_graph(load_config(args.file, defines))
        if want_graph:
            _write(args.output, _render(g, fmt, args.file, to_terminal))
    if not args.check:
        return EXIT_OK
    return _report_check(g, args.allow, to_stderr=want_graph and args.output is None)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: run, and turn every expected failure into one line on stderr."""
    try:
        return run(argv)
    except UsageError as exc:
        sys.stderr.write(f"route-graph: usage error: {exc} (see route-graph --help)\n")
    except (ConfigError, ImageError) as exc:
        sys.stderr.write(f"route-graph: {exc}\n")
    except BrokenPipeError:
        # `route-graph x.cfg | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("route-graph: interrupted\n")
    except Exception as exc:  # CI must get one line and status 2, never a traceback
        sys.stderr.write(f"route-graph: internal error: {type(exc).__name__}: {exc} "
                         "(please report it with the config)\n")
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
