"""Kamailio's `textops` module: regex search and replace over the message, header lines, body.

Regexes are POSIX extended, case-insensitive, with `^`/`$` at line ends (Kamailio compiles them
REG_EXTENDED|REG_ICASE|REG_NEWLINE); Python's re runs them, POSIX bracket classes translated.
They run over the message as received; what they change is recorded as edits (see
`edit_text`), so `$hdr(...)` & co keep reading the received message until msg_apply_changes().

Header text given to append_hf/insert_hf/append_to_reply ends with "\r\n" as in Kamailio; PVs
in it are expanded per call. Replies the server generates get what append_to_reply,
append_time and set_reply_body queued in `sip_pvs.marks(ctx.sip)`.
"""

from __future__ import annotations

import bisect
import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass

from siprouter.core.exports import (
    REQ_FAIL_BRANCH,
    REQ_FAIL_BRANCH_ONREPLY,
    ModuleExports,
    RouteType,
)
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.fixups import Arg, Const, Specialized, method_test, specializes
from siprouter.core.runtime.pv import PVError, compile_format
from siprouter.core.runtime.sip_pvs import marks, message, request
from siprouter.core.runtime.sip_transforms import Subst, SubstError, parse_subst
from siprouter.core.runtime.values import Value, posix_to_python, to_int, to_str
from siprouter.core.sip import SIPError, SIPMessage, SIPRequest, SipURI, canonical_name
from siprouter.core.sip.syntax import decode, encode

exports = ModuleExports("textops", doc="Text operations on the SIP message: search, replace, headers, body")

