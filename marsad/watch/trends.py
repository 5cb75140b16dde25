"""What is rising: entities, stories and alerts whose share of the current window stands out
against their own baseline, and stories that gain outlets fast ("breaking").

The rule, for each item (an entity, a story, an alert):

- **Windows.** The current window is the ``1h`` or ``1d`` that ends at ``now``; the baseline is the
  windows of the same width before it (a week of hours, four weeks of days). ``now`` is explicit,
  so an archive of past news (ant-multisource, 2018) can be read as it stood on any day.
- **Shares, not counts.** An item's value in a window is its share of that window's articles, so
  that a quiet Sunday or night, or a source that is down, does not read as a drop, nor a busy day
  as a rise for everything. A baseline window without any article (a gap in the archive) is left
  out, not counted as a zero share.
- **The score.** With μ and σ the mean and (population) standard deviation of the baseline shares
  and N the articles of the current window, the shares are put back on the scale of articles at
  the current window's volume, ``x = count``, ``μ' = μ·N``, ``σ' = σ·N``, and
  ``z = (x − μ') / max(σ', √μ', 1)``. On that scale the floors mean what they do for counts: √μ' is
  the Poisson spread of the articles expected now (a steady item's chance jitter is no rise), and 1
  stops an item never seen before from scoring infinite (its z is its count). The same z on raw
  shares would be ``(s − μ) / max(σ, √(μ/N), 1/N)``.
- **Flagged** ("rising") at ``z ≥ 3`` with at least ``min_count`` (3) articles in the window.
- **Breaking** (stories): a story that, in the current window, is reported by at least two outlets
  that had not reported it before, and so reaches three outlets or more and at least doubles the
  outlets it had. A story that is already everywhere and grows slowly is not breaking; a new event
  that three outlets report within the hour is.
- **Which time.** An article counts at its publication time, but never later than the time it was
  stored (a wrong time zone cannot put it in the future), and at the time it was stored when it has
  no readable date. Not the time it arrived: a watch's first round of a new source, or the catch-up
  after a pause, stores hours of articles at once, which would read as a rise of everything they
  mention; an archive filled from old files (a backfill) only has publication times worth reading.
  ``clock="ingested"`` counts by the time stored instead, for an archive filled only by a watch.
  A date without a time of day counts at midnight UTC: it is placed right in daily windows only.

- **Alerts.** An alert's items are the articles it matched (saved searches only), counted by the
  same clock; its baseline starts when the alert was made (it matched nothing before).
- **Reports.** An outlet's articles of one text (filed in two sections) count once.

The counts come from the archive in one grouped query per kind (:class:`marsad.archive.base.Windows`).

"Rising" is also a kind of alert (:mod:`marsad.watch.alerts`): ``marsad alerts add NAME "story 1h"
--kind rising`` delivers, in the watch's rounds, each item that starts rising or breaking, once: as
its newest report of the window. An item whose reports of the window the alert delivered already is
not delivered again while it keeps rising; a day later (the window moved on) it may be.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from marsad.archive.base import Windows
from marsad.errors import InputError
from marsad.model import Trend, TrendReport

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.model import Alert

WINDOWS = {"1h": 3600, "1d": 86400}
BASELINE = {"1h": 7 * 24, "1d": 28}  # windows before the current one
KINDS = ("entity", "story", "alert")
CLOCKS = ("published", "ingested")
THRESHOLD = 3.0
MIN_COUNT = 3
BREAKING_NEW = 2  # outlets new to a story in the current window
BREAKING_OUTLETS = 3  # outlets it then has at least


def z_score(count: int, volume: int, shares: Sequence[float]) -> tuple[float, float]:
    """(z, expected articles) of ``count`` articles out of ``volume`` against the baseline ``shares``."""
    mean = statistics.fmean(shares) if shares else 0.0
    spread = statistics.pstdev(shares, mean) if len(shares) > 1 else 0.0
    expected = mean * volume
    return (count - expected) / max(spread * volume, math.sqrt(expected), 1.0), expected


def breaking(before: set[str], now: set[str]) -> bool:
    """A story gaining outlets fast: two new ones or more, to three or more, at least doubling."""
    new = now - before
    total = len(before | now)
    return len(new) >= BREAKING_NEW and total >= BREAKING_OUTLETS and total >= 2 * len(before)


@dataclass(slots=True)
class Series:
    """An item's articles in each window (the last is the current one), and its outlets."""

    name: str
    counts: list[int]
    type: str | None = None
    outlets: dict[int, set[str]] | None = None  # window → its outlets, for stories
    since: int = 0  # the first window of its baseline (an alert matches from when it was made)


@dataclass(slots=True)
class Options:
    threshold: float = THRESHOLD
    min_count: int = MIN_COUNT


def parse_now(text: str | None) -> datetime:
    """The end of the current window: an ISO date or time (UTC unless it says otherwise), else now."""
    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--now {text!r} is not an ISO date or time: 2018-03-15 or 2018-03-15T12:00"
                         ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def windows_for(window: str, now: datetime, clock: str = "published", baseline: int | None = None) -> Windows:
    if window not in WINDOWS:
        raise InputError(f"unknown window {window!r}: one of {', '.join(WINDOWS)}")
    if clock not in CLOCKS:
        raise InputError(f"unknown clock {clock!r}: one of {', '.join(CLOCKS)}")
    before = BASELINE[window] if baseline is None else baseline
    if before < 1:
        raise InputError("the baseline needs one window or more")
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    if not 1900 <= now.year <= 9000:
        raise InputError(f"the window must end between the years 1900 and 9000, not at {now.isoformat()}")
    return Windows(int(now.timestamp()), WINDOWS[window], before + 1, clock)


