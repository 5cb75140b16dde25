"""What is rising: the score and its floors, and planted spikes in synthetic archives on both backends."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.errors import InputError
from marsad.model import Article
from marsad.watch import trends
from marsad.watch.trends import Series, breaking, rising, z_score
from tests.watch.trend_data import NOW, START, archive, article, day_of, weeks


def test_a_planted_spike_rises_and_a_weekend_is_no_drop(new_db):
    # The last day is a Sunday: 8 articles, "steady" in 2 as always; "rare" in 6 of them; "new" in 3.
    with archive(new_db, weeks({"steady": 2, "rare": 6, "new": 3})) as arc:
        report = rising(arc, "entity", "1d", NOW)
        assert (report.articles, report.now) == (8, "2024-03-04T00:00:00+00:00")
        assert report.baseline_windows == 27  # the 28th window before it is empty: left out, not a zero
        found = {t.name: t for t in report.items}
        assert set(found) == {"rare", "new"}
        assert found["rare"].count == 6 and found["rare"].z > 5 and found["rare"].type == "PERS"
        assert found["new"].z == pytest.approx(3.0) and found["new"].baseline == 0
        assert [t.name for t in report.items] == ["rare", "new"]


def test_a_busy_monday_after_a_quiet_weekend_is_no_rise(new_db):
    """A Monday (40 articles) against the weekend before it (8 a day): "steady" triples its count but
    keeps its share, so it does not rise; counted in articles it would."""
    days = {d: a for d, a in weeks().items() if d < date(2024, 2, 13)}  # to the Monday of week 2
    monday = datetime(2024, 2, 13, tzinfo=UTC)
    with archive(new_db, days) as arc:
        assert rising(arc, "entity", "1d", monday, baseline=2).items == []
        totals = arc.store.window_totals(trends.windows_for("1d", monday, baseline=2))
        assert totals == [8, 8, 40]
        raw = [2, 2]  # what "steady" had on the weekend, against its 10 on Monday
        mean = sum(raw) / 2
        assert (10 - mean) / max(math.sqrt(mean), 1) >= 3  # a raw count would call it rising
        assert rising(arc, "entity", "1d", monday, baseline=2, threshold=-99).items[0].z == pytest.approx(0)


def test_too_few_articles_never_rise(new_db):
    with archive(new_db, weeks({"steady": 2, "new": 2})) as arc:
        assert rising(arc, "entity", "1d", NOW).items == []
        assert [t.name for t in rising(arc, "entity", "1d", NOW, min_count=2, threshold=2).items] == ["new"]


def test_hourly_windows_and_the_clock(new_db):
    day = date(2024, 3, 3)
    # Ten quiet hours (two articles an hour, one naming "steady"), then an hour naming "burst" in five.
    articles = [article(h * 10 + k, day, names=("steady",) if k == 0 else ())
                for h in range(10) for k in range(2)]
    for a, h in zip(articles, [h for h in range(10) for _ in range(2)], strict=True):
        a.published = f"{day}T{h:02d}:{10 + len(a.id) % 40:02d}:00Z"
    articles += [article(100 + k, day, names=("burst",)) for k in range(5)]
    for a in articles[-5:]:
        a.published = f"{day}T12:30:00+02:00"  # 10:30 UTC
    with archive(new_db, {day: articles}) as arc:
        now = datetime(2024, 3, 3, 11, tzinfo=UTC)
        report = rising(arc, "entity", "1h", now, baseline=10)
        assert report.articles == 5 and [t.name for t in report.items] == ["burst"]
        # Stored now, long after 2024: by the time stored, nothing was there then.
        assert rising(arc, "entity", "1h", now, clock="ingested", baseline=10).articles == 0


def _storyarchive(new_db):
    """Story "slow" in two outlets every day of a week; story "event", one outlet's for three days, then
    in four outlets on the last day; story "wide", in five outlets every day, one more the last day."""
    days: dict[date, list[Article]] = {}
    members = []
    first = NOW.date() - timedelta(days=7)
    for i in range(7):
        day = first + timedelta(days=i)
        last = i == 6
        plan = [("slow", o) for o in ("a", "b")] + [("wide", o) for o in "abcde"] * 2
        plan += [("wide", "f")] * last
        plan += [("event", o) for o in ("a", "b", "c", "d", "a")] if last else [("event", "a")] * (i >= 3)
        plan += [("other", "z")] * 20
        days[day] = [article(n, day, outlet=f"{o}.example") for n, (_, o) in enumerate(plan)]
        members += [(a.id, story) for a, (story, _) in zip(days[day], plan, strict=True)]
    arc = archive(new_db, days)
    state = arc.backend.relate
    with arc.backend.unit_of_work():
        state.save_stories([(s, None, None, {"t": 1.0}) for s in ("slow", "wide", "event", "other")])
        state.add_members([(state.key(a), s) for a, s in members])
        state.refresh_stories(["slow", "wide", "event", "other"])
    return arc


def test_a_story_gaining_outlets_fast_is_breaking(new_db):
    with _storyarchive(new_db) as arc:
        report = rising(arc, "story", "1d", NOW, baseline=6)
        found = {t.id: t for t in report.items}
        assert set(found) == {"event"}
        event = found["event"]
        assert event.breaking and event.rising and event.count == 5
        assert (event.outlets, event.new_outlets) == (4, 3)
        assert event.name.startswith("خبر")  # the story's title: its first report's headline


def test_counts_per_window_are_one_grouped_read(new_db):
    with _storyarchive(new_db) as arc:
        windows = trends.windows_for("1d", NOW, baseline=6)
        assert arc.store.window_totals(windows) == [32, 32, 32, 33, 33, 33, 38]
        rows = arc.backend.relate.story_windows(windows)
        assert ("wide", 6, "f.example", 1) in rows and ("event", 6, "a.example", 2) in rows
        assert {r[0] for r in rows} == {"slow", "wide", "event", "other"}


@pytest.mark.backends("postgres")
def test_counts_on_postgresql_hold_in_parallel_plans(new_db):
    """Reading a stored time may not run in a parallel worker (its error handling is a subtransaction)."""
    with archive(new_db, weeks({"rare": 6})) as arc, arc.backend.unit_of_work(), \
            arc.backend.connection() as conn:
        conn.execute("SELECT set_config(name, 'on', true) FROM pg_settings "
                     "WHERE name IN ('force_parallel_mode', 'debug_parallel_query')")
        assert [t.name for t in rising(arc, "entity", "1d", NOW).items] == ["rare"]


def test_bad_arguments_are_one_line_errors(new_db):
    with _tiny_archive(new_db) as arc:
        for kwargs in ({"kind": "outlet"}, {"window": "1w"}, {"clock": "wall"}, {"baseline": 0}):
            with pytest.raises(InputError):
                rising(arc, now=NOW, **kwargs)
    for far in ("0001-01-01", "9999-12-31T23:59"):
        with pytest.raises(InputError):
            trends.windows_for("1d", trends.parse_now(far))
    with pytest.raises(InputError):
        trends.parse_now("yesterday")
    assert trends.parse_now("2018-03-15") == datetime(2018, 3, 15, tzinfo=UTC)
    assert trends.parse_now("2018-03-15T12:00+03:00").utcoffset() == timedelta(hours=3)


def _tiny_archive(new_db):
    return archive(new_db, {START: day_of(START, 3, {})})


# -- the score, as properties ---------------------------------------------------------------------

shares = st.lists(st.floats(0, 1), max_size=40)
volumes = st.integers(0, 5000)


@given(st.integers(0, 500), volumes, shares)
def test_the_floors_bound_the_score(count, volume, baseline):
    z, expected = z_score(count, volume, baseline)
    assert expected >= 0
    assert abs(z) <= abs(count - expected) + 1e-9  # the floor of 1
    assert abs(z) <= abs(count - expected) / math.sqrt(expected) + 1e-9 if expected else True


@given(st.integers(0, 500), volumes, shares)
def test_more_articles_score_higher(count, volume, baseline):
    assert z_score(count + 1, volume, baseline)[0] > z_score(count, volume, baseline)[0]


@given(st.floats(0, 1), st.integers(1, 40), volumes)
def test_a_steady_share_scores_zero(share, windows, volume):
    z, expected = z_score(round(share * volume), volume, [share] * windows)
    assert abs(z) <= 0.5 + 1e-9 and expected == pytest.approx(share * volume)


@given(st.integers(0, 50))
def test_an_item_never_seen_scores_its_count(count):
    assert z_score(count, 100, [])[0] == count == z_score(count, 100, [0.0] * 5)[0]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(1, 20)),
                min_size=2, max_size=30))
def test_quiet_and_busy_baseline_windows_weigh_alike(windows):
    """Shares, not counts: each baseline window scaled by its own factor (a weekend, a busy day: the same
    shares of fewer or more articles) leaves the score as it was."""
    counts = [min(n, t) for n, t, _ in windows]
    totals = [t for _, t, _ in windows]
    scaled = [k if i < len(windows) - 1 else 1 for i, (_, _, k) in enumerate(windows)]
    every = trends.Options(-1e9, 0)
    one = trends.score("entity", {"x": Series("x", counts)}, totals, every)
    many = trends.score("entity", {"x": Series("x", [n * k for n, k in zip(counts, scaled, strict=True)])},
                        [t * k for t, k in zip(totals, scaled, strict=True)], every)
    def seen(found):
        return [(t.z, t.expected, t.baseline) for t in found]

    assert seen(many) == pytest.approx(seen(one))


@given(st.sets(st.sampled_from("abcdefg")), st.sets(st.sampled_from("abcdefg")))
def test_breaking_needs_new_outlets_fast(before, now):
    new = now - before
    if breaking(before, now):
        assert len(new) >= 2 and len(before | now) >= 3 and len(before | now) >= 2 * len(before)
    if not before and len(now) >= 3:
        assert breaking(before, now)


def test_one_outlets_text_filed_twice_is_one_report(new_db):
    """A copy group counts once per outlet: the same text in two sections of one outlet is one
    report; republished by another outlet, it is that outlet's report too."""
    day = NOW.date() - timedelta(days=1)
    articles = [article(n, day, outlet=o, names=("x",)) for n, o in enumerate(["a", "a", "b", "c"])]
    with archive(new_db, {day: articles}) as arc:
        state = arc.backend.relate
        keys = [state.key(a.id) for a in articles]
        windows = trends.windows_for("1d", NOW, baseline=1)
        assert arc.store.window_totals(windows) == [0, 4]
        with arc.backend.unit_of_work():
            state.join_group(keys[1], [keys[0]])
            state.join_group(keys[2], [keys[0], keys[1]])
        assert arc.store.window_totals(windows) == [0, 3]
        assert [r[3:] for r in arc.store.entity_windows(windows)] == [(1, 3)]


