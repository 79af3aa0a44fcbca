"""Kamailio's `textopsx` module: apply changes, reply status, body and header removal.

`msg_apply_changes()` re-parses the message with the edits applied and makes it the context's
message (`Context.msg`): from then on every PV reads the new text, as in Kamailio. The code
that sends the message must therefore take `ctx.msg` after the script, not the message it
passed in. Implemented: msg_apply_changes, change_reply_status, change_reply_status_code,
remove_body, keep_hf, fnmatch.
"""

from __future__ import annotations

import fnmatch as _fnmatch
import re

from siprouter.core.exports import REQ_FAIL_BRANCH_ONREPLY, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sip_pvs import marks, message
from siprouter.core.runtime.values import Value, posix_to_python, to_int, to_str
from siprouter.core.sip import SIPError, SIPResponse

exports = ModuleExports("textopsx", doc="Extra text operations: apply changes, header value edits, iterators")

# Functions: declared only (the others are declared with their implementation below)
exports.function("msg_set_buffer", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Set the content of the SIP message buffer, replacing the exiting data.")
exports.function("append_hf_value", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Append new header value after an existing header, if no index acquired append at the end...")
exports.function("insert_hf_value", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Insert new header value before an existing header, if no index acquired insert before...")
exports.function("remove_hf_value", args=1, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Remove the header value from existing header, Note that a header may consist of comma...")
exports.function("assign_hf_value", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Assign value to specified header value / param.")
exports.function("remove_hf_value2", args=1, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Remove specified header or parameter.")
exports.function("assign_hf_value2", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Assign value to specified header.")
exports.function("include_hf_value", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Add value in set if not exists, eg.")
exports.function("exclude_hf_value", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Remove value from set if exists, eg.")
exports.function("hf_value_exists", args=2, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Check if value exists in set.")
exports.function("hf_iterator_start", args=1, routes=RouteType.ANY, doc="Start an iterator for headers in the current SIP message.")
exports.function("hf_iterator_next", args=1, routes=RouteType.ANY, doc="Move the iterator to the next header.")
exports.function("hf_iterator_prev", args=1, routes=RouteType.ANY, doc="Move the iterator to the previous header.")
exports.function("hf_iterator_end", args=1, routes=RouteType.ANY, doc="Close the iterator identified by iname parameter.")
exports.function("hf_iterator_rm", args=1, routes=RouteType.ANY, doc="Remove the header at the current iterator position.")
exports.function("hf_iterator_append", args=2, routes=RouteType.ANY, doc="Add headers after the one at the current iterator possition.")
exports.function("hf_iterator_insert", args=2, routes=RouteType.ANY, doc="Add headers before the one at the current iterator possition.")
exports.function("bl_iterator_start", args=1, routes=RouteType.ANY, doc="Start an iterator for lines in the body of the current SIP message.")
exports.function("bl_iterator_next", args=1, routes=RouteType.ANY, doc="Move the iterator to the next line in the body.")
exports.function("bl_iterator_end", args=1, routes=RouteType.ANY, doc="Close the iterator identified by iname parameter.")
exports.function("bl_iterator_rm", args=1, routes=RouteType.ANY, doc="Remove the body line at the current iterator position.")
exports.function("bl_iterator_append", args=2, routes=RouteType.ANY, doc="Add text after the line at the current iterator possition.")
exports.function("bl_iterator_insert", args=2, routes=RouteType.ANY, doc="Add text before the line at the current iterator possition.")

# Pseudo-variables
exports.pv("hfitname", inner=True, doc="header name at the header iterator")
exports.pv("hfitbody", inner=True, doc="header body at the header iterator")
exports.pv("blitval", inner=True, doc="body line at the body-line iterator")


@exports.function("msg_apply_changes", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Use this function to apply changes performed on SIP message content.")
def msg_apply_changes(ctx: Context) -> int:
    """Apply the pending edits: the message is re-parsed and the script sees the new text."""
    msg = message(ctx)
    if msg is None:
        return -1
    if not msg.has_changes:
        return 1
    try:
        ctx.msg = msg.apply_changes()
    except SIPError as exc:
        ctx.log.error("msg_apply_changes: the changed message does not parse: %s", exc)
        return -1
    if ctx.sip is not None:
        marks(ctx.sip).rr_added.clear()  # now part of the text: no longer removable
    return 1


def _status(ctx: Context, code: Value, reason: Value | None, what: str) -> int:
    msg = ctx.msg
    if not isinstance(msg, SIPResponse):
        ctx.log.error("%s: not a reply", what)
        return -1
    status = to_int(code)
    if status // 100 != msg.status_code // 100 and not (msg.status_code >= 300 and
                                                        status >= 300):
        # Kamailio refuses turning a 1xx/2xx into another class (the transaction would break)
        ctx.log.error("%s: cannot change %d into %d", what, msg.status_code, status)
        return -1
    try:
        msg.set_status(status, msg.reason if reason is None else to_str(reason))
    except SIPError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


@exports.function("change_reply_status", formats=(1,), args=2, routes=RouteType.ONREPLY, doc="Intercept a SIP reply (in an onreply_route) and change its status code and reason phrase...")
def change_reply_status(ctx: Context, code: Value, reason: Value) -> int:
    """Change a reply's status code and reason (within 1xx, 2xx, or among the failures)."""
    return _status(ctx, code, reason, "change_reply_status")


@exports.function("change_reply_status_code", args=1, routes=RouteType.ONREPLY, doc="Change the status code for a SIP reply .")
def change_reply_status_code(ctx: Context, code: Value) -> int:
    """Change a reply's status code, keeping the reason."""
    return _status(ctx, code, None, "change_reply_status_code")


@exports.function("remove_body", args=0, routes=RouteType.ANY, doc="Use this function to remove the body of SIP requests or replies.")
def remove_body(ctx: Context) -> int:
    """Remove the body (Content-Length becomes 0, Content-Type goes)."""
    msg = message(ctx)
    if msg is None or not msg.body:
        return -1
    msg.set_body(b"")
    msg.remove_header("content-type")
    return 1


@exports.function("keep_hf", args=(0, 1), routes=RouteType.ANY, doc="Remove headers that don't match the regular expression regexp.")
def keep_hf(ctx: Context, regex: Value = None) -> int:
    """Remove the headers not matching the regex; Via, From, To, Call-ID, CSeq, Route,
    Record-Route, Contact, Max-Forwards, Content-Length and Content-Type always stay."""
    msg = message(ctx)
    if msg is None:
        return -1
    try:
        rx = re.compile(posix_to_python(to_str(regex)), re.IGNORECASE) if regex else None
    except re.error as exc:
        ctx.log.error("keep_hf: %s", exc)
        return -1
    for i, h in enumerate(msg.headers):
        if h.key in _ALWAYS_KEPT or (rx is not None and rx.search(h.name)):
            continue
        msg.edits.set_value(i, None)
    return 1


_ALWAYS_KEPT = frozenset({"via", "from", "to", "call-id", "cseq", "route", "record-route",
                          "contact", "max-forwards", "content-length", "content-type"})


@exports.function("fnmatch", formats=(0, 1), args=(2, 3), routes=RouteType.ANY, doc="Match the value against the expr using shell-style pattern for file name matching (see...")
def fnmatch(ctx: Context, value: Value, expr: Value, flags: Value = "") -> int:
    """Shell-style match of the value against `expr`; flag "i" ignores case."""
    text, pattern = to_str(value), to_str(expr)
    if "i" in to_str(flags):
        text, pattern = text.lower(), pattern.lower()
    return 1 if _fnmatch.fnmatchcase(text, pattern) else -1
