"""Reading a message's top Via straight from its octets, for the hot matching path.

Only the simple layout is recognised (a header line of its own, no folding); for anything
else the callers fall back to the parsed message, so these never decide what is valid.
"""

from __future__ import annotations

_VIA_NAMES = (b"via", b"v")
_BLANKS = b" \t"


def top_via_value(data: bytes) -> bytes | None:
    """The first Via value of a message as written: from its header's colon to the first
    comma or the end of the line, blanks around it removed. None when there is no Via in
    the header block, or its line is folded."""
    pos = data.find(b"\r\n") + 2
    if pos < 2:
        return None
    if data.startswith(b"Via:", pos):
        # the usual layout (ours, SIPp's, Kamailio's): the first header is the Via
        eol = data.find(b"\r\n", pos)
        if eol > pos:
            if data[eol + 2:eol + 3] in (b" ", b"\t"):
                return None  # folded
            comma = data.find(b",", pos, eol)
            return data[pos + 4:comma if comma >= 0 else eol].strip(b" \t")
    while True:
        eol = data.find(b"\r\n", pos)
        if eol <= pos:
            return None  # the blank line that ends the headers, or no line end at all
        if data[pos] not in _BLANKS:  # not a continuation line
            colon = data.find(b":", pos, eol)
            if colon > 0 and data[pos:colon].strip().lower() in _VIA_NAMES:
                if data[eol + 2:eol + 3] in (b" ", b"\t"):
                    return None  # folded
                comma = data.find(b",", colon, eol)
                return data[colon + 1:comma if comma >= 0 else eol].strip(b" \t")
        pos = eol + 2


def branch_of(via_value: bytes) -> str | None:
    """The branch parameter of a raw Via value as written (`;branch=` in lower case), or
    None."""
    at = via_value.find(b";branch=")
    if at < 0:
        return None
    stop = via_value.find(b";", at + 8)
    try:
        return via_value[at + 8:stop if stop >= 0 else len(via_value)].decode("ascii")
    except UnicodeDecodeError:
        return None
