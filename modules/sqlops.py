"""Kamailio's `sqlops` module as declared exports: Raw SQL queries from the script."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("sqlops", doc="Raw SQL queries from the script")

# Parameters
exports.param("sqlcon", str, None, multi=True, doc="The definition of a DB connection.")
exports.param("sqlres", str, None, multi=True, doc="The definition of a database result ID.")
exports.param("tr_buf_size", int, 2048, doc="The size of the transformations for SQL operations.")
exports.param("connect_mode", int, 0, doc="Control if the module must stop loading when connecting to database server fails during...")
exports.param("results_maxsize", int, 32, doc="Set the upper limit of how many result containers are going to be defined.")

# Functions
exports.function("sql_query", args=(2, 3), routes=RouteType.ANY, doc="Make an SQL query using 'connection' and store data in 'result'.")
exports.function("sql_query_async", args=2, routes=RouteType.ANY, doc="Make an async SQL query using 'connection', if implemented by db driver module (e.g....")
exports.function("sql_xquery", args=3, routes=RouteType.ANY, doc="Make an SQL query using 'connection' and store data in 'result' xavp.")
exports.function("sql_pvquery", args=3, routes=RouteType.ANY, doc="Make an SQL query using 'connection' and store data in arbitrary pseudo variables...")
exports.function("sql_result_free", args=1, routes=RouteType.ANY, doc="Free data in SQL 'result'.")

# Pseudo-variables
exports.pv("dbr", inner=True, doc="SQL result access ($dbr(result=>rows), $dbr(result=>[r,c]))")
exports.pv("sqlrows", inner=True, doc="rows affected by the last query on a connection")

# Transformations: {sql.val}, {sql.val.int}, {sql.val.str} quote values for SQL statements.
exports.transformation("sql", ["val", "val.int", "val.str"])
