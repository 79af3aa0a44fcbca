"""Kamailio's `mtree` module as declared exports: Memory prefix trees loaded from a database."""

from siprouter.core.exports import REQ_FAIL_BRANCH_ONREPLY, ModuleExports

exports = ModuleExports("mtree", doc="Memory prefix trees loaded from a database")

# Parameters
exports.param("mtree", str, None, multi=True, doc="Definition of memory tree with using a parameters format string.")
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", doc="URL of the database server to be used.")
exports.param("db_table", str, "", doc="Name of database table where data for many trees is stored.")
exports.param("tname_column", str, "tname", doc="Name of 'tname' column.")
exports.param("tprefix_column", str, "tprefix", doc="Name of 'tprefix' column.")
exports.param("tvalue_column", str, "tvalue", doc="Name of 'tvalue' column.")
exports.param("char_list", str, "0123456789", doc="The list with characters allowed in prefix.")
exports.param("fetch_rows", int, 1000, doc="Number of rows to be loaded in one step from database.")
exports.param("pv_value", str, "$avp(s:tvalue)", doc="The PV spec where to store the matched value.")
exports.param("pv_values", str, "$avp(s:tvalues)", doc="The AVP where to store the matched values when mtree is of type 0 or 2 and mode of...")
exports.param("pv_dstid", str, "$avp(tdstid)", doc="The AVP name where to store the first integer value when tree type is 1.")
exports.param("pv_weight", str, "$avp(tweight)", doc="The AVP name where to store the second integer value when tree type is 1.")
exports.param("pv_count", str, "$avp(tcount)", doc="The PV spec where to store the count of matched values when tree type is 1.")
exports.param("mt_tree_type", int, 0, doc="Default payload type for trees data stored in 'db_table'.")
exports.param("mt_ignore_duplicates", int, 0, doc="Ignore duplicated prefixes when loading data.")
exports.param("mt_allow_duplicates", int, 0, doc="Allow duplicate prefixes when loading data.")

# Functions
exports.function("mt_match", args=3, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Match 'pv' value against 'mtree'.")

# RPC commands
exports.rpc("mtree.list", "List content of one or all trees.", ("_mtree_",))
exports.rpc("mtree.summary", "List usage summary for all trees or for the tree whose name is given as parameter.", ("_mtree_",))
exports.rpc("mtree.reload", "Reload mtree from database to memory.", ("_mtree_",))
exports.rpc("mtree.match", "Match prefix value against mtree", ("_mtree_", "_prefix_", "_mode_"))
