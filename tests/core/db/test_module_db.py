"""ModuleDatabase: a module's db_url as a per-process Database, and errors as script codes."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from siprouter.core.db import DBError, DBQueryError
from siprouter.core.db.module_db import KAMAILIO_RO_DEFAULT_URL, ModuleDatabase


@dataclass
class Settings:
    db_url: str = ""
    table: str = "t"


def test_the_connection_is_made_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite://{tmp_path / 'a.db'}")
    database = ModuleDatabase("mod", lambda: settings.db_url)
    assert database() is database()


def test_a_changed_db_url_gives_a_new_connection(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite://{tmp_path / 'a.db'}")
    database = ModuleDatabase("mod", lambda: settings.db_url)
    first = database()
    settings.db_url = f"sqlite://{tmp_path / 'b.db'}"
    assert database() is not first
    assert database().url.path == str(tmp_path / "b.db")


@pytest.mark.parametrize("url", ["", KAMAILIO_RO_DEFAULT_URL])
def test_an_empty_or_kamailio_default_url_means_the_embedded_default(url: str) -> None:
    assert ModuleDatabase("mod", lambda: url).url() is None


def test_a_forked_child_uses_a_connection_of_its_own(tmp_path: Path) -> None:
    database = ModuleDatabase("mod", lambda: f"sqlite://{tmp_path / 'a.db'}")
    database().execute("CREATE TABLE kv (k TEXT)")
    parent_conn = database()._conn
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            database().execute("INSERT INTO kv (k) VALUES ('child')")
            ok = database()._conn is not parent_conn
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert database()._conn is parent_conn
    assert database().execute("SELECT k FROM kv") == [{"k": "child"}]


def test_configure_resets_the_settings_to_defaults_and_params(tmp_path: Path) -> None:
    settings = Settings(db_url="x", table="old")
    ModuleDatabase("mod", lambda: settings.db_url).configure(settings, {"table": "new"})
    assert settings == Settings(db_url="", table="new")


def test_configure_refuses_an_unknown_parameter_and_changes_nothing() -> None:
    settings = Settings(table="kept")
    with pytest.raises(ValueError, match="mod: unknown parameter nope"):
        ModuleDatabase("mod", lambda: settings.db_url).configure(settings, {"nope": 1})
    assert settings.table == "kept"


def test_configure_closes_the_connection(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite://{tmp_path / 'a.db'}")
    database = ModuleDatabase("mod", lambda: settings.db_url)
    first = database()
    database.configure(settings, {"db_url": settings.db_url})
    assert database() is not first


@pytest.mark.parametrize("error", [DBQueryError("no such table: t"), DBError("down"),
                                   ValueError("not a valid table or column name: 'a b'")])
def test_answer_turns_a_database_or_name_error_into_the_failure_value(
        error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    def fail() -> int:
        raise error

    log = logging.getLogger("test.module_db")
    with caplog.at_level(logging.ERROR, logger="test.module_db"):
        assert ModuleDatabase.answer(log, "is_domain_local", fail, -1) == -1
    assert caplog.messages == [f"is_domain_local: {error}"]


def test_answer_passes_the_value_through() -> None:
    assert ModuleDatabase.answer(logging.getLogger("t"), "f", lambda: 1, -1) == 1


def test_answer_lets_other_errors_through() -> None:
    def bug() -> int:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        ModuleDatabase.answer(logging.getLogger("t"), "f", bug, -1)
