"""`db_url` as Kamailio writes it: `sqlite:///path/to/file.db`, `postgres://user:pass@host[:port]/db`.

For SQLite everything after `sqlite://` is the file path (so `sqlite:///var/lib/x.db` is the
absolute path `/var/lib/x.db`, as in Kamailio's db_sqlite). `postgresql://` is accepted as a
synonym of `postgres://`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .errors import DBURLError

SQLITE = "sqlite"
POSTGRES = "postgres"

_SCHEMES = {"sqlite": SQLITE, "postgres": POSTGRES, "postgresql": POSTGRES}


@dataclass(frozen=True)
class DbUrl:
    """A parsed database URL."""

    engine: str  # SQLITE or POSTGRES
    path: str = ""  # SQLite file (":memory:" for a private in-memory database)
    user: str = ""
    password: str = ""
    host: str = ""
    port: int | None = None
    database: str = ""
    text: str = ""  # the URL as given

    @property
    def safe(self) -> str:
        """The URL with the password replaced by `***`, for logs."""
        if self.engine == SQLITE:
            return self.text
        auth = f"{self.user}:***@" if self.password else (f"{self.user}@" if self.user else "")
        port = f":{self.port}" if self.port else ""
        return f"postgres://{auth}{self.host}{port}/{self.database}"


def parse_db_url(text: str) -> DbUrl:
    """Parse a db_url; DBURLError with a one-line reason when it is not usable."""
    scheme, sep, rest = text.partition("://")
    engine = _SCHEMES.get(scheme.lower()) if sep else None
    if engine is None:
        known = ", ".join(f"{s}://" for s in ("sqlite", "postgres"))
        raise DBURLError(f"unsupported db_url {text!r} (siprouter speaks {known})", text)
    if engine == SQLITE:
        if not rest:
            raise DBURLError(f"db_url {text!r} names no file", text)
        return DbUrl(SQLITE, path=rest, text=text)
    parts = urlsplit(f"postgres://{rest}")
    try:
        port = parts.port
    except ValueError:
        raise DBURLError(f"db_url {text!r}: bad port", text) from None
    database = parts.path.lstrip("/")
    if not parts.hostname or not database:
        raise DBURLError(f"db_url {text!r} needs a host and a database name", text)
    return DbUrl(POSTGRES, user=unquote(parts.username or ""),
                 password=unquote(parts.password or ""), host=parts.hostname, port=port,
                 database=unquote(database), text=text)
