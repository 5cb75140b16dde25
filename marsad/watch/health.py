"""Ingest health: each source's counts per day, and a flag on a source that went quiet.

A source's norm is the median of the articles it stored per day over the 30 days before
yesterday (the day it was added left out: its first fetch brings a whole feed at once). What it
stored since yesterday's start is set against the norm for as long: far below it (a quarter), the
source is flagged, however well its fetches go. So is a source whose pages are found but not
stored, and one disabled after repeated failures.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from marsad.model import Source, SourceDay, SourceHealth
from marsad.watch.sources import show_every

if TYPE_CHECKING:
    from marsad.archive import Archive

NORM_DAYS = 30
MIN_HISTORY = 7  # days of history before a norm is trusted
MIN_EXPECTED = 4.0  # articles expected since yesterday below which a quiet source tells nothing
LOW = 0.25  # of what is expected: far below the norm
SHOWN_DAYS = 14


def health(arc: Archive, now: datetime, shown: int = SHOWN_DAYS) -> list[SourceHealth]:
    """Every source's health at ``now``, in the order added."""
    state = arc.backend.watch
    today = now.date()
    first = today - timedelta(days=NORM_DAYS + 1)
    kept: dict[str, dict[str, SourceDay]] = defaultdict(dict)
    for row in state.days(first.isoformat()):
        kept[row.source][row.day] = row
    totals, in_archive = state.totals(), state.in_archive()
    out = []
    for source in state.sources():
        days = [kept[source.url].get(d) or SourceDay(source.url, d) for d in _days(first, today)]
        norm = _norm(source, days[:-2])
        flag = _flag(source, days[-2:], norm, _elapsed(now))
        total = totals.get(source.url, SourceDay(source.url, ""))
        out.append(SourceHealth(source=source, today=days[-1], total=total,
                                in_archive=in_archive.get(source.url, 0), norm=norm,
                                flagged=flag is not None, days=days[-shown:],
                                reason=FLAG_LINES[flag[0]].format(**flag[1]) if flag else None,
                                flag_kind=flag[0] if flag else None, flag_values=flag[1] if flag else {}))
    return out


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _elapsed(now: datetime) -> float:
    """The part of today gone by."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (now - midnight).total_seconds() / 86400


def _norm(source: Source, history: list[SourceDay]) -> float | None:
    """Median stored per day over the days since the source's first, or None with too few of them."""
    added = source.added[:10]
    counted = [d.stored for d in history if d.day > added]
    return float(statistics.median(counted)) if len(counted) >= MIN_HISTORY else None


# Why a source is flagged, in a line for the command line and the API; the reader's page words each
# kind in Arabic (templates/sources.html) from the same values.
FLAG_LINES = {
    "disabled": "disabled after repeated failures: {error}",
    "not-stored": "{found} articles found since yesterday but {stored} stored",
    "quiet": "{stored} articles stored since yesterday, against {expected} expected ({norm} a day)",
}


def _flag(source: Source, recent: list[SourceDay], norm: float | None,
          elapsed: float) -> tuple[str, dict] | None:
    """Why the source is flagged, as a kind of FLAG_LINES and its values, or None.
    ``recent``: yesterday and today."""
    if source.status == "disabled":
        return "disabled", {"error": source.last_error or "no reason kept"}
    if source.paused:
        return None
    stored = sum(d.stored for d in recent)
    found = sum(d.discovered for d in recent)
    if found >= MIN_EXPECTED and stored < LOW * found:
        return "not-stored", {"found": found, "stored": stored}
    expected = (norm or 0.0) * (1 + elapsed)
    if expected >= MIN_EXPECTED and stored < LOW * expected:
        return "quiet", {"stored": stored, "expected": f"{expected:.0f}", "norm": f"{norm:g}"}
    return None


def summary(h: SourceHealth) -> dict:
    """A source's health as ``marsad sources list --json`` prints it: ``stored`` is how many of its
    articles are in the archive now, ``discovered``, ``fetched`` and ``failed`` count every day."""
    s = h.source
    return {"url": s.url, "name": s.name, "kind": s.kind, "every": show_every(s.every), "status": s.status,
            "paused": s.paused, "last_fetched": s.last_fetched, "next_due": s.next_due,
            "discovered": h.total.discovered, "fetched": h.total.fetched, "stored": h.in_archive,
            "failed": h.total.failed, "consecutive_failures": s.consecutive_failures, "failures": s.failures,
            "last_error": s.last_error,
            "today": {"discovered": h.today.discovered, "fetched": h.today.fetched, "stored": h.today.stored,
                      "failed": h.today.failed},
            "norm": h.norm, "flagged": h.flagged, "flag": h.reason, "flag_kind": h.flag_kind,
            "flag_values": h.flag_values}