# Declared, not implemented yet (multipart bodies, SDP hold detection, regex_substring).
exports.function("remove_hf_exp_pv", args=2, routes=RouteType.ANY, doc="Same as remove_hf_exp() function, but the parameters can contain variabes.")
exports.function("remove_hf_match", args=3, routes=RouteType.ANY, doc="Remove from message all headers with name 'hname' matching the body with expression...")
exports.function("filter_body", args=1, routes=RouteType.ANY, doc="Filters multipart/mixed body by leaving out all other body parts except the first body...")
exports.function("is_audio_on_hold", args=0, routes=RouteType.ANY, doc="The function returns true if the SIP message has a body attached and at least one audio...")
exports.function("set_body_multipart", args=(0, 1, 2, 3), routes=REQ_FAIL_BRANCH, doc="Set multipart body to a SIP message.")
exports.function("append_body_part", args=(2, 3), routes=REQ_FAIL_BRANCH, doc="Append a part on multipart body SIP message.")
exports.function("append_body_part_hex", args=(2, 3), routes=REQ_FAIL_BRANCH, doc="Append a part on multipart body SIP message, with the content provided in hexa format.")
exports.function("remove_body_part", args=1, routes=REQ_FAIL_BRANCH, doc="Remove a part on a multipart body SIP message.")
exports.function("get_body_part_raw", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Return the content of a multipart body SIP message, including headers and boundary...")
exports.function("get_body_part", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Return the content of a multipart body SIP message, storing it in opv.")
exports.function("regex_substring", args=5, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Search in text with given regular expression then sets dpv pseudo-variable with the...")


# --- the message as text, and edits over it --------------------------------------------------------
# Kamailio's textops run regexes over the received buffer and record lumps. Here a match is
# mapped back onto the message's structure: inside the start line it becomes a new start line,
# inside the body a new body (Content-Length follows), inside the headers the touched lines are
# replaced by the edited text. A match that crosses from one part into another is refused.

_REGEX_FLAGS = re.IGNORECASE | re.MULTILINE  # REG_EXTENDED|REG_ICASE|REG_NEWLINE
_regexes: dict[str, re.Pattern[str]] = {}


def regex(pattern: str) -> re.Pattern[str]:
    """Compile a textops regex once; re.error for a bad one."""
    rx = _regexes.get(pattern)
    if rx is None:
        rx = re.compile(posix_to_python(pattern), _REGEX_FLAGS)
        _regexes[pattern] = rx
    return rx


@dataclass(frozen=True)
class MessageText:
    """The received message split the way edits address it."""

    start: str
    lines: list[str]  # raw logical header lines, without CRLF
    body: str

    @classmethod
    def of(cls, msg: SIPMessage) -> MessageText:
        raw = msg.raw
        lines = [decode(raw[h.start:h.end]) for h in msg.headers]
        return cls(msg.start_line, lines, decode(msg.body))

    @property
    def text(self) -> str:
        return self.start + "\r\n" + "".join(line + "\r\n" for line in self.lines) + "\r\n" + \
            self.body

    @property
    def headers_start(self) -> int:
        return len(self.start) + 2

    @property
    def body_start(self) -> int:
        return len(self.text) - len(self.body)

    def line_starts(self) -> list[int]:
        out, pos = [], self.headers_start
        for line in self.lines:
            out.append(pos)
            pos += len(line) + 2
        return out


Span = tuple[int, int, str]  # start, end, replacement (offsets in MessageText.text)


class CrossingEdit(ValueError):
    """A match spans the start line, the headers and the body."""


def _apply(text: str, spans: list[Span], base: int) -> str:
    out, pos = [], 0
    for s, e, repl in sorted(spans):
        out += [text[pos:s - base], repl]
        pos = e - base
    out.append(text[pos:])
    return "".join(out)


def edit_text(msg: SIPMessage, view: MessageText, spans: list[Span]) -> None:
    """Record `spans` (non-overlapping replacements in `view.text`) as edits of `msg`."""
    hstart, bstart = view.headers_start, view.body_start
    hend = bstart - 2  # end of the last header line's CRLF
    start_spans, header_spans, body_spans = [], [], []
    for s, e, repl in spans:
        if e <= len(view.start) and s <= len(view.start):
            start_spans.append((s, e, repl))
        elif s >= bstart:
            body_spans.append((s, e, repl))
        elif s >= hstart and e <= hend:
            header_spans.append((s, e, repl))
        else:
            raise CrossingEdit("a match crosses the start line, the headers and the body")
    if start_spans:
        new_start = _apply(view.start, start_spans, 0)
        if "\r" in new_start or "\n" in new_start:
            raise CrossingEdit("the start line cannot be split")
        msg.edits.start_line = new_start
    if body_spans:
        msg.set_body(encode(_apply(view.body, body_spans, bstart)))
    if header_spans:
        _edit_lines(msg, view, header_spans)


def _edit_lines(msg: SIPMessage, view: MessageText, spans: list[Span]) -> None:
    starts = view.line_starts()
    n = len(view.lines)

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    groups: list[tuple[int, int, list[Span]]] = []  # first line, last line, spans
    for s, e, repl in sorted(spans):
        a, b = line_of(s), line_of(max(s, e - 1))
        if groups and a <= groups[-1][1]:
            first0, last0, group0 = groups[-1]
            groups[-1] = (first0, max(b, last0), group0 + [(s, e, repl)])
        else:
            groups.append((a, b, [(s, e, repl)]))
    for first, last, group in groups:
        while True:
            base = starts[first]
            chunk = "".join(view.lines[i] + "\r\n" for i in range(first, last + 1))
            new = _apply(chunk, group, base)
            if new == "" or new.endswith("\r\n"):
                break
            if last + 1 >= n:
                raise CrossingEdit("the edit would join the last header with the body")
            last += 1  # the match ate a line end: the next line joins the edited text
        edits = msg.edits
        for i in range(first, last + 1):
            edits.values[i] = None
        if new:
            edits.inserts.setdefault(first, []).append(new[:-2])


def _search(ctx: Context, pattern: Value, what: str) -> re.Pattern[str] | None:
    try:
        return regex(to_str(pattern))
    except re.error as exc:
        ctx.log.error("%s: bad regular expression %r: %s", what, to_str(pattern), exc)
        return None


def _spans(ctx: Context, what: str, pattern: Value, text: str, base: int,
           make: Callable[[re.Match[str]], Span | None], every: bool) -> list[Span] | None:
    rx = _search(ctx, pattern, what)
    if rx is None:
        return None
    out = []
    for m in rx.finditer(text):
        span = make(m)
        if span is not None:
            out.append((span[0] + base, span[1] + base, span[2]))
        if not every:
            break
    return out


def _text_edit(ctx: Context, what: str, pattern: Value, body_only: bool, every: bool,
               make: Callable[[re.Match[str]], Span | None]) -> int:
    msg = message(ctx)
    if msg is None:
        ctx.log.error("%s: no SIP message", what)
        return -1
    view = MessageText.of(msg)
    text, base = (view.body, view.body_start) if body_only else (view.text, 0)
    spans = _spans(ctx, what, pattern, text, base, make, every)
    if not spans:
        return -1
    try:
        edit_text(msg, view, spans)
    except (CrossingEdit, SIPError) as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


def _replace_with(txt: Value) -> Callable[[re.Match[str]], Span | None]:
    repl = to_str(txt)
    return lambda m: (m.start(), m.end(), repl)


def _append_after(txt: Value) -> Callable[[re.Match[str]], Span | None]:
    repl = to_str(txt)
    return lambda m: (m.end(), m.end(), repl)


# --- search ----------------------------------------------------------------------------------------


@exports.function("search", args=1, routes=RouteType.ANY, doc="Searches for the re in the message.")
def search(ctx: Context, pattern: Value) -> int:
    """True when the regex matches somewhere in the message."""
    msg, rx = message(ctx), _search(ctx, pattern, "search")
    return 1 if msg is not None and rx is not None and rx.search(MessageText.of(msg).text) else -1


@exports.function("search_body", args=1, routes=RouteType.ANY, doc="Searches for the re in the body of the message.")
def search_body(ctx: Context, pattern: Value) -> int:
    """True when the regex matches in the body."""
    msg, rx = message(ctx), _search(ctx, pattern, "search_body")
    return 1 if msg is not None and rx is not None and rx.search(decode(msg.body)) else -1


def _pick(indexes: list[int], flags: str) -> list[int]:
    if not indexes:
        return []
    if "f" in flags:
        return indexes[:1]
    if "l" in flags:
        return indexes[-1:]
    return indexes


def _header_indexes(msg: SIPMessage, name: str) -> list[int]:
    key = canonical_name(name.strip())
    return [i for i, h in enumerate(msg.headers) if h.key == key]


@exports.function("search_hf", args=3, routes=RouteType.ANY, doc="Searches for the re in the body of a header field.")
def search_hf(ctx: Context, hf: Value, pattern: Value, flags: Value) -> int:
    """True when the regex matches the value of header `hf` (flags: a all, f first, l last)."""
    msg, rx = message(ctx), _search(ctx, pattern, "search_hf")
    if msg is None or rx is None:
        return -1
    headers = msg.headers
    for i in _pick(_header_indexes(msg, to_str(hf)), to_str(flags)):
        if rx.search(headers[i].value):
            return 1
    return -1


@exports.function("search_str", formats=(0,), args=2, routes=RouteType.ANY, doc="Searches for the re in the body of the message.")
def search_str(ctx: Context, text: Value, pattern: Value) -> int:
    """True when the regex matches `text`."""
    rx = _search(ctx, pattern, "search_str")
    return 1 if rx is not None and rx.search(to_str(text)) else -1


@exports.function("search_append", formats=(1,), args=2, routes=RouteType.ANY, doc="Searches for the first match of re and appends txt after it.")
def search_append(ctx: Context, pattern: Value, txt: Value) -> int:
    """Insert `txt` after the first match of the regex."""
    return _text_edit(ctx, "search_append", pattern, False, False, _append_after(txt))


@exports.function("search_append_body", formats=(1,), args=2, routes=RouteType.ANY, doc="Searches for the first match of re in the body of the message and appends txt after it.")
def search_append_body(ctx: Context, pattern: Value, txt: Value) -> int:
    """Insert `txt` after the first match of the regex in the body."""
    return _text_edit(ctx, "search_append_body", pattern, True, False, _append_after(txt))


# --- replace -----------------------------------------------------------------------------------


@exports.function("replace", formats=(1,), args=2, routes=RouteType.ANY, doc="Replaces the first occurrence of re with txt.")
def replace(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace the first match of the regex in the message with `txt`."""
    return _text_edit(ctx, "replace", pattern, False, False, _replace_with(txt))


@exports.function("replace_all", formats=(1,), args=2, routes=RouteType.ANY, doc="Replaces all occurrence of re with txt.")
def replace_all(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace every match of the regex in the message with `txt`."""
    return _text_edit(ctx, "replace_all", pattern, False, True, _replace_with(txt))


@exports.function("replace_body", formats=(1,), args=2, routes=RouteType.ANY, doc="Replaces the first occurrence of re in the body of the message with txt.")
def replace_body(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace the first match of the regex in the body."""
    return _text_edit(ctx, "replace_body", pattern, True, False, _replace_with(txt))


@exports.function("replace_body_all", formats=(1,), args=2, routes=RouteType.ANY, doc="Replaces all occurrence of re in the body of the message with txt.")
def replace_body_all(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace every match of the regex in the body."""
    return _text_edit(ctx, "replace_body_all", pattern, True, True, _replace_with(txt))


@exports.function("replace_body_atonce", formats=(1,), args=2, routes=RouteType.ANY, doc="Replaces all occurrence of re in the body of the message with txt.")
def replace_body_atonce(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace every match of the regex in the body (matched on the body as one string)."""
    return _text_edit(ctx, "replace_body_atonce", pattern, True, True, _replace_with(txt))


def _literal(match: Value) -> str:
    return re.escape(to_str(match))


def _str_edit(ctx: Context, what: str, match: Value, repl: Value, mode: Value,
              region: str) -> int:
    msg = message(ctx)
    if msg is None:
        return -1
    view = MessageText.of(msg)
    every = to_str(mode).strip().lower() == "a"
    if region == "body":
        text, base = view.body, view.body_start
    elif region == "hdrs":
        text, base = view.text[:view.body_start], 0
    else:
        text, base = view.text, 0
    needle, new = to_str(match), to_str(repl)
    spans, pos = [], text.find(needle) if needle else -1
    while pos >= 0:
        spans.append((base + pos, base + pos + len(needle), new))
        if not every:
            break
        pos = text.find(needle, pos + len(needle))
    if not spans:
        return -1
    try:
        edit_text(msg, view, spans)
    except (CrossingEdit, SIPError) as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


@exports.function("replace_str", formats=(0, 1), args=3, routes=RouteType.ANY, doc="Replaces the first or all occurrence of 'match' with 'repl' by doing string comparison...")
def replace_str(ctx: Context, match: Value, repl: Value, mode: Value) -> int:
    """Replace the first (mode "f") or every (mode "a") occurrence of a plain string."""
    return _str_edit(ctx, "replace_str", match, repl, mode, "all")


@exports.function("replace_body_str", formats=(0, 1), args=3, routes=RouteType.ANY, doc="Replaces the first or all occurrence of 'match' with 'repl' by doing string comparison...")
def replace_body_str(ctx: Context, match: Value, repl: Value, mode: Value) -> int:
    """replace_str() on the body."""
    return _str_edit(ctx, "replace_body_str", match, repl, mode, "body")


@exports.function("replace_hdrs_str", formats=(0, 1), args=3, routes=RouteType.ANY, doc="Replaces the first or all occurrence of 'match' with 'repl' by doing string comparison...")
def replace_hdrs_str(ctx: Context, match: Value, repl: Value, mode: Value) -> int:
    """replace_str() on the start line and headers."""
    return _str_edit(ctx, "replace_hdrs_str", match, repl, mode, "hdrs")


@exports.function("replace_hdrs", args=2, routes=RouteType.ANY, doc="Replaces the first occurrence of re in the SIP headers of the message with txt.")
def replace_hdrs(ctx: Context, pattern: Value, txt: Value) -> int:
    """Replace the first match of the regex in the headers."""
    msg = message(ctx)
    if msg is None:
        return -1
    view = MessageText.of(msg)
    spans = _spans(ctx, "replace_hdrs", pattern, view.text[:view.body_start], 0,
                   _replace_with(txt), False)
    if not spans:
        return -1
    try:
        edit_text(msg, view, spans)
    except (CrossingEdit, SIPError) as exc:
        ctx.log.error("replace_hdrs: %s", exc)
        return -1
    return 1


# --- subst -------------------------------------------------------------------------------------

_substs: dict[str, tuple[Subst, Callable[[Context], str] | None]] = {}


def _subst(ctx: Context, expr: Value, what: str) -> Subst | None:
    """The compiled `/re/repl/flags` (cached); PVs in repl are expanded for this message."""
    text = to_str(expr)
    got = _substs.get(text)
    if got is None:
        try:
            sub = parse_subst(text)
            fmt = compile_format(sub.repl) if "$" in sub.repl else None
        except (SubstError, PVError) as exc:
            ctx.log.error("%s: %s", what, exc)
            return None
        got = _substs[text] = (sub, fmt)
    sub, fmt = got
    return sub if fmt is None else Subst(sub.regex, fmt(ctx), sub.count)


def _subst_spans(sub: Subst, text: str, base: int) -> list[Span]:
    out = []
    for m in sub.regex.finditer(text):
        out.append((base + m.start(), base + m.end(), sub.expand(m)))
        if sub.count:
            break
    return out


def _subst_region(ctx: Context, expr: Value, what: str, body_only: bool) -> int:
    msg, sub = message(ctx), _subst(ctx, expr, what)
    if msg is None or sub is None:
        return -1
    view = MessageText.of(msg)
    text, base = (view.body, view.body_start) if body_only else (view.text, 0)
    spans = _subst_spans(sub, text, base)
    if not spans:
        return -1
    try:
        edit_text(msg, view, spans)
    except (CrossingEdit, SIPError) as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


@exports.function("subst", args=1, routes=RouteType.ANY, doc="Replaces re with repl.")
def subst(ctx: Context, expr: Value) -> int:
    """sed-like `/re/repl/flags` over the message (flags: i, g, s); \\1.. and PVs in repl."""
    return _subst_region(ctx, expr, "subst", False)


@exports.function("subst_body", args=1, routes=RouteType.ANY, doc="Replaces re with repl in the body of the message.")
def subst_body(ctx: Context, expr: Value) -> int:
    """subst() on the body."""
    return _subst_region(ctx, expr, "subst_body", True)


@exports.function("subst_uri", args=1, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Runs the re substitution on the message uri (like subst but works only on the uri)")
def subst_uri(ctx: Context, expr: Value) -> int:
    """subst() on the Request-URI (as rewritten so far); the result becomes the R-URI."""
    req, sub = request(ctx), _subst(ctx, expr, "subst_uri")
    if req is None or sub is None:
        return -1
    new, n = sub.apply(str(req.new_ruri))
    if not n:
        return -1
    try:
        req.set_ruri(new)
    except SIPError as exc:
        ctx.log.error("subst_uri: %s", exc)
        return -1
    return 1


@exports.function("subst_user", args=1, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Runs the re substitution on the message uri (like subst_uri but works only on the user...")
def subst_user(ctx: Context, expr: Value) -> int:
    """subst() on the user part of the Request-URI."""
    req, sub = request(ctx), _subst(ctx, expr, "subst_user")
    if req is None or sub is None:
        return -1
    uri = req.new_ruri
    if not isinstance(uri, SipURI):
        ctx.log.error("subst_user: the R-URI is not a SIP URI")
        return -1
    new, n = sub.apply(uri.user or "")
    if not n:
        return -1
    try:
        req.set_ruri_user(new or None)
    except (SIPError, ValueError) as exc:
        ctx.log.error("subst_user: %s", exc)
        return -1
    return 1


@exports.function("subst_hf", args=3, routes=RouteType.ANY, doc="Substitutions in the body of a header field.")
def subst_hf(ctx: Context, hf: Value, expr: Value, flags: Value) -> int:
    """subst() on the values of header `hf` (flags: a all, f first, l last)."""
    msg, sub = message(ctx), _subst(ctx, expr, "subst_hf")
    if msg is None or sub is None:
        return -1
    headers, done = msg.headers, 0
    for i in _pick(_header_indexes(msg, to_str(hf)), to_str(flags) or "a"):
        new, n = sub.apply(headers[i].value)
        if n:
            try:
                msg.edits.set_value(i, new)
            except SIPError as exc:
                ctx.log.error("subst_hf: %s", exc)
                return -1
            done += 1
    return 1 if done else -1


# --- headers -----------------------------------------------------------------------------------


def _header_text(txt: Value) -> str | None:
    """Header line(s) as given ("Name: value\\r\\n"), without the final CRLF."""
    text = to_str(txt)
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    lines = re.split(r"\r?\n", text)
    if not text or "\x00" in text or any(":" not in line for line in lines if line[:1] not in
                                          (" ", "\t")):
        return None
    return "\r\n".join(lines)


def _insert_raw(ctx: Context, what: str, txt: Value, at: Callable[[SIPMessage], int | None]
                ) -> int:
    msg = message(ctx)
    text = _header_text(txt)
    if msg is None or text is None:
        ctx.log.error("%s: expected a header line 'Name: value\\r\\n', got %r", what, to_str(txt))
        return -1
    index = at(msg)
    if index is None:
        return -1
    # Several lines may come at once, as in Kamailio; each must end in CRLF.
    msg.edits.inserts.setdefault(index, []).append(text)
    return 1


@exports.function("append_hf", formats=(0,), args=(1, 2), routes=RouteType.ANY, doc="Appends 'txt' as header at the end of the all headers, or after last header named 'hdr'...")
def append_hf(ctx: Context, txt: Value, hdr: Value = None) -> int:
    """Add header line(s) after the last header, or after the last `hdr` header."""
    def at(msg: SIPMessage) -> int | None:
        if hdr is None:
            return len(msg.headers)
        found = _header_indexes(msg, to_str(hdr))
        return found[-1] + 1 if found else None

    return _insert_raw(ctx, "append_hf", txt, at)


@exports.function("insert_hf", formats=(0,), args=(1, 2), routes=RouteType.ANY, doc="Inserts 'txt' as header before the first header field, or before first header named...")
def insert_hf(ctx: Context, txt: Value, hdr: Value = None) -> int:
    """Add header line(s) before the first header, or before the first `hdr` header."""
    def at(msg: SIPMessage) -> int | None:
        if hdr is None:
            return 0
        found = _header_indexes(msg, to_str(hdr))
        return found[0] if found else None

    return _insert_raw(ctx, "insert_hf", txt, at)


@exports.function("append_urihf", formats=(0, 1), args=2, routes=REQ_FAIL_BRANCH, doc="Append header field name with original Request-URI in middle.")
def append_urihf(ctx: Context, prefix: Value, suffix: Value) -> int:
    """Add a header made of `prefix`, the Request-URI and `suffix` ("CRLF" included)."""
    req = request(ctx)
    if req is None:
        return -1
    return append_hf(ctx, to_str(prefix) + str(req.new_ruri) + to_str(suffix))


def _remove(ctx: Context, keep: Callable[[int, str], bool], what: str) -> int:
    msg = message(ctx)
    if msg is None:
        return -1
    removed = 0
    for i, h in enumerate(msg.headers):
        if not keep(i, h.name):
            msg.edits.set_value(i, None)
            removed += 1
    return 1 if removed else -1


@exports.function("remove_hf", args=1, routes=RouteType.ANY, doc="Remove from message all headers with name “hname”.")
def remove_hf(ctx: Context, hname: Value) -> int:
    """Remove every header named `hname` (any case, compact forms)."""
    key = canonical_name(to_str(hname).strip())
    return _remove(ctx, lambda i, name: canonical_name(name) != key, "remove_hf")


@exports.function("remove_hf_pv", formats=(0,), args=1, routes=RouteType.ANY, doc="Same as remove_hf() function, but the parameter can contain variables.")
def remove_hf_pv(ctx: Context, hname: Value) -> int:
    """remove_hf() with variables in the name."""
    return remove_hf(ctx, hname)


@exports.function("remove_hf_idx", args=2, routes=RouteType.ANY, doc="Remove from message the headers matching by name 'hname' with the index 'idx'.")
def remove_hf_idx(ctx: Context, hname: Value, idx: Value) -> int:
    """Remove the `idx`-th header named `hname` (negative counts from the last)."""
    msg = message(ctx)
    if msg is None:
        return -1
    found = _header_indexes(msg, to_str(hname))
    i = to_int(idx)
    if i < 0:
        i += len(found)
    if not 0 <= i < len(found):
        return -1
    msg.edits.set_value(found[i], None)
    return 1


@exports.function("remove_hf_re", args=1, routes=RouteType.ANY, doc="Remove from message all headers with name matching regular expression “re”")
def remove_hf_re(ctx: Context, pattern: Value) -> int:
    """Remove every header whose name matches the regex."""
    rx = _search(ctx, pattern, "remove_hf_re")
    if rx is None:
        return -1
    return _remove(ctx, lambda i, name: rx.search(name) is None, "remove_hf_re")


@exports.function("remove_hf_re_pv", formats=(0,), args=1, routes=RouteType.ANY, doc="Same as remove_hf_re() function, but the parameter can contain variables.")
def remove_hf_re_pv(ctx: Context, pattern: Value) -> int:
    """remove_hf_re() with variables in the regex."""
    return remove_hf_re(ctx, pattern)


@exports.function("remove_hf_exp", args=2, routes=RouteType.ANY, doc="Remove from message all headers with name matching regular expression “expmatch”, but not...")
def remove_hf_exp(ctx: Context, expmatch: Value, expskip: Value) -> int:
    """Remove the headers whose name matches `expmatch` but not `expskip`."""
    rx, skip = _search(ctx, expmatch, "remove_hf_exp"), _search(ctx, expskip, "remove_hf_exp")
    if rx is None or skip is None:
        return -1
    return _remove(ctx, lambda i, name: rx.search(name) is None or skip.search(name) is not None,
                   "remove_hf_exp")


@exports.function("is_present_hf", args=1, routes=RouteType.ANY, doc="Return true if a header field is present in message.")
def is_present_hf(ctx: Context, hname: Value) -> int:
    """True when a header named `hname` is in the message."""
    msg = message(ctx)
    return 1 if msg is not None and msg.has_header(to_str(hname).strip()) else -1


@exports.function("is_present_hf_pv", formats=(0,), args=1, routes=RouteType.ANY, doc="Same as is_present_hf() function, but the parameter can contain variables.")
def is_present_hf_pv(ctx: Context, hname: Value) -> int:
    """is_present_hf() with variables in the name."""
    return is_present_hf(ctx, hname)


@exports.function("is_present_hf_re", args=1, routes=RouteType.ANY, doc="Return true if a header field whose name matches regular expression 'hf_name_re' is...")
def is_present_hf_re(ctx: Context, pattern: Value) -> int:
    """True when a header name matches the regex."""
    msg, rx = message(ctx), _search(ctx, pattern, "is_present_hf_re")
    if msg is None or rx is None:
        return -1
    return 1 if any(rx.search(h.name) for h in msg.headers) else -1


@exports.function("is_present_hf_re_pv", formats=(0,), args=1, routes=RouteType.ANY, doc="Same as is_present_hf_re() function, but the parameter can contain variables.")
def is_present_hf_re_pv(ctx: Context, pattern: Value) -> int:
    """is_present_hf_re() with variables in the regex."""
    return is_present_hf_re(ctx, pattern)


# --- reply additions, time, body ----------------------------------------------------------------


@exports.function("append_to_reply", formats=(0,), args=1, routes=REQ_FAIL_BRANCH, doc="Append txt as header to the reply that is going to be generated by Kamailio (e.g., via...")
def append_to_reply(ctx: Context, txt: Value) -> int:
    """Add header line(s) to the reply the server will generate (sl/tm)."""
    text = _header_text(txt)
    if ctx.sip is None or text is None:
        ctx.log.error("append_to_reply: expected a header line 'Name: value\\r\\n'")
        return -1
    marks(ctx.sip).reply_headers.extend(text.split("\r\n"))
    return 1


def http_date(t: float) -> str:
    """RFC 1123 date in GMT, as the Date header wants it."""
    return email.utils.formatdate(t, usegmt=True)


@exports.function("append_time", args=0, routes=REQ_FAIL_BRANCH, doc="Adds a time header to the reply of the request.")
def append_time(ctx: Context) -> int:
    """Add a Date header to the reply the server will generate."""
    return append_to_reply(ctx, f"Date: {http_date(ctx.now())}\r\n")


@exports.function("append_time_to_request", args=0, routes=RouteType.ANY, doc="Adds a time header to the request.")
def append_time_to_request(ctx: Context) -> int:
    """Add a Date header to the request."""
    return append_hf(ctx, f"Date: {http_date(ctx.now())}\r\n")


@exports.function("set_body", formats=(0, 1), args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Set body to a SIP message.")
def set_body(ctx: Context, txt: Value, content_type: Value) -> int:
    """Replace the body (Content-Length and Content-Type follow)."""
    msg = message(ctx)
    if msg is None:
        return -1
    try:
        msg.set_body(encode(to_str(txt)), to_str(content_type))
    except SIPError as exc:
        ctx.log.error("set_body: %s", exc)
        return -1
    return 1


@exports.function("set_reply_body", formats=(0, 1), args=2, routes=REQ_FAIL_BRANCH, doc="Set body to a SIP reply to be generated by Kamailio.")
def set_reply_body(ctx: Context, txt: Value, content_type: Value) -> int:
    """Set the body of the reply the server will generate."""
    if ctx.sip is None:
        return -1
    marks(ctx.sip).reply_body = (encode(to_str(txt)), to_str(content_type))
    return 1


# --- tests on the message ------------------------------------------------------------------------


@exports.function("is_method", args=1, routes=RouteType.ANY, doc="Check if the method of the message matches the name.")
def is_method(ctx: Context, methods: Value) -> int:
    """True when the method (a reply's CSeq method) is one of "A|B|C" (any case)."""
    msg = message(ctx)
    if msg is None:
        return -1
    try:
        method = msg.method if isinstance(msg, SIPRequest) else (
            msg.cseq.method if msg.cseq is not None else None)
    except SIPError as exc:
        ctx.log.error("is_method: %s", exc)
        return -1
    if method is None:
        return -1
    return 1 if method.upper() in _wanted_methods(methods) else -1


def _wanted_methods(methods: Value) -> frozenset[str]:
    return frozenset(m.strip().upper() for m in to_str(methods).split("|"))


@specializes(is_method)
def _is_method_fixed(args: tuple[Arg, ...]) -> Specialized | None:
    """`is_method("INVITE|BYE")` with a constant: the set built once, a request's method
    looked up directly (replies take the general way, through their CSeq)."""
    (arg,) = args
    if not isinstance(arg, Const):
        return None
    methods = arg.value
    wanted = _wanted_methods(methods)

    def is_method_fixed(ctx: Context) -> int:
        msg = ctx.msg
        if msg.__class__ is SIPRequest:
            method = msg.method
            return 1 if method in wanted or method.upper() in wanted else -1
        return is_method(ctx, methods)

    # the compiler may test the method itself inside an `if` (fixups.method_test)
    return method_test(is_method_fixed, wanted)


@exports.function("has_body", args=(0, 1), routes=RouteType.ANY, doc="The function returns true if the SIP message has a body attached.")
def has_body(ctx: Context, mime: Value = None) -> int:
    """True when the message has a non-empty body (of type `mime` when given)."""
    msg = message(ctx)
    if msg is None:
        return -1
    try:
        length = msg.content_length
    except SIPError:
        length = None
    if not msg.body or length == 0:
        return -1
    if mime is None or to_str(mime) in ("", "0"):
        return 1
    ctype = (msg.content_type or "").split(";")[0].strip().lower()
    return 1 if ctype == to_str(mime).strip().lower() else -1


@exports.function("is_privacy", args=1, routes=RouteType.ANY, doc="The function returns true if the SIP message has a Privacy header field that includes the...")
def is_privacy(ctx: Context, kind: Value) -> int:
    """True when the Privacy header lists `kind` (none, header, session, user, id, critical)."""
    msg = message(ctx)
    if msg is None:
        return -1
    values = {v.strip().lower() for line in msg.header_all("privacy")
              for v in re.split(r"[;,]", line)}
    return 1 if to_str(kind).strip().lower() in values else -1


# --- string tests ----------------------------------------------------------------------------------


@exports.function("in_list", formats=(0, 1), args=3, routes=RouteType.ANY, doc="Function checks if subject string is found in list string where list items are separated...")
def in_list(ctx: Context, subject: Value, items: Value, sep: Value) -> int:
    """True when `subject` is one of the `sep`-separated items (spaces around items ignored)."""
    s = to_str(sep)[:1] or ","
    return 1 if to_str(subject) in [i.strip() for i in to_str(items).split(s)] else -1


@exports.function("in_list_prefix", formats=(0, 1), args=3, routes=RouteType.ANY, doc="Function checks if any element in list string is a prefix for subject string where list...")
def in_list_prefix(ctx: Context, subject: Value, items: Value, sep: Value) -> int:
    """True when one of the `sep`-separated items is a prefix of `subject`."""
    s, text = to_str(sep)[:1] or ",", to_str(subject)
    return 1 if any(i.strip() and text.startswith(i.strip())
                    for i in to_str(items).split(s)) else -1


@exports.function("cmp_str", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as string case sensitive...")
def cmp_str(ctx: Context, a: Value, b: Value) -> int:
    """True when the strings are equal (case-sensitive)."""
    return 1 if to_str(a) == to_str(b) else -1


@exports.function("cmp_istr", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as string case insensitive...")
def cmp_istr(ctx: Context, a: Value, b: Value) -> int:
    """True when the strings are equal ignoring case."""
    return 1 if to_str(a).lower() == to_str(b).lower() else -1


@exports.function("starts_with", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the first string starts with the second string.")
def starts_with(ctx: Context, a: Value, b: Value) -> int:
    """True when `a` starts with `b`."""
    return 1 if to_str(a).startswith(to_str(b)) else -1


@exports.function("ends_with", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the first string ends with the second string.")
def ends_with(ctx: Context, a: Value, b: Value) -> int:
    """True when `a` ends with `b`."""
    return 1 if to_str(a).endswith(to_str(b)) else -1


@exports.function("str_find", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true (greater than 0) if the str2 string is found in str1, case...")
def str_find(ctx: Context, a: Value, b: Value) -> int:
    """The 1-based position of `b` in `a` (case-sensitive), -1 when absent."""
    pos = to_str(a).find(to_str(b))
    return pos + 1 if pos >= 0 else -1


@exports.function("str_ifind", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true (greater than 0) if the str2 string is found in str1, case...")
def str_ifind(ctx: Context, a: Value, b: Value) -> int:
    """str_find() ignoring case."""
    pos = to_str(a).lower().find(to_str(b).lower())
    return pos + 1 if pos >= 0 else -1
