"""What a report's text says of its own time: the weekday its lead gives the event and the year it calls
the current one. Two reports of the same kind of event (an election, a pilgrimage's death toll, a pardon)
at another time share their names and terms; what tells them apart is the time they state. The
clusterer weighs these markers where a date is missing (a page without a publication stamp, or a
story of such pages): a report whose stated time contradicts a story's must match it far more
strongly to join (see ``cluster.CLASH``).

A marker is a short string: ``w0`` … ``w6`` for a weekday in the lead (Monday is 0, as in
``datetime``), ``y2024`` for a year the text calls current ("هذا العام 2024", "1444 هجرية").
Background years ("since 2019", a birth year) are not markers: only a year the text states as its
own counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from importlib import resources

from marsad.arabic.normalize import normalize_for_matching
from marsad.enrich.lexicon import folded_table, load

LEAD_CHARS = 300  # the lead whose weekdays date the event; later ones are background or follow-ups
_YEAR = re.compile(r"(?<![\d.,])(\d{4})(?![\d.,])")  # \d: Arabic-Indic digits too, and int() reads them


def _words(names: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(normalize_for_matching(n)) for n in names), key=len, reverse=True))


@cache
def _patterns() -> tuple[dict[str, int], re.Pattern, re.Pattern, re.Pattern]:
    text = resources.files("marsad.relate").joinpath("data/markers.json").read_text(encoding="utf-8")
    data = json.loads(text)
    week = folded_table(load("months.json")["weekdays"])
    weekday = re.compile(rf"(?<!\w)(?:ب|و|وب)?({_words(week)})(?!\w)")
    current = re.compile(rf"(?<!\w)(?:و|ف)?(?:{_words(data['current_year'])})\s+$")
    hijri = re.compile(rf"\s*(?:{_words(data['hijri_year'])})(?!\w)")
    return week, weekday, current, hijri


def hijri_year(year: int) -> int:
    """The Gregorian year in which most of Hijri ``year`` falls (its middle: the year of its Hajj season
    for recent years)."""
    return round((year + 0.5) * 0.970229 + 621.5643 - 0.5)


def _years(text: str) -> Iterator[int]:
    """The years ``text`` calls current, Hijri ones as Gregorian. Only the few words around each year
    are folded: relating reads every article, and most of a text holds no year."""
    _, _, current, hijri = _patterns()
    for m in _YEAR.finditer(text):
        year = int(m[1])
        before = text[max(0, m.start() - 24):m.start()]
        if 1900 <= year < 2100 and current.search(normalize_for_matching(before)):
            yield year
        elif 1300 <= year < 1500 and hijri.match(normalize_for_matching(text[m.end():m.end() + 12])):
            yield hijri_year(year)


def markers(headline: str, body: str) -> frozenset[str]:
    """The time markers of a report (see the module's docs)."""
    week, weekday, _, _ = _patterns()
    head, body = headline or "", body or ""
    lead = normalize_for_matching(f"{head}\n{body[:LEAD_CHARS]}")
    found = {f"w{week[w]}" for w in weekday.findall(lead)}
    found.update(f"y{y}" for y in _years(f"{head}\n{body}"))
    return frozenset(found)


def year_of(day: int) -> int:
    return date.fromordinal(day + 719163).year


def clashes(doc: frozenset[str], story: Iterable[str], doc_day: int | None,
            first: int | None, last: int | None) -> int:
    """How many kinds of marker (weekday, year) ``doc`` states and the story states too with no value in
    common, where the report or the story has no date (two dated ones are held to the window of their
    dates). A known day stands for its year."""
    if doc_day is not None and first is not None:
        return 0
    story = set(story)
    doc_years = {m for m in doc if m[0] == "y"} | ({f"y{year_of(doc_day)}"} if doc_day is not None else set())
    story_years = {m for m in story if m[0] == "y"}
    if first is not None and last is not None:
        story_years |= {f"y{y}" for y in range(year_of(first), year_of(last) + 1)}
    # A dated report's weekday may be the day it was published on, not the event's: its date speaks.
    days = {m for m in doc if m[0] == "w"} if doc_day is None else set()
    story_days = {m for m in story if m[0] == "w"}
    return (bool(doc_years and story_years and not doc_years & story_years)
            + bool(days and story_days and not days & story_days))
