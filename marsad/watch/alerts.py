"""Alerts: saved searches matched against each round's new articles, each match delivered once.

An alert's query is the search syntax of ``marsad search``, analyzed as the index is, with every
word required (a plain word, a "phrase", a OR b, -excluded, prefix*): an alert that fired on any one
of its words would bury its readers. ``marsad watch`` calls :func:`after_round` once a round's
articles are stored; it

1. matches every alert against the round's new articles only (:meth:`SearchIndex.among`) and keeps
   the matches (``backend.alerts``): an article an alert matched before is never delivered again,
   across restarts;
2. queues an instant alert's new matches for its webhook and its email address at once, and the
   matches of hourly and daily alerts as digests once their period is over: one email per address
   carrying every due alert, one webhook call per alert;
3. sends what is due: the new deliveries and the failed ones whose retry time came (backoff doubling
   from a minute up to six hours; given up after :data:`MAX_ATTEMPTS`), every attempt logged.

Matching and queueing commit together, so a crash after them delivers on the next round; a crash
between sending and logging may send a delivery twice (receivers can tell by the delivery id).
Kinds of alerts other than "search" find their matches in a function named in :data:`KINDS`.
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from marsad.errors import InputError, NotFound
from marsad.model import ALERT_EVERY, Alert, SearchResult
from marsad.search import query as parser
from marsad.search.rank import Filters

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.services import AlertState
    from marsad.model import Delivery
    from marsad.settings import Settings

# How each kind of alert finds its matches: "module:function" of (arc, alert, new ids, now) → ids.
KINDS: dict[str, str] = {"search": "marsad.watch.alerts:match_query",
                         "rising": "marsad.watch.trends:match_rising"}
MODE = "all"  # every word of an alert's query is required
RETRY_FIRST, RETRY_MOST = timedelta(minutes=1), timedelta(hours=6)
MAX_ATTEMPTS = 12  # retries for about 20 hours, then the delivery is given up (and logged)
# One path segment of /alerts/{name}.atom: no slash, no control character, no space at either end.
_NAME = re.compile(r"^(?! )[^\x00-\x1f\x7f/\\?#%<>\"']{1,80}(?<! )$")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")

Matcher = Callable[["Archive", Alert, list[str], datetime], list[str]]


def stamp(when: datetime) -> str:
    """A time as the alert state keeps it: ISO 8601 in UTC, to the second (a naive time is UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def add(arc: Archive, alert: Alert, now: datetime) -> Alert:
    """Check and keep a new alert, created ``now``; :class:`InputError` says what is wrong."""
    _check(arc, alert)
    alert.created = stamp(now)
    arc.backend.alerts.add(alert)
    return alert


def _check(arc: Archive, alert: Alert) -> None:
    if not _NAME.match(alert.name):
        raise InputError(f"bad alert name {alert.name!r}: 1-80 characters, without slashes or quotes, "
                         "not starting or ending with a space")
    if alert.every not in ALERT_EVERY:
        raise InputError(f"--every must be one of {', '.join(ALERT_EVERY)}, not {alert.every!r}")
    if alert.kind not in KINDS:
        raise InputError(f"unknown alert kind {alert.kind!r}; known: {', '.join(sorted(KINDS))}")
    if alert.kind == "rising":
        from marsad.watch.trends import rising_spec

        rising_spec(alert.query)
    if alert.kind == "search" and parser.compile(alert.query, scheme=arc.backend.index.scheme) is None:
        raise InputError(f"the query {alert.query!r} holds no word to search for")
    if alert.webhook and not _web_url(alert.webhook):
        raise InputError(f"the webhook must be an http:// or https:// URL, not {alert.webhook!r}")
    if alert.email and not _EMAIL.match(alert.email):
        raise InputError(f"not an email address: {alert.email!r}")
    if alert.secret and not alert.webhook:
        raise InputError("--secret signs webhook calls: give --webhook too")


def _web_url(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host) and not re.search(r"\s", url)


def filters(alert: Alert) -> Filters:
    return Filters(outlet=alert.outlet, section=alert.section)


def match_query(arc: Archive, alert: Alert, ids: list[str], now: datetime) -> list[str]:
    """The "search" kind: those of ``ids`` that the alert's query and filters match."""
    index = arc.backend.index
    expr = parser.compile(alert.query, scheme=index.scheme, mode=MODE)
    return index.among(expr, filters(alert), ids) if expr is not None and ids else []


def test(arc: Archive, name: str, limit: int = 20) -> SearchResult:
    """What the alert would match in the archive now, best first (matching the "search" kind)."""
    alert = arc.backend.alerts.get(name)
    if alert.kind != "search":
        raise InputError(f"alert {name!r} is of kind {alert.kind!r}: only search alerts can be tested")
    return arc.search(alert.query, mode=MODE, outlet=alert.outlet, section=alert.section, limit=limit)


def overview(arc: Archive) -> list[tuple[Alert, dict]]:
    """Every alert, with what readers may see of it (:meth:`Alert.public`), its number of matches
    and the time of its latest one."""
    state = arc.backend.alerts
    counts = state.match_counts()
    rows = []
    for a in state.alerts():
        last = state.matches(a.name, limit=1)
        rows.append((a, {**a.public(), "matches": counts.get(a.name, 0),
                         "last_match": last[0][1] if last else None}))
    return rows


def matcher(kind: str) -> Matcher:
    module, _, function = KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), function)


