"""Kamailio's `textopsx` module as declared exports: Extra text operations: apply changes, header value edits, iterators."""

from siprouter.core.exports import REQ_FAIL_BRANCH_ONREPLY, ModuleExports, RouteType

exports = ModuleExports("textopsx", doc="Extra text operations: apply changes, header value edits, iterators")

# Functions
exports.function("msg_apply_changes", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Use this function to apply changes performed on SIP message content.")
exports.function("msg_set_buffer", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Set the content of the SIP message buffer, replacing the exiting data.")
exports.function("change_reply_status", args=2, routes=RouteType.ONREPLY, doc="Intercept a SIP reply (in an onreply_route) and change its status code and reason phrase...")
exports.function("change_reply_status_code", args=1, routes=RouteType.ONREPLY, doc="Change the status code for a SIP reply .")
exports.function("remove_body", args=0, routes=RouteType.ANY, doc="Use this function to remove the body of SIP requests or replies.")
exports.function("keep_hf", args=(0, 1), routes=RouteType.ANY, doc="Remove headers that don't match the regular expression regexp.")
exports.function("fnmatch", args=(2, 3), routes=RouteType.ANY, doc="Match the value against the expr using shell-style pattern for file name matching (see...")
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