def test_the_command(tmp_path):
    from click.testing import CliRunner

    from marsad.cli import main

    db = str(tmp_path / "a.db")
    with open_archive(db) as arc:
        arc.backend.store.put_batch([a for articles in weeks({"rare": 6}).values() for a in articles])
    run = CliRunner().invoke
    out = run(main, ["trends", "--db", db, "--now", "2024-03-04", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [t["name"] for t in data["items"]] == ["rare"] and data["now"] == "2024-03-04T00:00:00+00:00"
    text = run(main, ["trends", "--db", db, "--now", "2024-03-04"])
    assert text.exit_code == 0 and "rare  [k-rare]" in text.stdout
    bad = run(main, ["trends", "--db", db, "--now", "last week"])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "--now" in bad.stderr


def test_on_real_news_the_douma_attack_is_the_days_breaking_story(shared, tmp_path):
    """Eleven days of ant-multisource (five outlets, 2018), stories only: on 8 April 2018 the chemical
    attack in Douma is the day's top rising story, and breaking; a quiet day before it has no
    breaking story that big."""
    import lzma

    src = shared / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
    part = tmp_path / "part.jsonl"
    with lzma.open(src, "rt", encoding="utf-8") as f, part.open("w", encoding="utf-8") as out:
        days = ('"published": "2018-03-3', '"published": "2018-04-0')  # 30 March to 9 April
        out.writelines(line for line in f if any(d in line for d in days))
    with open_archive(tmp_path / "ant.db") as arc:
        assert not arc.ingest([part], enrich=False).failed
        day = rising(arc, "story", "1d", datetime(2018, 4, 9, tzinfo=UTC), baseline=9)
        top = day.items[0]
        assert "كيماوي" in top.name and top.breaking and top.outlets >= 3 and top.z > 10, top
        before = rising(arc, "story", "1d", datetime(2018, 4, 5, tzinfo=UTC), baseline=9)
        assert all(t.z < top.z / 2 for t in before.items)