def after_round(arc: Archive, new_ids: list[str], now: datetime, settings: Settings) -> dict:
    """Match the round's new articles, queue what is due and deliver it: counts for the round's log
    line ({"matched", "delivered", "failed"}: new matches, deliveries sent, attempts that failed)."""
    state = arc.backend.alerts
    when = stamp(now)
    matched = 0
    with arc.backend.unit_of_work():
        for alert in state.alerts():
            new = state.record(alert.name, matcher(alert.kind)(arc, alert, new_ids, now), when)
            matched += len(new)
            if new and alert.every == "instant":
                _queue(state, alert, new, when)
        queue_digests(state, now, settings.watch.digest_hour)
    sent, failed = deliver_due(arc, now, settings)
    return {"matched": matched, "delivered": sent, "failed": failed}


def _queue(state: AlertState, alert: Alert, ids: list[str], when: str) -> None:
    for channel, target in (("webhook", alert.webhook), ("email", alert.email)):
        if target:
            state.enqueue(channel, target, {alert.name: ids}, when)


def period_start(every: str, now: datetime, digest_hour: int) -> datetime:
    """The start of the digest period ``now`` is in: the hour, or the day starting at ``digest_hour``
    (UTC)."""
    now = now.astimezone(UTC)
    if every == "hourly":
        return now.replace(minute=0, second=0, microsecond=0)
    start = now.replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    return start if start <= now else start - timedelta(days=1)


def queue_digests(state: AlertState, now: datetime, digest_hour: int) -> None:
    """Queue the digests of the hourly and daily alerts whose period ended since their last digest:
    one email per address with all of them, one webhook call per alert."""
    when = stamp(now)
    due = [a for a in state.alerts() if a.every != "instant"
           and (a.last_digest or a.created) < stamp(period_start(a.every, now, digest_hour))]
    emails: defaultdict[str, dict[str, list[str]]] = defaultdict(dict)
    for alert in due:
        ids = state.unqueued(alert.name)
        if ids and alert.webhook:
            state.enqueue("webhook", alert.webhook, {alert.name: ids}, when)
        if ids and alert.email:
            emails[alert.email][alert.name] = ids
    for address, articles in emails.items():
        state.enqueue("email", address, articles, when)
    if due:
        state.set_digested([a.name for a in due], when)


def retry_at(now: datetime, attempts: int) -> datetime | None:
    """When a delivery that failed ``attempts`` times is tried again; None once it is given up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MOST)


def deliver_due(arc: Archive, now: datetime, settings: Settings) -> tuple[int, int]:
    """Send every delivery due ``now``: (sent, failed attempts). A failure is logged with its retry;
    the other deliveries through the same webhook host (or mail server) wait for the next round, so
    that a receiver that is down costs a round one timeout, not one per delivery."""
    state = arc.backend.alerts
    when = stamp(now)
    sent = failed = 0
    down: set[str] = set()
    for delivery in state.due(when):
        alerts = _alerts(state, delivery)
        if not alerts:  # nothing left to send: given up at once
            state.attempted(delivery.id, when, "every alert of this delivery was removed", None)
            failed += 1
            continue
        if route(delivery) in down:
            continue
        error = send(arc, delivery, alerts, settings)
        if error is None:
            state.attempted(delivery.id, when, None, None)
            sent += 1
            continue
        again = retry_at(now, delivery.attempts + 1)
        state.attempted(delivery.id, when, error, stamp(again) if again else None)
        down.add(route(delivery))
        failed += 1
    return sent, failed


def route(delivery: Delivery) -> str:
    """Where a delivery goes through: its webhook's host, or the mail server."""
    return f"webhook {urlsplit(delivery.target).netloc}" if delivery.channel == "webhook" else "smtp"


def _alerts(state: AlertState, delivery: Delivery) -> dict[str, Alert]:
    """The alerts a delivery carries that still exist (a removed one's part is not sent)."""
    found = {}
    for name in delivery.articles:
        try:
            found[name] = state.get(name)
        except NotFound:
            continue
    return found


def send(arc: Archive, delivery: Delivery, alerts: dict[str, Alert], settings: Settings) -> str | None:
    """Send one delivery of these alerts; None when it went out, else why not (one line)."""
    from marsad.watch import deliver, mail

    groups = [(alerts[n], deliver.articles(arc, alerts[n], ids, settings))
              for n, ids in delivery.articles.items() if n in alerts]
    if delivery.channel == "webhook":
        alert, items = groups[0]
        return deliver.post(delivery.target, alert, items, delivery.id, timeout=settings.watch.timeout)
    return mail.send(settings, delivery.target, groups)
