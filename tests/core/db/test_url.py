"""db_url parsing: Kamailio's forms, and a one-line refusal for the rest."""

from __future__ import annotations

import pytest

from siprouter.core.db import DBURLError, connect, parse_db_url


def test_sqlite_url_path_is_everything_after_the_scheme() -> None:
    assert parse_db_url("sqlite:///var/lib/x.db").path == "/var/lib/x.db"
    assert parse_db_url("sqlite://:memory:").path == ":memory:"
    assert parse_db_url("sqlite://relative.db").path == "relative.db"


def test_sqlite_url_with_four_slashes_is_kamailios_absolute_path() -> None:
    assert parse_db_url("sqlite:////var/lib/x.db").path == "/var/lib/x.db"


def test_sqlite_url_with_three_slashes_is_relative_to_kamailios_working_directory() -> None:
    # Kamailio opens "var/lib/x.db" from its working directory, "/" unless -w says otherwise.
    assert parse_db_url("sqlite:///var/lib/x.db").path == parse_db_url(
        "sqlite:////var/lib/x.db").path


def test_sqlite_file_name_stops_at_a_question_mark_as_in_kamailio() -> None:
    assert parse_db_url("sqlite:///var/lib/x.db?mode=ro").path == "/var/lib/x.db"


def test_postgres_url_gives_user_password_host_port_and_database() -> None:
    u = parse_db_url("postgres://kam:s%40cret@db.example.com:5433/kamailio")
    assert (u.user, u.password, u.host, u.port, u.database) == (
        "kam", "s@cret", "db.example.com", 5433, "kamailio")
    assert parse_db_url("postgresql://a@h/d").engine == "postgres"


def test_safe_form_hides_the_password() -> None:
    assert parse_db_url("postgres://kam:secret@h/d").safe == "postgres://kam:***@h/d"


@pytest.mark.parametrize("text", ["mysql://k:p@h/d", "kamailio.db", "sqlite://", "sqlite:///",
                                  "sqlite:////", "sqlite:///?x=1",
                                  "postgres://h", "postgres://user@/db", "postgres://h:x/d"])
def test_unusable_urls_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(DBURLError):
        parse_db_url(text)


def test_kamailios_default_mysql_url_means_the_embedded_sqlite(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SIPROUTER_DB_URL", f"sqlite://{tmp_path / 'd.db'}")
    db = connect("mysql://kamailio:kamailiorw@localhost/kamailio")
    assert db.engine == "sqlite" and db.url.path == str(tmp_path / "d.db")
