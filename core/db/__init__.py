"""The database layer: `connect(db_url)` gives a `Database` (SQLite or PostgreSQL) with
parametrised query/insert/update/delete/replace and transactions, reconnecting on its own."""

from .api import Cmp, Database, Row, ident
from .connect import connect, default_db_url
from .errors import DBError, DBQueryError, DBSchemaError, DBUnavailable, DBURLError
from .schema import TABLES, create_schema, table_version
from .times import db_time, epoch
from .url import DbUrl, parse_db_url

__all__ = [
    "TABLES", "Cmp", "DBError", "DBQueryError", "DBSchemaError", "DBURLError", "DBUnavailable",
    "Database", "DbUrl", "Row", "connect", "create_schema", "db_time", "default_db_url", "epoch",
    "ident", "parse_db_url", "table_version",
]
