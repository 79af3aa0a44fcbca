"""The structure of a pseudo-variable's text: `$name`, `$name(inner)`,
`$(name(inner)[index]{tr1}{tr2,p1,p2})`.

Shared by the checker (unknown classes and transformations) and, later, the runtime that
evaluates PVs, so there is one reading of PV syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class PVRef:
    name: str  # the class: "ru", "var", "hdr", "avp", ...
    inner: str | None  # the text inside (...), e.g. "Via" for $hdr(Via)
    index: str | None  # the text inside [...], e.g. "0", "-1", "*"
    transforms: tuple[str, ...]  # each {...} body, e.g. "s.len", "s.select,2,/"

    def transform_names(self) -> list[tuple[str, str]]:
        """(class, name) of each transformation: `{uri.user}` -> ("uri", "user")."""
        out = []
        for tr in self.transforms:
            head = tr.split(",", 1)[0].strip()
            cls, _, name = head.partition(".")
            out.append((cls, name))
        return out


class PVSyntaxError(ValueError):
    pass


def _close(text: str, pos: int) -> int:
    """Offset just after the bracket opened at `pos` closes."""
    stack = [_OPEN[text[pos]]]
    i = pos + 1
    while i < len(text):
        c = text[i]
        if c in _OPEN:
            stack.append(_OPEN[c])
        elif c == stack[-1]:
            stack.pop()
            if not stack:
                return i + 1
        i += 1
    raise PVSyntaxError(f"'{text[pos]}' at {pos} is never closed")


def parse_pv(text: str) -> PVRef:
    """Split PV text into its parts; PVSyntaxError when it is malformed."""
    if not text.startswith("$") or len(text) < 2:
        raise PVSyntaxError("a pseudo-variable starts with '$' and a name")
    if text == "$?":
        return PVRef("?", None, None, ())
    full = text[1] == "("
    body = text[2:-1] if full else text[1:]
    if full and not text.endswith(")"):
        raise PVSyntaxError("'$(' is never closed")
    m = _NAME.match(body)
    if m is None:
        raise PVSyntaxError("expected a pseudo-variable name after '$'")
    pos = m.end()
    inner = index = None
    transforms: list[str] = []
    if pos < len(body) and body[pos] == "(":
        end = _close(body, pos)
        inner = body[pos + 1 : end - 1]
        pos = end
    if full:
        if pos < len(body) and body[pos] == "[":
            end = _close(body, pos)
            index = body[pos + 1 : end - 1]
            pos = end
        while pos < len(body) and body[pos] == "{":
            end = _close(body, pos)
            transforms.append(body[pos + 1 : end - 1])
            pos = end
    if pos != len(body):
        raise PVSyntaxError(f"unexpected {body[pos:]!r} after {text[: pos + 1 + int(full)]}")
    return PVRef(m.group(), inner, index, tuple(transforms))


def pv_end(text: str, start: int) -> int | None:
    """End offset of the PV starting at text[start] == "$" inside a format string (xlog and
    friends), or None when that "$" is literal text."""
    i = start + 1
    n = len(text)
    if i < n and text[i] == "(":
        depth = 0
        while i < n:
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return None
    j = i
    while j < n and (text[j].isalnum() or text[j] == "_" or (j == i and text[j] == "?")):
        j += 1
    if j == i or not (text[i].isalpha() or text[i] in "_?"):
        return None
    if j < n and text[j] == "(":
        depth = 0
        k = j
        while k < n:
            if text[k] == "(":
                depth += 1
            elif text[k] == ")":
                depth -= 1
                if depth == 0:
                    return k + 1
            k += 1
        return None
    return j


def pvs_in_format(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every PV in a format string, in order."""
    found = []
    i = 0
    while i < len(text):
        if text[i] == "$":
            end = pv_end(text, i)
            if end is not None:
                found.append((i, end))
                i = end
                continue
        i += 1
    return found
