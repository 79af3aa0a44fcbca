"""`db_url` as Kamailio writes it: `sqlite:///path/to/file.db`, `postgres://user:pass@host[:port]/db`.

SQLite, as Kamailio 5.6 reads it (lib/srdb1's URL parser, then db_sqlite): the file is what
follows the third slash, up to a `?`, relative to Kamailio's working directory, which is `/`
unless `kamailio -w DIR` says otherwise. So `sqlite:///var/lib/x.db` is `/var/lib/x.db` and
`sqlite:////var/lib/x.db` (four slashes) is the same file written absolutely; siprouter, which
has no working directory of its own, reads both that way. `sqlite://:memory:` and
`sqlite://relative.db` (no third slash; Kamailio refuses them) stay siprouter's: a private
in-memory database, and a file relative to the current directory. `postgresql://` is accepted
as a synonym of `postgres://`.
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


def sqlite_path(rest: str) -> str:
    """The SQLite file of a URL's part after `sqlite://` (see the module's docstring)."""
    if not rest.startswith("/"):
        return rest  # siprouter's own forms: ":memory:", a path relative to the cwd
    name = rest[1:].partition("?")[0]  # Kamailio's database name stops at "?"
    if not name or name == "/":
        return ""
    return name if name.startswith("/") else "/" + name  # relative to Kamailio's "/"


def parse_db_url(text: str) -> DbUrl:
    """Parse a db_url; DBURLError with a one-line reason when it is not usable."""
    scheme, sep, rest = text.partition("://")
    engine = _SCHEMES.get(scheme.lower()) if sep else None
    if engine is None:
        known = ", ".join(f"{s}://" for s in ("sqlite", "postgres"))
        raise DBURLError(f"unsupported db_url {text!r} (siprouter speaks {known})", text)
    if engine == SQLITE:
        path = sqlite_path(rest)
        if not path:
            raise DBURLError(f"db_url {text!r} names no file", text)
        return DbUrl(SQLITE, path=path, text=text)
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
