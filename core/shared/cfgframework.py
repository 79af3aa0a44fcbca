"""The cfg framework (Kamailio 3.1): parameters an operator changes while the server runs.

Every process maps one shared segment holding the current values and a generation number. A
worker calls `refresh()` once per message: one integer compare when nothing changed, a copy of
the values when something did. So a change takes effect for the next message in every worker,
and a message never sees half of a commit.

Writers (the RPC process, normally) change values in two ways, as Kamailio's cfg_rpc does:
`set_now` applies one change at once; `set_delayed` collects changes that `commit` applies
together (or `rollback` drops). Commits are serialised with a file lock and published with a
seqlock: the generation is odd while values are being written and moves on by two per commit, so
a reader that sees it change under it simply copies again.

Layout (native byte order): header (magic, generation, variables, length of the name table, all
int64), JSON name table [[group, name, "int"|"str", doc, default]], padded to 8 bytes, then one
slot per variable: int64 for ints; for strings an int64 length then STR_CAPACITY bytes of UTF-8.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .segment import Segment

_MAGIC = 0x31474643_50525253  # "SRPRCFG1"-ish tag
_HEADER = struct.Struct("=qqqq")
_GEN_CELL = 1  # the generation is the second int64 of the header
STR_CAPACITY = 1016  # bytes of UTF-8 a string variable may hold (slot is 1024 bytes)
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1

CfgValue = int | str
ChangeCallback = Callable[[CfgValue], None]


class CfgError(ValueError):
    """An unknown group or variable, a value of the wrong type or out of range."""


@dataclass(frozen=True)
class CfgVarDef:
    """A runtime-changeable variable: `group.name`, int or str, with its default and help."""

    group: str
    name: str
    type: type
    default: CfgValue
    doc: str = ""
    min: int | None = None
    max: int | None = None

    @property
    def type_name(self) -> str:
        return "integer" if self.type is int else "string"

    def check(self, value: CfgValue, *, ranged: bool = True) -> CfgValue:
        """The value converted for this variable, or CfgError saying what is wrong
        (`ranged`: min..max checked too)."""
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, str):
                    try:
                        value = int(value.strip(), 0)
                    except ValueError:
                        raise CfgError(f"{self.group}.{self.name} takes an integer, "
                                       f"not {value!r}") from None
                else:
                    raise CfgError(f"{self.group}.{self.name} takes an integer")
            if not _INT_MIN <= value <= _INT_MAX:
                raise CfgError(f"{self.group}.{self.name}: {value} does not fit in 64 bits")
            if ranged and ((self.min is not None and value < self.min) or (
                    self.max is not None and value > self.max)):
                raise CfgError(f"{self.group}.{self.name} must be in {self.min}..{self.max}")
            return value
        if not isinstance(value, str):
            value = str(value)
        if len(value.encode()) > STR_CAPACITY:
            raise CfgError(f"{self.group}.{self.name}: string longer than {STR_CAPACITY} bytes")
        return value


def _slot_size(definition: CfgVarDef) -> int:
    return 8 if definition.type is int else 8 + STR_CAPACITY


class CfgFramework:
    """The runtime-changeable variables of a server and this process's view of their values."""

    def __init__(self) -> None:
        self._defs: dict[tuple[str, str], CfgVarDef] = {}
        self._values: dict[tuple[str, str], CfgValue] = {}
        self._pending: dict[tuple[str, str], CfgValue] = {}
        self._callbacks: dict[tuple[str, str], list[ChangeCallback]] = {}
        self._offsets: dict[tuple[str, str], int] = {}
        self._generation = 0
        self.segment: Segment | None = None
        self._header: memoryview | None = None

    # --- declarations ---------------------------------------------------------------------------

    def declare(self, group: str, name: str, type_: type, default: CfgValue | None = None,
                doc: str = "", *, min: int | None = None, max: int | None = None) -> CfgVarDef:
        """Declare `group.name` (before `share`); redeclaring returns the first declaration."""
        key = (group, name)
        if key in self._defs:
            return self._defs[key]
        if self.segment is not None:
            raise CfgError(f"{group}.{name} declared after the cfg framework was shared")
        if type_ not in (int, str):
            raise CfgError(f"{group}.{name}: type must be int or str")
        if default is None:
            default = 0 if type_ is int else ""
        definition = CfgVarDef(group, name, type_, default, doc, min, max)
        self._defs[key] = definition
        self._values[key] = definition.check(default)
        return definition

    def set_initial(self, group: str, name: str, value: CfgValue) -> None:
        """The start-up value from the config (before `share`). Its range is not checked:
        Kamailio checks a variable's min..max at cfg.set only, and takes any modparam."""
        self._values[(group, name)] = self.definition(group, name).check(value, ranged=False)

    def definition(self, group: str, name: str) -> CfgVarDef:
        try:
            return self._defs[(group, name)]
        except KeyError:
            if not any(g == group for g, _ in self._defs):
                raise CfgError(f"unknown cfg group {group}") from None
            raise CfgError(f"unknown cfg variable {group}.{name}") from None

    def groups(self) -> list[str]:
        return list(dict.fromkeys(g for g, _ in self._defs))

    def variables(self, group: str | None = None) -> list[CfgVarDef]:
        """Declarations, of one group or all, in declaration order."""
        return [d for d in self._defs.values() if group is None or d.group == group]

    def on_change(self, group: str, name: str, callback: ChangeCallback) -> None:
        """Call `callback(new_value)` in this process when a refresh sees `group.name` change
        (and at once with the current value)."""
        self.definition(group, name)
        self._callbacks.setdefault((group, name), []).append(callback)
        callback(self._values[(group, name)])

    # --- reading --------------------------------------------------------------------------------

    def get(self, group: str, name: str) -> CfgValue:
        """The value as of this process's last refresh."""
        key = (group, name)
        if key not in self._values:
            self.definition(group, name)
        return self._values[key]

    def refresh(self) -> bool:
        """Pick up committed changes; True when something changed. Call once per message."""
        header = self._header
        if header is None or header[_GEN_CELL] == self._generation:
            return False
        return self._reload()

    @property
    def generation(self) -> int:
        return self._generation

    def _reload(self) -> bool:
        header = self._header
        assert header is not None and self.segment is not None
        for _ in range(1000):
            gen = header[_GEN_CELL]
            if gen & 1:
                continue  # a commit is being written
            values = self._read_all()
            if header[_GEN_CELL] == gen:
                break
        else:
            return False  # a writer is stuck mid-commit; keep the old values this time
        changed = [k for k, v in values.items() if self._values.get(k) != v]
        self._values = values
        self._generation = gen
        for key in changed:
            for cb in self._callbacks.get(key, ()):
                cb(values[key])
        return bool(changed)

    def _read_all(self) -> dict[tuple[str, str], CfgValue]:
        assert self.segment is not None
        buf = self.segment.buf
        out: dict[tuple[str, str], CfgValue] = {}
        for key, off in self._offsets.items():
            if self._defs[key].type is int:
                out[key] = struct.unpack_from("=q", buf, off)[0]
            else:
                (n,) = struct.unpack_from("=q", buf, off)
                n = max(0, min(n, STR_CAPACITY))
                out[key] = bytes(buf[off + 8:off + 8 + n]).decode(errors="replace")
        return out

    # --- writing --------------------------------------------------------------------------------

    def set_now(self, group: str, name: str, value: CfgValue) -> None:
        """Change one variable at once (for the next message of every process)."""
        key = (group, name)
        checked = self.definition(group, name).check(value)
        self._publish({key: checked})

    def set_delayed(self, group: str, name: str, value: CfgValue) -> None:
        """Prepare a change; `commit` applies all prepared changes at once."""
        self._pending[(group, name)] = self.definition(group, name).check(value)

    def commit(self) -> None:
        """Apply the prepared changes together."""
        if self._pending:
            changes, self._pending = self._pending, {}
            self._publish(changes)

    def rollback(self) -> None:
        """Drop the prepared changes."""
        self._pending = {}

    def diff(self) -> list[tuple[CfgVarDef, CfgValue, CfgValue]]:
        """Prepared changes: (variable, current value, new value)."""
        self.refresh()
        return [(self._defs[k], self._values[k], v) for k, v in self._pending.items()]

    def reset_group(self, group: str) -> None:
        """Set every variable of `group` back to its default."""
        defs = self.variables(group)
        if not defs:
            raise CfgError(f"unknown cfg group {group}")
        self._publish({(d.group, d.name): d.default for d in defs})

    def _publish(self, changes: dict[tuple[str, str], CfgValue]) -> None:
        if self.segment is None or self._header is None:
            for key, value in changes.items():
                self._values[key] = value
                for cb in self._callbacks.get(key, ()):
                    cb(value)
            return
        header = self._header
        with self._locked():
            gen = header[_GEN_CELL]
            header[_GEN_CELL] = gen + 1  # odd: readers wait
            try:
                for key, value in changes.items():
                    self._write(key, value)
            finally:
                header[_GEN_CELL] = gen + 2
        self.refresh()

    def _write(self, key: tuple[str, str], value: CfgValue) -> None:
        assert self.segment is not None
        off = self._offsets[key]
        if isinstance(value, int):
            struct.pack_into("=q", self.segment.buf, off, value)
        else:
            data = value.encode()
            struct.pack_into("=q", self.segment.buf, off, len(data))
            self.segment.buf[off + 8:off + 8 + len(data)] = data

    @contextmanager
    def _locked(self) -> Iterator[None]:
        assert self.segment is not None
        fd = os.open(self.segment.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- sharing --------------------------------------------------------------------------------

    def share(self, directory: str | None = None) -> Segment:
        """Put the current values in a new shared segment; no declarations after this."""
        if self.segment is not None:
            raise CfgError("the cfg framework is shared already")
        defs = list(self._defs.values())
        table = json.dumps([[d.group, d.name, "int" if d.type is int else "str", d.doc,
                             d.default, d.min, d.max] for d in defs]).encode()
        table += b" " * (-len(table) % 8)
        size = _HEADER.size + len(table) + sum(_slot_size(d) for d in defs)
        seg = Segment.create(size, prefix="siprouter-cfg-", directory=directory)
        _HEADER.pack_into(seg.buf, 0, _MAGIC, 0, len(defs), len(table))
        seg.buf[_HEADER.size:_HEADER.size + len(table)] = table
        self._map(seg, defs, _HEADER.size + len(table))
        for key, value in self._values.items():
            self._write(key, value)
        self._generation = 0
        return seg

    def _map(self, seg: Segment, defs: list[CfgVarDef], start: int) -> None:
        self.segment = seg
        self._header = seg.buf[0:_HEADER.size].cast("q")
        off = start
        self._offsets = {}
        for d in defs:
            self._offsets[(d.group, d.name)] = off
            off += _slot_size(d)

    def join(self, path: str) -> None:
        """Use the shared segment at `path` (made by `share` in another process)."""
        seg = Segment.attach(path)
        magic, _gen, _n, table_len = _HEADER.unpack_from(seg.buf, 0)
        if magic != _MAGIC:
            seg.close()
            raise CfgError(f"{path} is not a cfg segment")
        table = json.loads(bytes(seg.buf[_HEADER.size:_HEADER.size + table_len]))
        defs = []
        for group, name, tname, doc, default, lo, hi in table:
            d = self._defs.get((group, name)) or CfgVarDef(
                group, name, int if tname == "int" else str, default, doc, lo, hi)
            defs.append(d)
        self._defs = {(d.group, d.name): d for d in defs}
        self._map(seg, defs, _HEADER.size + table_len)
        self._generation = -1
        self._reload()

    def close(self) -> None:
        if self.segment is not None and self._header is not None:
            self._header.release()
            self._header = None
            self.segment.close()
