"""Kamailio's `db_sqlite` module as declared exports: SQLite database driver."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("db_sqlite", doc="SQLite database driver")

# Parameters
exports.param("db_set_readonly", str, None, multi=True, doc="This will set the db connection to \"SQLITE_OPEN_READONLY\", useful if another program is...")
exports.param("db_set_journal_mode", str, None, multi=True, doc="This will set the db connection journal mode, for the given connection.")