def rising(arc: Archive, kind: str = "entity", window: str = "1d", now: datetime | None = None, *,
           clock: str = "published", baseline: int | None = None, threshold: float = THRESHOLD,
           min_count: int = MIN_COUNT, limit: int = 50) -> TrendReport:
    """The items of ``kind`` rising (or breaking) in the ``window`` that ends at ``now``, most first."""
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    now = now or datetime.now(UTC)
    windows = windows_for(window, now, clock, baseline)
    totals = arc.store.window_totals(windows)
    series = {"entity": _entities, "story": _stories, "alert": _alerts}[kind](arc, windows)
    found = score(kind, series, totals, Options(threshold, min_count))[:limit]
    if kind == "story":
        _name_stories(arc, found)
    stamp = datetime.fromtimestamp(windows.end, UTC).isoformat(timespec="seconds")
    return TrendReport(kind, window, stamp, clock, totals[-1], sum(1 for t in totals[:-1] if t), found)


def score(kind: str, series: dict[str, Series], totals: Sequence[int], options: Options) -> list[Trend]:
    """The flagged items of ``series`` (rising or breaking), highest z first."""
    volume = totals[-1]
    found = []
    for id_, s in series.items():
        count = s.counts[-1]
        if count < options.min_count or not volume:
            continue
        shares = [n / t for n, t in zip(s.counts[s.since:-1], totals[s.since:-1], strict=True) if t]
        z, expected = z_score(count, volume, shares)
        trend = Trend(kind, id_, s.name, count, count / volume, statistics.fmean(shares) if shares else 0.0,
                      expected, z, z >= options.threshold, s.type)
        if s.outlets is not None:
            last = len(s.counts) - 1
            now = s.outlets.get(last, set())
            before = set().union(*(o for w, o in s.outlets.items() if w != last))
            trend.outlets = len(now)
            trend.new_outlets = len(now - before)
            trend.breaking = breaking(before, now)
        if trend.rising or trend.breaking:
            found.append(trend)
    found.sort(key=lambda t: (-t.z, -t.count, t.id))
    return found


def _entities(arc: Archive, windows: Windows) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for id_, name, type_, w, n in arc.store.entity_windows(windows):
        s = series.get(id_)
        if s is None:
            s = series[id_] = Series(name, [0] * windows.count, type_)
        s.counts[w] = n
    return series


def _stories(arc: Archive, windows: Windows) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for id_, w, outlet, n in arc.backend.relate.story_windows(windows):
        s = series.get(id_)
        if s is None:
            s = series[id_] = Series(id_, [0] * windows.count, outlets={})
        s.counts[w] += n
        if outlet:
            s.outlets.setdefault(w, set()).add(outlet)
    return series


def _name_stories(arc: Archive, found: list[Trend]) -> None:
    if not found:
        return
    titles = {row.id: row.title for row in arc.backend.relate.stories(ids=[t.id for t in found])}
    for t in found:
        t.name = titles.get(t.id, t.name)


def _alerts(arc: Archive, windows: Windows) -> dict[str, Series]:
    """Saved searches' matches (not those of rising alerts: they deliver a report per item)."""
    made = {a.name: a.created for a in arc.backend.alerts.alerts() if a.kind == "search"}
    series: dict[str, Series] = {}
    for name, w, n in arc.backend.alerts.alert_windows(windows):
        if name not in made:
            continue
        s = series.get(name)
        if s is None:
            created = datetime.fromisoformat(made[name]).timestamp() if made[name] else windows.start
            since = min(max(0, math.ceil((created - windows.start) / windows.width)), windows.count - 1)
            s = series[name] = Series(name, [0] * windows.count, since=since)
        s.counts[w] = n
    return series


# -- rising as a kind of alert ------------------------------------------------------------------


def rising_spec(query: str) -> tuple[str, str]:
    """(kind, window) of a rising alert's query: "entity", "story 1h", "alert 1d"... (window 1d)."""
    words = query.split()
    kind, window = (words + ["1d"])[:2] if 1 <= len(words) <= 2 else ("", "")
    if kind not in KINDS or window not in WINDOWS:
        raise InputError(f"a rising alert's query names what rises and the window: one of "
                         f"{', '.join(KINDS)}, then 1h or 1d (as \"story 1h\"), not {query!r}")
    return kind, window


def match_rising(arc: Archive, alert: Alert, ids: list[str], now: datetime) -> list[str]:
    """The "rising" kind of alert: for each item newly rising or breaking in the window that ends
    ``now``, its newest report of the window not yet chosen for another item."""
    from marsad.watch.alerts import stamp

    kind, window = rising_spec(alert.query)
    found = rising(arc, kind, window, now).items
    windows = windows_for(window, now)
    start = stamp(now - timedelta(seconds=windows.width))
    delivered = {i for i, _ in arc.backend.alerts.matches(alert.name, since=start)}
    reports = _reports(arc, kind, windows, [t.id for t in found], start)
    chosen: list[str] = []
    for t in found:
        ours = reports.get(t.id, [])
        pick = next((i for i in ours if i not in chosen), None)
        if pick is not None and not delivered.intersection(ours):
            chosen.append(pick)
    return chosen


def _reports(arc: Archive, kind: str, windows: Windows, ids: list[str],
             start: str) -> dict[str, list[str]]:
    """Item → ids of its articles of the current window, newest first."""
    if kind == "alert":
        return {name: [i for i, _ in arc.backend.alerts.matches(name, since=start)] for name in ids}
    rows = (arc.store.entity_reports if kind == "entity" else arc.backend.relate.story_reports)(windows, ids)
    out: dict[str, list[str]] = {}
    for item, article in rows:
        out.setdefault(item, []).append(article)
    return out
