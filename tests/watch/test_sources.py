"""Sources: durations, failures weighed and put off, and the ``marsad sources`` and ``watch`` commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.cli import main
from marsad.errors import InputError
from marsad.model import Source
from marsad.watch import sources as src
from tests.conftest import ROOT

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
FAST = {"MARSAD_HOST_INTERVAL": "0"}  # the site is ours: no pacing needed between its pages


@pytest.mark.parametrize(("text", "seconds", "shown"), [
    ("15m", 900, "15m"), ("90s", 90, "1m30s"), ("1h30m", 5400, "1h30m"), ("1d", 86400, "1d"),
    (" 2H ", 7200, "2h")])
def test_durations(text, seconds, shown):
    assert src.parse_every(text) == seconds and src.show_every(seconds) == shown


@pytest.mark.parametrize("text", ["", "15", "m", "15x", "1h 30m", "-5m", "30s"])
def test_bad_durations_are_one_line(text):
    with pytest.raises(InputError, match="--every"):
        src.parse_every(text)


def test_failures_are_weighed_put_off_and_cleared():
    source = Source(url="http://a.test/rss.xml", name="a", kind="rss", every=900, added="2026-03-05T09:00Z")
    src.failed(source, NOW, "timeout", "timed out")
    assert (source.failures, source.status, source.next_due) == (1.0, "failing", "2026-03-05T10:15:00Z")
    src.failed(source, NOW, "http", "HTTP 503", status=503)
    assert (source.failures, source.consecutive_failures, source.next_due) == (2.0, 2, "2026-03-05T10:30:00Z")
    src.failed(source, NOW, "retry-after", "wait", retry_after=4 * 3600)
    assert source.failures == 2.5 and source.next_due == "2026-03-05T14:00:00Z"
    for _ in range(3):
        src.failed(source, NOW, "http", "HTTP 410 Gone", status=410)
    assert source.status == "disabled" and source.failures == 11.5
    assert source.next_due == "2026-03-05T16:00:00Z"  # never put off more than six hours
    assert src.due([source], datetime(2026, 3, 6, tzinfo=UTC)) == []


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env={**FAST, **(env or {})}, catch_exceptions=False)


def test_the_sources_commands(tmp_path, news_site):
    db = str(tmp_path / "w.db")
    feed = news_site.url("/rss.xml")
    added = run("sources", "add", feed + "#top", "--name", "أخبار", "--every", "30m", "--db", db)
    assert added.exit_code == 0 and added.output == f"following {feed} (rss) as أخبار, every 30m\n"
    again = run("sources", "add", feed, "--db", db)
    assert again.exit_code == 2 and again.output.count("\n") == 1 and "followed already" in again.output
    run("sources", "add", news_site.url("/news-sitemap.xml"), "--db", db)
    assert run("watch", "--once", "--db", db).exit_code == 0
    rows = {r["name"]: r for r in json.loads(run("sources", "list", "--json", "--db", db).output)}
    feed_row = rows["أخبار"]
    wanted = {"url", "name", "kind", "every", "status", "last_fetched", "next_due", "discovered", "stored",
              "failed", "consecutive_failures", "last_error"}
    assert wanted <= feed_row.keys()
    assert [feed_row[k] for k in ("url", "kind", "every", "status")] == [feed, "rss", "30m", "ok"]
    assert [feed_row[k] for k in ("discovered", "stored", "failed", "consecutive_failures")] == [10, 10, 0, 0]
    sitemap = next(r for r in rows.values() if r["kind"] == "sitemap")
    assert sitemap["discovered"] == 0 and sitemap["stored"] == 0  # its links were known from the feed
    assert run("sources", "pause", "أخبار", "--db", db).output == f"paused {feed}\n"
    assert "paused" in run("sources", "list", "--db", db).output
    assert run("sources", "resume", feed, "--db", db).output == f"resumed {feed}\n"
    assert run("sources", "remove", feed, "--db", db).output == f"removed {feed}\n"
    gone = run("sources", "pause", feed, "--db", db)
    assert gone.exit_code == 2 and "no source" in gone.output
    assert [r["kind"] for r in json.loads(run("sources", "list", "--json", "--db", db).output)] == ["sitemap"]


def test_a_source_that_cannot_be_read_is_not_added_unless_its_kind_is_given(tmp_path, news_site):
    db = str(tmp_path / "w.db")
    missing = news_site.url("/missing.xml")
    refused = run("sources", "add", missing, "--db", db)
    assert refused.exit_code == 2 and "HTTP 404" in refused.output and refused.output.count("\n") == 1
    assert run("sources", "add", missing, "--kind", "rss", "--db", db).exit_code == 0


def test_watch_once_exits_0_when_sources_fail_and_2_for_bad_settings(tmp_path, news_site):
    db = str(tmp_path / "w.db")
    run("sources", "add", news_site.url("/gone.xml"), "--kind", "rss", "--db", db)
    once = run("watch", "--once", "--db", db)
    assert once.exit_code == 0 and "1 failing" in once.output
    [row] = json.loads(run("sources", "list", "--json", "--db", db).output)
    assert row["status"] == "failing" and "HTTP 404" in row["last_error"]
    for bad in ({"MARSAD_HOST_INTERVAL": "-1"}, {"MARSAD_FETCH_TIMEOUT": "soon"},
                {"MARSAD_CONTACT_URL": "me"}):
        refused = run("watch", "--once", "--db", db, env=bad)
        assert refused.exit_code == 2 and refused.output.startswith("marsad: E100: bad setting"), bad


def _wait_for(what, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, "the watch never got there"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_watch_stopped_mid_round_goes_on_where_it_stopped(tmp_path, make_site, sig):
    site = make_site(clock=None)
    site.publish(10)
    db = str(tmp_path / "w.db")
    run("sources", "add", site.url("/rss.xml"), "--db", db)
    stuck = site.article_path(site.published[4])
    site.serve(stuck, delay=300)  # the round is in the middle of its articles while this page hangs
    env = {**os.environ, **FAST, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "watch", "--db", db], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: site.hits(stuck))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    if sig == signal.SIGTERM:  # a clean stop: the page being stored is finished
        assert proc.returncode == 0 and "(stopped)" in out and not err
    with open_archive(db) as arc:
        before = arc.count()
        known = arc.backend.watch.known([site.article_url(a) for a in site.published])
        # Nothing half-written: a URL is marked fetched exactly when its article is stored.
        assert sorted(i for i in known.values() if i) == sorted(a.id for a in arc.latest(20))
    assert before < 10
    site.clear()
    rerun = subprocess.run([sys.executable, "-m", "marsad", "watch", "--once", "--db", db], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    with open_archive(db) as arc:
        assert arc.count() == 10 and not arc.backend.relate.unrelated()
    hits = [h.path for h in site.hits() if h.path.endswith(".html") and h.path != stuck]
    assert len(set(hits)) == 9
    if sig == signal.SIGTERM:
        assert len(hits) == 9  # what was stored before the stop is not fetched again
