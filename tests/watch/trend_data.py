"""Synthetic archives for the tests of what is rising: weeks of articles with planted counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from marsad.archive import open_archive
from marsad.model import Article, EntityMention

START = date(2024, 2, 5)  # a Monday
NOW = datetime(2024, 3, 4, tzinfo=UTC)  # the end of Sunday 3 March: four weeks after START
DAYS = (NOW.date() - START).days


def article(n: int, day: date, outlet: str = "one.example", names: tuple[str, ...] = ()) -> Article:
    """An article of ``day`` (published at a Gulf time: +03:00) mentioning ``names``."""
    text = " و ".join(names) or "خبر"
    at = 0
    mentions = []
    for name in names:
        mentions.append(EntityMention(name, "PERS", at, at + len(name), 0, canonical=name, key=f"k-{name}"))
        at += len(name) + 3
    published = f"{day.isoformat()}T{8 + n % 10:02d}:{n % 60:02d}:00+03:00"
    return Article(headline=f"خبر {day} {n}", paragraphs=[text], id=f"{day}-{outlet}-{n}", outlet=outlet,
                   published=published, entities=mentions)


def day_of(day: date, volume: int, planted: dict[str, int]) -> list[Article]:
    """``volume`` articles of ``day``: the first ``planted[name]`` of them mention ``name``."""
    return [article(n, day, names=tuple(name for name, k in planted.items() if n < k))
            for n in range(volume)]


def archive(new_db, days: dict[date, list[Article]]):
    arc = open_archive(new_db())
    arc.backend.store.put_batch([a for articles in days.values() for a in articles])
    return arc


def weeks(last: dict[str, int] | None = None) -> dict[date, list[Article]]:
    """Four weeks: 40 articles a weekday, 8 a weekend day. "steady" is in a quarter of them every day,
    "rare" in one a weekday; ``last`` plants the counts of the last day (a Sunday) instead."""
    out = {}
    for i in range(DAYS):
        day = START + timedelta(days=i)
        weekend = day.weekday() >= 5
        volume = 8 if weekend else 40
        planted = {"steady": volume // 4, "rare": 0 if weekend else 1}
        out[day] = day_of(day, volume, planted if i < DAYS - 1 or last is None else last)
    return out
