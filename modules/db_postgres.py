"""Kamailio's `db_postgres` module as declared exports: PostgreSQL database driver."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("db_postgres", doc="PostgreSQL database driver")

# Parameters
exports.param("retries", int, 2, doc="How many retries to attempt to reconnect if connection to Postgres server becomes broken.")
exports.param("lockset", int, 4, doc="The value is used as power of two to compute the size of the lock set needed to implement...")
exports.param("timeout", int, None, doc="Setting this variable to any value larger than zero (which is the default value) enables...")
exports.param("tcp_keepalive", int, None, doc="Enable the TCP keepalive timer and set the number of seconds the connection must be idle...")
exports.param("bytea_output_escape", int, 1, doc="Control if the module should request escaping the output for bytea fields.")
exports.param("con_param", str, None, multi=True, doc="Specifies the connection string parameters.")
