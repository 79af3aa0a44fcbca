"""Kamailio's `db_mysql` module as declared exports: MySQL database driver."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("db_mysql", doc="MySQL database driver")

# Parameters
exports.param("ping_interval", int, 300, doc="Time interval in seconds to send ping messages to MySQL server in order to keep the...")
exports.param("connect_timeout", int, None, doc="Timeout in seconds for connecting to the server.")
exports.param("send_timeout", int, None, doc="Timeout in seconds for sending to the server.")
exports.param("receive_timeout", int, None, doc="Timeout in seconds for reading from the server.")
exports.param("retries", int, None, doc="How many times a failed query is retried after reconnecting.")
exports.param("server_timezone", int, 0, doc="Control if kamailio converts a time to string using the local timezone or if MySQL will...")
exports.param("timeout_interval", int, 2, doc="Time interval (in seconds) after that a connection attempt, read or write request is...")
exports.param("auto_reconnect", int, 1, doc="Configure whether the module should automatically reconnect to MySQL server if the...")
exports.param("insert_delayed", int, 0, doc="If set to 1, all INSERT SQL queries will be sent to MySQL server as INSERT DELAYED.")
exports.param("update_affected_found", int, 0, doc="If set to 1, all UPDATE SQL queries will return the number of matched rows instead of the...")
exports.param("unsigned_type", int, None, doc="Return unsigned integer columns as DB1_UINT.")
exports.param("opt_ssl_mode", int, 0, doc="Control how the connection to MySQL server is done in regards to SSL/TLS.")
