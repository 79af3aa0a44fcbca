"""How results and errors look: rich tables and trees for people, kamcmd's plain layout and `-f`
formats for scripts written against kamcmd, JSON for everything else. Pure functions from a
result to text or a rich renderable; `Output` (in output.py) decides where it goes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

ERROR_STYLE = "bold red"


# --- scalars -------------------------------------------------------------------------------------


def scalar_text(value: Any) -> str:
    """One value the way kamcmd prints it: None as nothing, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


# --- errors --------------------------------------------------------------------------------------


def fault_line(code: int | None, message: str) -> str:
    """kamcmd's fault line: `error: 500 - No such pid`."""
    return f"error: {code} - {message}" if code is not None else f"error: {message}"


def error_text(line: str) -> Text:
    """A failure line in red (never parsed as rich markup: server messages contain brackets)."""
    return Text(line, style=ERROR_STYLE)


# --- JSON ----------------------------------------------------------------------------------------


def to_json(value: Any) -> str:
    """The result as JSON text (indented, UTF-8 kept), one document."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def fault_json(code: int | None, message: str) -> str:
    """A fault in `--json` mode: the JSON-RPC error object."""
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)


# --- kamcmd's plain layout -----------------------------------------------------------------------


def to_plain(value: Any) -> str:
    """kamcmd's layout: each value of a multi-value reply on its own line, structs as `{`,
    tab-indented `name: value` lines and `}`, arrays as `[` ... `]`. Empty reply, no text."""
    if value is None:
        return ""
    records = value if isinstance(value, list) else [value]
    lines: list[str] = []
    for record in records:
        lines.extend(_plain(record, 0, None))
    return "".join(line + "\n" for line in lines)


def _plain(value: Any, depth: int, name: str | None) -> Iterator[str]:
    pad = "\t" * depth
    label = f"{name}: " if name is not None else ""
    if isinstance(value, dict):
        yield f"{pad}{label}{{"
        for key, member in value.items():
            yield from _plain(member, depth + 1, str(key))
        yield f"{pad}}}"
    elif isinstance(value, list):
        yield f"{pad}{label}["
        for item in value:
            yield from _plain(item, depth + 1, None)
        yield f"{pad}]"
    else:
        yield f"{pad}{label}{scalar_text(value)}"


# --- kamcmd's -f formats -------------------------------------------------------------------------

_VALUE = object()  # a %v slot in a parsed format


def unescape(fmt: str) -> str:
    """kamcmd's escapes in a format: \\n, \\r, \\t and \\\\ (others stay as written)."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "\\" and i + 1 < len(fmt) and fmt[i + 1] in "nrt\\":
            out.append({"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}[fmt[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _parse_format(fmt: str) -> list[object]:
    pieces: list[object] = []
    literal: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in "v%":
            if fmt[i + 1] == "%":
                literal.append("%")
            else:
                if literal:
                    pieces.append("".join(literal))
                    literal = []
                pieces.append(_VALUE)
            i += 2
            continue
        literal.append(fmt[i])
        i += 1
    if literal:
        pieces.append("".join(literal))
    return pieces


def flatten(value: Any) -> list[Any]:
    """The values a format consumes, in reply order: a multi-value reply's items, a struct's
    member values (kamcmd would spend a %v on `{` and one on each `name: value`; the values
    alone are what a format wants), nested the same way."""
    if isinstance(value, list):
        return [v for item in value for v in flatten(item)]
    if isinstance(value, dict):
        return [v for member in value.values() for v in flatten(member)]
    return [] if value is None else [value]


def apply_format(value: Any, fmt: str) -> str:
    """Substitute the reply's values into `fmt` (after `unescape`) like `kamcmd -f`: each %v
    takes the next value, the format starts again while values remain, `%%` is a percent
    sign, and once values run out the rest of the format is printed with empty slots."""
    pieces = _parse_format(unescape(fmt))
    has_slots = any(p is _VALUE for p in pieces)
    out: list[str] = []
    pos = 0
    for item in flatten(value):
        while True:
            if pos == len(pieces):
                pos = 0
            piece = pieces[pos] if pieces else _VALUE
            pos += 1
            if piece is _VALUE:
                break
            out.append(str(piece))
            if not has_slots and pos == len(pieces):
                break  # a format without %v goes before each value
        out.append(scalar_text(item))
    out.extend(str(p) for p in pieces[pos:] if p is not _VALUE)
    return "".join(out)


# --- rich ----------------------------------------------------------------------------------------


def to_rich(value: Any, title: str = "result") -> RenderableType | None:
    """The result for a terminal: scalars as text, flat structs as a name/value table, lists
    of scalars or of structs as tables, anything deeper as a tree. None for an empty reply."""
    if value is None or value == [] or value == {}:
        return None
    if is_scalar(value):
        return Text(scalar_text(value))
    if isinstance(value, dict):
        if all(is_scalar(v) for v in value.values()):
            return struct_table(value)
        return to_tree(value, title)
    if all(is_scalar(v) for v in value):
        return list_table(value)
    if all(isinstance(v, dict) for v in value):
        if all(is_scalar(m) for v in value for m in v.values()):
            return records_table(value)
        return Group(*(to_tree(v, f"{title}[{i}]") for i, v in enumerate(value)))
    return to_tree(value, title)


def struct_table(struct: dict[str, Any]) -> Table:
    """A flat struct: one row per member, names in the first column."""
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in struct.items():
        table.add_row(Text(str(key)), Text(scalar_text(value)))
    return table


def list_table(items: list[Any]) -> Table:
    """A list of scalars: one row each (no index: a listMethods reply stays easy to read)."""
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 0, 0, 0))
    table.add_column(overflow="fold")
    for item in items:
        table.add_row(Text(scalar_text(item)))
    return table


def records_table(records: list[dict[str, Any]]) -> Table:
    """Structs with scalar members (core.psx, core.sockets_list): a column per member name, in
    the order the names first appear; a missing member is an empty cell."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(str(k) for k in record))
    table = Table(box=box.SIMPLE_HEAD, header_style="bold cyan", show_edge=False)
    for name in columns:
        table.add_column(Text(name), overflow="fold")
    for record in records:
        keyed = {str(k): v for k, v in record.items()}
        table.add_row(*(Text(scalar_text(keyed[c])) if c in keyed else Text("")
                        for c in columns))
    return table


def to_tree(value: Any, title: str) -> Tree:
    """Nested structs and arrays: members as `name: value` leaves, containers as branches."""
    tree = Tree(Text(title, style="bold"), guide_style="dim")
    _grow(tree, value)
    return tree


def _grow(node: Tree, value: Any) -> None:
    items: list[tuple[str, Any]]
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    else:
        items = [(f"[{i}]", v) for i, v in enumerate(value)]
    for name, member in items:
        if is_scalar(member):
            label = Text.assemble((name, "cyan"), ": ", scalar_text(member))
            node.add(label)
        elif not member:
            node.add(Text.assemble((name, "cyan"), ": ", "{}" if isinstance(member, dict) else "[]"))
        else:
            _grow(node.add(Text(name, style="cyan")), member)
