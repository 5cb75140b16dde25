"""What a report's text says of its own time: the weekday its lead gives the event and the year it calls
the current one. Two reports of the same kind of event (an election, a pilgrimage's death toll, a pardon)
at another time share their names and terms; what tells them apart is the time they state. The
clusterer weighs these markers where a date is missing (a page without a publication stamp, or a
story of such pages): a report whose stated time contradicts a story's must match it far more
strongly to join (see ``cluster.CLASH``).

A marker is a short string: ``w0`` … ``w6`` for a weekday in the lead (Monday is 0, as in
``datetime``), ``y2024`` for a year the text calls current ("هذا العام 2024", "1444 هجرية"), ``d133``
for a day of the month the lead gives the event ("الجمعة 13 مايو", "2019/02/03"), as its day of a
common year (1 to 365). Background years ("since 2019", a birth year) are not markers: only a year the
text states as its own counts; nor is a day that names an event ("ثورة 25 يناير", "هجمات 11 سبتمبر").
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
STAMP = 5  # words of a line that is a date only (a page's stamp: «الأحد 19 أيار 2024»)
NEAR_DAYS = 3  # stated days of the month this close are one event's (a report comes a day or two later)
_YEAR = re.compile(r"(?<![\d.,])(\d{4})(?![\d.,])")  # \d: Arabic-Indic digits too, and int() reads them


def _words(names: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(normalize_for_matching(n)) for n in names), key=len, reverse=True))


@cache
def _data() -> dict:
    text = resources.files("marsad.relate").joinpath("data/markers.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _patterns() -> tuple[dict[str, int], re.Pattern, re.Pattern, re.Pattern]:
    data = _data()
    week = folded_table(load("months.json")["weekdays"])
    weekday = re.compile(rf"(?<!\w)(?:ب|و|وب)?({_words(week)})(?!\w)")
    current = re.compile(rf"(?<!\w)(?:و|ف)?(?:{_words(data['current_year'])})\s+$")
    hijri = re.compile(rf"\s*(?:{_words(data['hijri_year'])})(?!\w)")
    return week, weekday, current, hijri


@cache
def _day_patterns() -> tuple[dict[str, int], frozenset[str], re.Pattern, re.Pattern]:
    """Month names (folded) → number; the words that make a day and month another event's (its name
    before it, a date to come after it); "13 مايو" (a named month after a day, with the word after it);
    numeric dates "2019/02/03", "03-02-2019"."""
    months = load("months.json")
    gregorian = folded_table(months["gregorian"])
    other = frozenset(folded_table(dict.fromkeys(months["event_words"] + _data()["after_day"], 0)))
    month = _words(gregorian)
    # Digits first, so that the search skips to them; what stands before them is checked apart.
    named = re.compile(rf"(\d{{1,2}}) (?:من )?(?:شهر )?({month})(?!\w)(?: ?/ ?(?:{month}))?(?=(?: (\w+))?)")
    numeric = re.compile(r"(?<![\d/.-])(?:(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"
                         r"|(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}))(?![\d/.-])")
    return gregorian, other, named, numeric


def day_of_year(month: int, day: int) -> int | None:
    """The day of a common year of ``day`` ``month`` (29 February as the 28th); None if no such day."""
    try:
        return date(2001, month, min(day, 28) if month == 2 else day).timetuple().tm_yday
    except ValueError:
        return None


def _stated_days(lead: str) -> Iterator[int]:
    """The days of the year that a (folded) lead states, by a month's name or in figures."""
    gregorian, other, named, numeric = _day_patterns()
    def another(word: str | None) -> bool:  # the word, or the word after a clitic و or ب, is in ``other``
        return bool(word) and (word in other or word[0] in "وب" and word[1:] in other)

    def alone(start: int) -> bool:  # the day is a word of its own, or has a clitic و or ب only
        before = lead[max(0, start - 2):start]
        return not before[-1:].isalnum() or before[-1] in "وب" and not before[:-1].isalnum()

    found = [(gregorian[m[2]], int(m[1])) for m in named.finditer(lead) if alone(m.start())
             and not another((lead[:m.start()].rsplit(None, 1) or [None])[-1]) and not another(m[3])]
    for m in numeric.finditer(lead):
        found.append((int(m[2]), int(m[3])) if m[1] else (int(m[5]), int(m[4])))
    return filter(None, (day_of_year(mo, d) for mo, d in found if 1 <= mo <= 12 and 1 <= d <= 31))


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
    # A line of a few words that gives a date is a page's stamp (its day of printing), not the event's.
    statements = "\n".join(x for x in lead.split("\n") if len(x.split()) > STAMP)
    found.update(f"d{d}" for d in _stated_days(statements))
    found.update(f"y{y}" for y in _years(f"{head}\n{body}"))
    return frozenset(found)


def year_of(day: int) -> int:
    return date.fromordinal(day + 719163).year


def _days_apart(a: set[int], b: set[int]) -> bool:
    """Whether no day of the year in ``a`` is within ``NEAR_DAYS`` of one in ``b`` (across New Year too)."""
    return all(min(abs(x - y), 365 - abs(x - y)) > NEAR_DAYS for x in a for y in b)


def _year_days(stated: Iterable[str], first: int | None, last: int | None) -> set[int]:
    """The days of the year that markers state, and those of the dated days ``first`` to ``last``."""
    days = {int(m[1:]) for m in stated if m[0] == "d"}
    if first is not None and last is not None and last - first < 30:
        days.update(filter(None, (day_of_year(d.month, d.day) for d in map(
            lambda n: date.fromordinal(n + 719163), range(first, last + 1)))))
    return days


def clashes(doc: frozenset[str], story: Iterable[str], doc_day: int | None,
            first: int | None, last: int | None) -> int:
    """How many kinds of marker (weekday, year, day of the month) ``doc`` states and the story states too
    with no value in common (days: none within ``NEAR_DAYS``), where the report or the story has no date
    (two dated ones are held to the window of their dates). A known day stands for its year and its day
    of the month."""
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
    doc_dates, story_dates = _year_days(doc, doc_day, doc_day), _year_days(story, first, last)
    return (bool(doc_years and story_years and not doc_years & story_years)
            + bool(days and story_days and not days & story_days)
            + bool(doc_dates and story_dates and _days_apart(doc_dates, story_dates)))
