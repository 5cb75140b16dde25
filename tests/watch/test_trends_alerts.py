"""Alerts in what is rising: saved searches' shares, and "rising" as a kind of alert delivered through
the alerts' own rounds to a real local webhook receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.errors import InputError
from marsad.model import Alert
from marsad.watch import alerts, trends
from marsad.watch.trends import Series, rising
from tests.watch.alert_data import settings
from tests.watch.trend_data import DAYS, NOW, START, archive, weeks

MADE = datetime(START.year, START.month, START.day, tzinfo=UTC)


def test_a_saved_search_matching_more_rises(new_db):
    with archive(new_db, weeks({"steady": 2, "rare": 6})) as arc:
        alerts.add(arc, Alert("people", "rare steady"), MADE)
        alerts.add(arc, Alert("late", "rare"), NOW - timedelta(hours=20))
        state = arc.backend.alerts
        with arc.backend.unit_of_work():
            for a in arc.iter_articles():  # what the rounds matched: "people" the "rare" articles
                names = {m.text for m in a.entities}
                if "rare" in names:
                    state.record("people", [a.id], a.published)
                if "rare" in names and a.published >= str(NOW.date() - timedelta(days=1)):
                    state.record("late", [a.id], a.published)
        windows = trends.windows_for("1d", NOW)
        assert ("people", DAYS, 6) in state.alert_windows(windows)
        report = rising(arc, "alert", "1d", NOW)
        found = {t.id: t for t in report.items}
        assert set(found) == {"people", "late"} and found["people"].z > 5
        # "late" was made the day it matched: no baseline at all, so its z is its count.
        assert (found["late"].baseline, found["late"].z) == (0.0, 6.0)


def test_windows_before_an_alert_was_made_are_no_baseline():
    """Counted from when it was made, a steady alert does not rise; counting the days before as zeros
    would make it."""
    steady = [0] * 10 + [5] * 10 + [5]
    totals = [20] * 21
    every = trends.Options()
    assert trends.score("alert", {"a": Series("a", steady, since=10)}, totals, every) == []
    assert trends.score("alert", {"a": Series("a", steady, since=0)}, totals, trends.Options(threshold=1))


def _received(httpserver) -> list[dict]:
    return [json.loads(req.get_data()) for req, _ in httpserver.log]


def test_a_rising_alert_delivers_each_newly_rising_item_once(new_db, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    days = weeks({"steady": 2, "rare": 6, "new": 3})
    last = max(days)
    today = days.pop(last)
    with archive(new_db, days) as arc:
        conf = settings(new_db())
        alerts.add(arc, Alert("who", "entity 1d", kind="rising", webhook=httpserver.url_for("/hook")), MADE)
        assert alerts.after_round(arc, [], NOW - timedelta(days=1), conf)["matched"] == 0
        arc.backend.store.put_batch(today)
        counts = alerts.after_round(arc, [a.id for a in today], NOW, conf)
        [payload] = _received(httpserver)
        assert counts == {"matched": 2, "delivered": 1, "failed": 0}
        assert payload["alert"] == "who" and payload["query"] == "entity 1d"
        # The newest report of each: "rare" is in the day's first six articles, "new" in the first three.
        assert [a["id"] for a in payload["articles"]] == [today[5].id, today[2].id]
        # An hour later both still rise: nothing new is delivered.
        assert alerts.after_round(arc, [], NOW + timedelta(hours=1), conf)["matched"] == 0
        assert len(httpserver.log) == 1


def test_a_rising_alert_names_what_rises(new_db):
    with archive(new_db, {}) as arc:
        for spec in ("outlet", "story 1w", "", "entity 1d extra"):
            with pytest.raises(InputError):
                alerts.add(arc, Alert("bad", spec, kind="rising"), MADE)
        assert alerts.add(arc, Alert("ok", "story", kind="rising"), MADE).query == "story"
    assert trends.rising_spec("story") == ("story", "1d")
    assert trends.rising_spec(" alert  1h ") == ("alert", "1h")


def test_the_alerts_command_adds_a_rising_alert(tmp_path):
    db = str(tmp_path / "a.db")
    run = CliRunner().invoke
    added = run(main, ["alerts", "add", "breaking", "story 1h", "--kind", "rising", "--db", db])
    assert added.exit_code == 0, added.output
    listed = json.loads(run(main, ["alerts", "list", "--json", "--db", db]).stdout)
    assert [(a["name"], a["kind"], a["query"]) for a in listed] == [("breaking", "rising", "story 1h")]
    bad = run(main, ["alerts", "add", "x", "people 1h", "--kind", "rising", "--db", db])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "rising" in bad.stderr
