"""`marsad alerts`: add, list, test, log and remove, with readable one-line errors."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.cli import main
from marsad.watch import alerts
from tests.watch.alert_data import NOW, archive_of_old, sample, settings


@pytest.fixture
def db(new_db):
    return archive_of_old(new_db())


def _run(*args):
    return CliRunner().invoke(main, ["alerts", *args])


def test_add_list_test_log_remove(db):
    assert _run("add", "أخبار اليمن", "اليمن OR عدن", "--email", "desk@example.org", "--every", "daily",
                "--db", db).exit_code == 0
    added = _run("add", "trump", "ترامب", "--webhook", "http://127.0.0.1:9/hook", "--secret", "s3cret-value",
                 "--outlet", "France 24 Arabic", "--db", db)
    assert added.exit_code == 0 and "trump" in added.output
    listed = json.loads(_run("list", "--json", "--db", db).output)
    assert [r["name"] for r in listed] == ["trump", "أخبار اليمن"]
    trump = listed[0]
    assert (trump["every"], trump["outlet"], trump["signed"], trump["matches"]) == \
        ("instant", "France 24 Arabic", True, 0)
    assert "s3cret-value" not in _run("list", "--json", "--db", db).output
    assert "s3cret-value" not in _run("list", "--db", db).output
    found = json.loads(_run("test", "trump", "--json", "--limit", "50", "--db", db).output)
    assert found["total"] > 0 and {h["outlet"] for h in found["hits"]} == {"France 24 Arabic"}
    assert "ترامب" in _run("test", "trump", "--db", db).output
    assert _run("remove", "trump", "--db", db).exit_code == 0
    assert [r["name"] for r in json.loads(_run("list", "--json", "--db", db).output)] == ["أخبار اليمن"]


def test_the_log_shows_failures_and_their_retry(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    assert _run("add", "yemen", "اليمن", "--webhook", url, "--db", db).exit_code == 0
    with open_archive(db) as arc:
        new = sample(200)
        arc.put(new)
        alerts.after_round(arc, [a.id for a in new], NOW, settings(db))
    out = _run("log", "--db", db).output
    assert "FAILED" in out and "next try 2026-03-02T09:31:00+00:00" in out and url in out
    [entry] = json.loads(_run("log", "--json", "--alert", "yemen", "--db", db).output)
    assert entry["ok"] is False and entry["status"] == "pending" and entry["articles"] == {"yemen": 5}
    assert json.loads(_run("log", "--json", "--alert", "other", "--db", db).output) == []


@pytest.mark.parametrize("args, message", [
    (["add", "x", "x", "--every", "weekly"], "weekly"),
    (["add", "a/b", "x"], "bad alert name"),
    (["add", "x", "x", "--email", "not-an-address"], "not an email address"),
    (["remove", "nope"], "no alert named 'nope'"),
    (["test", "nope"], "no alert named 'nope'"),
])
def test_errors_are_one_line(new_db, args, message):
    db = new_db()
    open_archive(db).close()  # an empty archive
    result = _run(*args, "--db", db)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
