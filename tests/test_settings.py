"""Settings: an archive is a file path or a server database's URL, from --db or MARSAD_DB."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.settings import Settings, database, display, is_server, load, public_name

URL = "postgresql://marsad:s3cret@db.example.org:5433/news"


def test_a_path_stays_a_path(monkeypatch):
    monkeypatch.delenv("MARSAD_DB", raising=False)
    assert Settings().db == Path("marsad.db")
    assert load("archives/ar.db").db == Path("archives/ar.db")
    assert load(Path("/srv/ar.db")).db == Path("/srv/ar.db")
    assert not is_server(load("archives/ar.db").db)


@pytest.mark.parametrize("url", [URL, "postgres://u@h/d", "POSTGRESQL://h/d", "postgresql:///news"])
def test_a_server_url_is_kept_as_given(url, monkeypatch):
    assert load(url).db == url and is_server(load(url).db)  # a Path would fold its "//"
    monkeypatch.setenv("MARSAD_DB", url)
    assert Settings().db == url and load().db == url


def test_a_file_named_like_a_scheme_is_still_a_file():
    assert database("postgresql.db") == Path("postgresql.db")
    assert not is_server("postgresql.db") and not is_server(Path("postgresql://h/d"))


def test_an_empty_environment_value_means_the_default(monkeypatch):
    monkeypatch.setenv("MARSAD_DB", "")
    assert Settings().db == Path("marsad.db")


def test_explicit_values_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("MARSAD_DB", URL)
    monkeypatch.setenv("MARSAD_INGEST_TOKEN", "from-env")
    s = load("local.db", ingest_token="given")
    assert s.db == Path("local.db") and s.ingest_token == "given"


def test_names_shown_never_carry_a_password_or_the_folders():
    assert public_name(Path("/srv/archives/ar.db")) == "ar.db"
    assert display(Path("/srv/archives/ar.db")) == "/srv/archives/ar.db"
    assert display(URL) == public_name(URL) == "postgresql://marsad@db.example.org:5433/news"
    assert display("postgresql://h/d?sslmode=require") == "postgresql://h/d?sslmode=require"
    assert display("postgresql://u:p@[::1]:5432/d") == "postgresql://u@[::1]:5432/d"
