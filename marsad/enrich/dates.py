"""Dates: absolute and relative, normalized to ISO (YYYY, YYYY-MM or YYYY-MM-DD) with their span.

Absolute: ``23 يوليو 2025``, ``ديسمبر (كانون الأول) 2024``, Levantine, Iraqi and Maghrebi month
names, Hijri dates (``15 رمضان 1446``, ``1446هـ``) converted with the tabular Islamic calendar.
Relative dates (``الخميس``, ``أمس``, ``العام الماضي``, ``يوليو (تموز) الماضي``, ``اليوم (الأربعاء)``)
are resolved against the publication date and left out when it is unknown.
Month and weekday names are data (``months.json``).
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from functools import cache

from marsad.enrich.lexicon import fold, folded_table, load, loose_alternation
from marsad.model import DateMention

_MARKS = "[\u0640\u064b-\u065f\u0670]*"
# Feminine forms first, so that a match never stops before the final ة.
_PAST = "الماضية|الماضي|المنصرمة|المنصرم|الفائتة|الفائت|السابق"
_NEXT = "المقبلة|المقبل|القادمة|القادم"
_THIS = "الحالية|الحالي|الجارية|الجاري"
_YEAR_WORDS = r"(?:عام|العام|سنة|السنة|لعام)"
# Words after which a bare four-digit number is a year (kept out of the span).
_AFTER_WORDS = "|".join(f"(?<={w} )" for w in ("في", "منذ", "حتى", "خلال", "بحلول", "مطلع", "أوائل", "أواخر",
                                                 "نهاية", "بداية", "منتصف", "قبل", "بعد"))
_D = r"(?P<day>\d{1,2})"
_Y = r"(?P<year>\d{4})"


@cache
def _tables() -> dict:
    data = load("months.json")
    return {"greg": folded_table(data["gregorian"]), "hijri": folded_table(data["hijri"]),
            "week": folded_table(data["weekdays"]), "ambiguous": {fold(w) for w in data["ambiguous"]}}


@cache
def _patterns() -> list[tuple[str, re.Pattern, re.Pattern]]:
    """(kind, quick test, full pattern): the full pattern only runs where its quick test found something."""
    quick = {"hijri": loose_alternation(_tables()["hijri"]), "hijri_year": r"\d{4}", "numeric": r"\d[/.-]\d",
             "greg": loose_alternation(_tables()["greg"]), "today": "اليوم|أمس|الأمس|غد",
             "weekday": loose_alternation(_tables()["week"]), "day_word": "أمس|غد",
             "period": "العام|السنة|الشهر|عامنا", "year": r"\d{4}"}
    return [(kind, re.compile(quick[kind]), pattern) for kind, pattern in _full_patterns()]


def _full_patterns() -> list[tuple[str, re.Pattern]]:
    t = _tables()
    greg, hijri, week = (loose_alternation(t[k]) for k in ("greg", "hijri", "week"))
    gloss = rf"(?:\s*[(/]\s*(?P<gloss>{greg})\s*\)?)?"
    rel = rf"\s+(?:(?:من|في)\s+)?(?:{_YEAR_WORDS}\s+)?(?P<rel>{_PAST}|{_NEXT}|{_THIS})(?![\w\d])"
    year = rf"\s*[،,]?\s+(?:(?:من|في)\s+)?(?:{_YEAR_WORDS}\s+)?{_Y}\s*م?"
    # A word edge, or a conjunction/preposition glued to the date (و3 جوان، والجمعة).
    b, e = r"(?:(?<![\w\d])|(?<=(?<!\w)[وفبل]))", r"(?![\w\d])"
    return [
        ("hijri", re.compile(rf"{b}(?:{_D}\s+)?(?P<month>{hijri})\s+{_Y}\s*(?:هـ|ه{e})?{e}")),
        ("hijri_year", re.compile(rf"{b}(?:{_YEAR_WORDS}\s+)?{_Y}\s*(?:هـ|ه{e}|للهجرة)")),
        ("numeric", re.compile(rf"{b}{_D}\s*[/.-]\s*(?P<month>\d{{1,2}})\s*[/.-]\s*{_Y}{e}")),
        ("greg", re.compile(rf"{b}(?:{_D}\s+)?(?P<month>{greg}){e}{gloss}(?:{year}|{rel})?")),
        ("today", re.compile(rf"{b}(?P<word>اليوم|أمس|الأمس|غدا|غداً){_MARKS}\s*\(?\s*(?P<wd>{week})\s*\)?"
                             rf"{e}")),
        ("weekday", re.compile(rf"{b}(?:(?:يوم|مساء|صباح|ليلة|فجر|ظهر)\s+)?(?P<wd>{week}){e}"
                               rf"(?:\s+(?P<rel>{_PAST}|{_NEXT}){e})?")),
        ("day_word", re.compile(rf"{b}(?:يوم\s+)?(?P<word>أول\s+(?:من\s+)?أمس|أمس\s+الأول|أمس|الأمس|غداً|غدا|"
                                rf"بعد\s+غد){e}(?!\s+(?:الحاجة|القريب|البعيد))")),
        ("period", re.compile(rf"{b}(?:هذا\s+|هذه\s+)?(?P<unit>العام|السنة|الشهر|عامنا)"
                              rf"(?:\s+(?P<rel>{_PAST}|{_NEXT}|{_THIS}))?{e}")),
        ("year", re.compile(rf"{b}(?:{_YEAR_WORDS}\s+|{_AFTER_WORDS}){_Y}\s*م?{e}")),
    ]


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """The tabular (arithmetical) Islamic calendar; may differ by a day or two from a sighted month."""
    jd = (day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439.5 - 1)
    return date.fromordinal(int(jd - 1721425.5) + 1)


def _month_year(month: int, rel: str | None, pub: date | None, relative: bool) -> tuple[int, bool] | None:
    """The year of a month named without one: the nearest such month to publication, or per الماضي/المقبل."""
    if pub is None:
        return None
    if rel and re.fullmatch(_PAST, rel):
        return (pub.year if month < pub.month else pub.year - 1), True
    if rel and re.fullmatch(_NEXT, rel):
        return (pub.year if month > pub.month else pub.year + 1), True
    if rel or relative:
        return pub.year, True
    years = (pub.year - 1, pub.year, pub.year + 1)
    best = min((abs((y - pub.year) * 12 + month - pub.month), -y) for y in years)  # a tie goes to the past
    return -best[1], True


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    if m is None:
        return f"{y:04d}"
    if d is not None:
        try:
            return date(y, m, d).isoformat()
        except ValueError:
            pass
    return f"{y:04d}-{m:02d}"


def _gregorian(m: re.Match, pub: date | None) -> tuple[str, bool] | None:
    t = _tables()
    name = fold(" ".join(m["month"].split()))
    month = t["greg"].get(name)
    day = int(m["day"]) if m["day"] else None
    if m["year"]:
        return _iso(int(m["year"]), month, day), False
    if name in t["ambiguous"] and not (day or m["gloss"] or m["rel"]):
        return None
    got = _month_year(month, m["rel"], pub, False)
    if got is None:
        return None
    return _iso(got[0], month, day), True


def _weekday(wd: str, rel: str | None, pub: date) -> date:
    target = _tables()["week"][fold(wd)]
    if rel and re.fullmatch(_NEXT, rel):
        return pub + timedelta(days=(target - pub.weekday() - 1) % 7 + 1)
    back = (pub.weekday() - target) % 7
    return pub - timedelta(days=back or (7 if rel else 0))


_DAY_SHIFT = {"امس": -1, "الامس": -1, "غدا": 1, "اليوم": 0}


def _day_word(word: str) -> int:
    w = " ".join(fold(word).split())
    if w in ("اول امس", "اول من امس", "امس الاول"):
        return -2
    if w == "بعد غد":
        return 2
    return _DAY_SHIFT[w]


def _period(m: re.Match, pub: date) -> str | None:
    rel = m["rel"] or ("الحالي" if m[0].startswith(("هذا", "هذه")) or m["unit"] == "عامنا" else None)
    if rel is None:
        return None
    step = -1 if re.fullmatch(_PAST, rel) else 1 if re.fullmatch(_NEXT, rel) else 0
    if m["unit"] == "الشهر":
        months = pub.year * 12 + pub.month - 1 + step
        return _iso(months // 12, months % 12 + 1)
    return _iso(pub.year + step)


def _resolve(kind: str, m: re.Match, pub: date | None) -> tuple[str | None, bool, str]:
    """(iso, relative, calendar) of one match; iso is None when it cannot be resolved."""
    if kind == "hijri":
        month = _tables()["hijri"][fold(" ".join(m["month"].split()))]
        day = int(m["day"]) if m["day"] else 15
        g = hijri_to_gregorian(int(m["year"]), month, day if day <= 30 else 15)
        return (g.isoformat() if m["day"] else _iso(g.year, g.month)), False, "hijri"
    if kind == "hijri_year":
        return _iso(hijri_to_gregorian(int(m["year"]), 7, 1).year), False, "hijri"
    if kind == "numeric":
        return _iso(int(m["year"]), int(m["month"]), int(m["day"])) if 1 <= int(m["month"]) <= 12 \
            else None, False, "gregorian"
    if kind == "greg":
        got = _gregorian(m, pub)
        return (got[0], got[1], "gregorian") if got else (None, False, "gregorian")
    if kind == "year":
        return (m["year"] if 1800 <= int(m["year"]) <= 2200 else None), False, "gregorian"
    if pub is None:
        return None, True, "gregorian"
    if kind == "today":
        return (pub + timedelta(days=_day_word(m["word"]))).isoformat(), True, "gregorian"
    if kind == "weekday":
        return _weekday(m["wd"], m["rel"], pub).isoformat(), True, "gregorian"
    if kind == "day_word":
        return (pub + timedelta(days=_day_word(m["word"]))).isoformat(), True, "gregorian"
    return _period(m, pub), True, "gregorian"


def parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def find_dates(paragraph: str, index: int = 0, published: str | date | None = None) -> list[DateMention]:
    """Every date of one paragraph, earliest first; patterns earlier in the list win overlaps."""
    pub = published if isinstance(published, date) or published is None else parse_published(published)
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for kind, quick, pattern in _patterns():
        if not quick.search(paragraph):
            continue
        for m in pattern.finditer(paragraph):
            start, end = m.start(), m.end()
            text = m[0].rstrip()
            end = start + len(text)
            if any(s < end and start < e for s, e in taken):
                continue
            iso, relative, calendar = _resolve(kind, m, pub)
            if iso is None:
                continue
            taken.append((start, end))
            out.append(DateMention(text, iso, start, end, index, relative, calendar))
    return sorted(out, key=lambda d: d.start)
