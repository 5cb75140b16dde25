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

from marsad.enrich.lexicon import TOKEN, drop_tanween_alef, fold, folded_table, load, loose_alternation
from marsad.model import DateMention

_MARKS = "[\u0640\u064b-\u065f\u0670]*"
# Feminine forms first, so that a match never stops before the final ة.
_PAST = "الماضية|الماضي|المنصرمة|المنصرم|الفائتة|الفائت|الفارطة|الفارط|المنقضية|المنقضي|السابقة|السابق"
_NEXT = "المقبلة|المقبل|القادمة|القادم"
_THIS = "الحالية|الحالي|الجارية|الجاري"
_YEAR_WORDS = r"(?:عام|العام|سنة|السنة|لعام)"
# Words after which a bare four-digit number is a year (kept out of the span).
_AFTER_WORDS = "|".join(f"(?<={w} )" for w in ("في", "منذ", "حتى", "خلال", "بحلول", "مطلع", "أوائل", "أواخر",
                                                 "نهاية", "بداية", "منتصف", "قبل", "بعد"))
_D = r"(?P<day>\d{1,2})"
_Y = r"(?P<year>\d{4})"
# Between the two ends of a range: 10-12 يوليو, من 10 إلى 12, بين 16 وحتى 19, بين 2020 و2023.
_TO = r"\s*(?:-|–|إلى|الى|حتى|وحتى|و)\s*"
_UNITS = "الأسبوع|الاسبوع|العام|السنة|الشهر|عامنا"
_PAST_RE, _NEXT_RE = re.compile(_PAST), re.compile(_NEXT)
_SINCE = re.compile(r"(?<!\w)منذ\s+$")
_TENSE_WINDOW = 8  # words looked at before a bare weekday
_PAST_REACH = 4  # words before a verb that may put it in the past: كان من المقرر أن يبدأ
_TENSE_REACH = 150  # characters read before a weekday for those words


@cache
def _tables() -> dict:
    data, numbers = load("months.json"), load("numbers.json")
    counts = {**folded_table(numbers["units"]), **folded_table(numbers["tens"])}
    return {"greg": folded_table(data["gregorian"]), "hijri": folded_table(data["hijri"]),
            "week": folded_table(data["weekdays"]), "ambiguous": {fold(w) for w in data["ambiguous"]},
            "ord": folded_table(data["ordinal_days"]), "ago": folded_table(data["ago_units"]),
            "counts": counts, "positions": data["positions"],
            "events": {_key(w) for w in data["events"]},
            "event_words": {_key(w) for w in data["event_words"]},
            "not_ord": re.compile(rf"(?:{'|'.join(data['not_before_ordinal'])})\s*$"),
            "cue": re.compile(rf"(?<!\w)(?:{'|'.join(data['month_cues'])})\s+$")}


@cache
def _patterns() -> list[tuple[str, re.Pattern, re.Pattern]]:
    """(kind, quick test, full pattern): the full pattern only runs where its quick test found something."""
    def word(table: str) -> str:  # a name from the table, as a word of its own
        return rf"(?<!\w)[وفبل]?(?:{loose_alternation(_tables()[table])})(?!\w)"
    quick = {"hijri": word("hijri"), "hijri_year": r"\d{4}", "year_range": r"\d{4}\D", "hijri_month": "شهر",
             "numeric": r"\d[/.-]\d", "greg": word("greg"), "today": "اليوم|أمس|الأمس|غد",
             "weekday": word("week"), "day_word": "أمس|غد", "ago": "منذ|قبل",
             "period": "العام|السنة|الشهر|عامنا|الأسبوع|الاسبوع", "year": r"\d{4}"}
    return [(kind, re.compile(quick[kind]), pattern) for kind, pattern in _full_patterns()]


@cache
def _events() -> tuple[re.Pattern, re.Pattern]:
    """(named event at a month: أيلول الأسود, event word just before a date: ثورة 25 يناير)."""
    t = _tables()
    named, words = (loose_alternation(t[k]) for k in ("events", "event_words"))
    return re.compile(rf"(?:{named})(?!\w)"), re.compile(rf"(?<!\w)[وفبل]?(?:{words})\s+$")


def _is_event(m: re.Match) -> bool:
    """A month that names an event (أيلول الأسود; ثورة 25 يناير, حرب أكتوبر without a year)."""
    named, word = _events()
    return bool(named.match(m.string, m.start("month"))) or not m["year"] \
        and bool(word.search(m.string, max(0, m.start() - 12), m.start()))


def _full_patterns() -> list[tuple[str, re.Pattern]]:
    t = _tables()
    greg, hijri, week, ordinal, ago, counts = (loose_alternation(t[k]) for k in
                                               ("greg", "hijri", "week", "ord", "ago", "counts"))
    positions = "|".join(t["positions"])
    # A gloss in brackets, after a slash or a space: ديسمبر (كانون الأول), آب/أغسطس, سبتمبر أيلول.
    gloss = rf"(?:(?:\s*[(/]\s*|\s+)(?P<gloss>{greg})(?:\s*\))?)?"
    rel = rf"\s+(?:(?:من|في)\s+)?(?:(?P<ryear>{_YEAR_WORDS})\s+)?(?P<rel>{_PAST}|{_NEXT}|{_THIS})(?![\w\d])"
    year = rf"\s*[،,]?\s+(?:(?:من|في)\s+)?(?:{_YEAR_WORDS}\s+)?{_Y}\s*م?"
    day = rf"(?:(?:(?P<d1>\d{{1,2}}){_TO})?(?:الـ\s*)?{_D}|(?P<ord>{ordinal}))(?:\s+من)?(?:\s+شهر)?\s+"
    day_of_month = (rf"\s*[(،,]?\s*\d{{1,2}}(?:\s*و\s*\d{{1,2}})?"
                    rf"(?:[/.-]\d{{1,2}}[/.-]\d|\s+(?:من\s+)?(?:شهر\s+)?(?:{greg}))")
    # A word edge, or a conjunction/preposition glued to the date (و3 جوان، والجمعة).
    b, e = r"(?:(?<![\w\d])|(?<=(?<!\w)[وفبل]))", r"(?![\w\d])"
    return [
        ("hijri", re.compile(rf"{b}(?:{_D}\s+)?(?P<month>{hijri})\s+{_Y}\s*(?:هـ|ه{e})?{e}")),
        ("hijri_month", re.compile(rf"{b}شهر\s+(?P<month>{hijri}){e}"
                                   rf"(?:\s+(?P<rel>{_PAST}|{_NEXT}|{_THIS}){e})?")),
        ("hijri_year", re.compile(rf"{b}(?:{_YEAR_WORDS}\s+)?{_Y}\s*(?:هـ|ه{e}|للهجرة|هجرية{e}|هجري{e})")),
        ("year_range", re.compile(rf"{b}(?P<y1>\d{{4}})(?:{_TO}|/)(?:{_YEAR_WORDS}\s+)?(?P<y2>\d{{4}}){e}")),
        ("numeric", re.compile(rf"{b}{_D}\s*[/.-]\s*(?P<month>\d{{1,2}})\s*[/.-]\s*{_Y}{e}")),
        ("greg", re.compile(rf"{b}(?:{day})?(?P<month>{greg}){e}{gloss}(?:{year}|{rel})?")),
        ("today", re.compile(rf"{b}(?:يوم\s+)?(?P<word>اليوم|أمس|الأمس|الغد|غدا|غداً|غد){_MARKS}\s*\(?\s*"
                             rf"(?P<wd>{week})\s*\)?{e}")),
        # Not when a day of the month follows (the date itself is read) nor in أيام السبت (Saturdays).
        ("weekday", re.compile(rf"{b}(?<![أا]يام )(?:(?:يوم|مساء|صباح|ليلة|فجر|ظهر)\s+)?(?P<wd>{week}){e}"
                               rf"(?!{day_of_month})(?:\s+(?P<rel>{_PAST}|{_NEXT}){e})?")),
        ("day_word", re.compile(rf"{b}(?:يوم\s+)?(?P<word>أول\s+(?:من\s+)?أمس|أمس\s+الأول|أمس|الأمس|غداً|غدا|"
                                rf"بعد\s+غد){e}(?!\s+(?:الحاجة|القريب|البعيد))")),
        ("ago", re.compile(rf"{b}(?:منذ|قبل)\s+(?:(?:نحو|حوالي|حوالى|قرابة)\s+)?"
                           rf"(?:(?P<n>\d{{1,3}}|{counts})\s+)?(?P<unit>{ago}){e}(?!\s*\d|\s+(?:من|على){e})")),
        ("period", re.compile(rf"{b}(?:(?P<pday>(?:الـ\s*)?\d{{1,2}}|{ordinal})\s+من\s+(?=(?:هذا\s+)?الشهر)|"
                              rf"(?P<pos>{positions})\s+)?(?P<this>هذا\s+|هذه\s+)?"
                              rf"(?P<unit>{_UNITS})(?!\s*\d{{4}})"  # أواخر العام 2014 is in 2014
                              rf"(?:\s+(?P<rel>{_PAST}|{_NEXT}|{_THIS}))?{e}")),
        ("year", re.compile(rf"{b}(?:{_YEAR_WORDS}\s+|{_AFTER_WORDS}){_Y}\s*م?{e}")),
    ]


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """The tabular (arithmetical) Islamic calendar; may differ by a day or two from a sighted month."""
    jd = (day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439.5 - 1)
    return date.fromordinal(int(jd - 1721425.5) + 1)


def _step(rel: str | None) -> int:
    """-1 for الماضي and its kin, 1 for المقبل and its kin, 0 for الحالي or nothing."""
    if rel is None:
        return 0
    return -1 if _PAST_RE.fullmatch(rel) else 1 if _NEXT_RE.fullmatch(rel) else 0


def _month_year(month: int, day: int | None, m: re.Match, pub: date) -> int:
    """The year of a month named without one: per الماضي/المقبل or العام الماضي, else nearest publication
    (but never after it in منذ يونيو, since June, nor after a past verb)."""
    rel, when, now = m["rel"], (month, day or 0), (pub.month, pub.day)
    if rel and m["ryear"]:  # يناير من العام الماضي: January of last year
        return pub.year + _step(rel)
    if rel and _step(rel) < 0:  # 7 أكتوبر الماضي, published on 9 October: this year's
        return pub.year if (month, day or 32) < now else pub.year - 1
    if rel and _step(rel) > 0:
        return pub.year if when > now else pub.year + 1
    if rel:
        return pub.year
    years = (pub.year - 1, pub.year, pub.year + 1)
    # The nearest such month; a tie goes to the past.
    best = -min((abs((y - pub.year) * 12 + month - pub.month), -y) for y in years)[1]
    if (best, *when) <= (pub.year, *now):
        return best
    # A month still to come, unless منذ or a past verb governs it (وقع في سبتمبر): then the last one.
    since = _SINCE.search(m.string, max(0, m.start() - 6), m.start())
    return best - 1 if since or _tense(m.string, m.start()) < 0 else best


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    if m is None:
        return f"{y:04d}"
    if d is not None:
        try:
            return date(y, m, d).isoformat()
        except ValueError:
            pass
    return f"{y:04d}-{m:02d}"


def _key(words: str) -> str:
    return " ".join(fold(w) for w in words.split())


def _day_of(m: re.Match, group: str = "day", ordinal: str = "ord") -> int | None:
    """The day of the month, in digits (14, الـ 14) or as an ordinal (الرابع عشر، غرة)."""
    if m[group]:
        digits = re.search(r"\d+", m[group])
        if digits:
            return int(digits[0])
        return _tables()["ord"][_key(m[group])]
    return _tables()["ord"][_key(m[ordinal])] if m[ordinal] else None


def _gregorian(m: re.Match, day: int | None, pub: date | None) -> tuple[str, bool] | None:
    t = _tables()
    name = _key(m["month"])
    month = t["greg"][name]
    if m["gloss"] and t["greg"][_key(m["gloss"])] != month:  # two months side by side, not a gloss
        return None
    if m["year"]:
        return _iso(int(m["year"]), month, day), False
    if name in t["ambiguous"] and not (day or m["gloss"] or m["rel"]) \
            and not t["cue"].search(m.string, max(0, m.start() - 8), m.start()):
        return None
    if pub is None:
        return None
    return _iso(_month_year(month, day, m, pub), month, day), True


_Found = list[tuple[int, int, str, bool, str]]  # (start, end, iso, relative, calendar)


def _greg_dates(m: re.Match, pub: date | None) -> _Found:
    """One date, or two for a range of days (من 10 إلى 12 يوليو: 10 and 12 يوليو)."""
    if _is_event(m):
        return []
    start, day = m.start(), _day_of(m, "day", "ord")
    if m["ord"] and _tables()["not_ord"].search(m.string, max(0, start - 12), start):
        start, day = m.start("month"), None  # الأسبوع الأول من يوليو: the month, not its first day
    got = _gregorian(m, day, pub)
    if got is None:
        return []
    iso, relative = got
    out = []
    if m["d1"]:
        start = m.start("day")
        first = _iso(int(iso[:4]), int(iso[5:7]), int(m["d1"])) if len(iso) == 10 else None
        if first and len(first) == 10 and first < iso:
            out.append((m.start("d1"), m.end("d1"), first, relative, "gregorian"))
    return [*out, (start, m.end(), iso, relative, "gregorian")]


def _year_range(m: re.Match) -> _Found:
    """بين 2020 و2023, 2007-2008, موسم 2018/2019: each end is a year of its own."""
    y1, y2 = int(m["y1"]), int(m["y2"])
    if not (1900 <= y1 < y2 <= y1 + 30):
        return []
    return [(m.start("y1"), m.end("y1"), m["y1"], False, "gregorian"),
            (m.start("y2"), m.end("y2"), m["y2"], False, "gregorian")]


@cache
def _tense_words() -> dict[str, frozenset[str]]:
    data = load("tense.json")
    return {k: frozenset(fold(w) for w in data[k]) for k in _CUES}


_CUES = ("future", "imperfect", "past", "markers", "clause")


def _cue(word: str) -> str | None:
    """Which list of ``tense.json`` a word is in, maybe with a glued و or ف; a verb with the future
    prefix (سيزور) is a future cue."""
    words, key = _tense_words(), fold(word)
    for w in (key, key[1:] if key[:1] in ("و", "ف") else ""):
        for kind in _CUES:
            if w in words[kind]:
                return kind
        if w[:1] == "س" and w[1:] in words["imperfect"]:
            return "future"
    return None


def _tense(paragraph: str, start: int) -> int:
    """1 when the clause before ``start`` speaks of the future: سوف/سيزور/من المقرر, or a verb in the
    present (يعقد المجلس اجتماعه الخميس); -1 when its nearest cue is of the past (أعلن، منذ، كان);
    0 when nothing says, or for a plan of the past (كان من المقرر أن يبدأ): the day it was planned
    for may have gone by or not."""
    words = TOKEN.findall(paragraph, max(0, start - _TENSE_REACH), start)[-_TENSE_WINDOW - _PAST_REACH:]
    for j in range(len(words) - 1, max(-1, len(words) - 1 - _TENSE_WINDOW), -1):
        if not words[j][0].isalnum():
            return 0  # punctuation ends the clause
        cue = _cue(words[j])
        if cue in ("future", "imperfect"):
            return 0 if any(_cue(w) == "markers" for w in words[max(0, j - _PAST_REACH):j]) else 1
        if cue is not None:  # قبل alone says nothing of the tense (قبل ديسمبر)
            return 0 if cue == "clause" or fold(words[j]) == "قبل" else -1
    return 0


def _weekday(m: re.Match, pub: date) -> date:
    """The weekday named: المقبل the next one, الماضي the last one before publication; bare, the
    coming one (publication day included) when the clause speaks of the future, else the last one."""
    target, rel = _tables()["week"][fold(m["wd"])], m["rel"]
    if _step(rel) > 0:
        return pub + timedelta(days=(target - pub.weekday() - 1) % 7 + 1)
    if rel is None and _tense(m.string, m.start()) > 0:  # else the last one: news mostly reports the past
        return pub + timedelta(days=(target - pub.weekday()) % 7)
    back = (pub.weekday() - target) % 7
    return pub - timedelta(days=back or (7 if rel else 0))


_DAY_SHIFT = {"امس": -1, "الامس": -1, "غدا": 1, "غد": 1, "الغد": 1, "اليوم": 0}


def _day_word(word: str) -> int:
    w = " ".join(fold(word).split())
    if w in ("اول امس", "اول من امس", "امس الاول"):
        return -2
    if w == "بعد غد":
        return 2
    return _DAY_SHIFT[w]


def _months_back(pub: date, n: int) -> str:
    months = pub.year * 12 + pub.month - 1 - n
    return _iso(months // 12, months % 12 + 1)


def _ago(m: re.Match, pub: date) -> str | None:
    """منذ ثلاثة أيام, قبل أسبوعين, منذ 10 سنوات: counted back from publication."""
    t = _tables()
    unit, count = t["ago"][fold(m["unit"])]
    if m["n"]:
        count = int(m["n"]) if m["n"].isdigit() else t["counts"].get(drop_tanween_alef(fold(m["n"])))
    if not count:
        return None
    if unit in ("day", "week"):
        return (pub - timedelta(days=count * (7 if unit == "week" else 1))).isoformat()
    return _months_back(pub, count) if unit == "month" else _iso(pub.year - count)


def _period(m: re.Match, pub: date) -> tuple[int, str] | None:
    """(start, iso) of العام الماضي, هذا الشهر, الأسبوع المقبل, مطلع الشهر, 14 من الشهر الحالي."""
    rel, unit = m["rel"], fold(m["unit"])
    this = bool(m["rel"] or m["this"] or unit == "عامنا")
    if not (this or (m["pday"] or m["pos"]) and unit != "الاسبوع"):
        return None  # العام في المنطقة, مطلع الأسبوع: no date
    start = m.start("this") if m["this"] else m.start("unit")
    if m["pday"] or not this:
        start = m.start()  # the day or the position word is the date's own (مطلع الشهر)
    step = _step(rel)
    if unit == "الاسبوع":
        return start, (pub + timedelta(weeks=step)).isoformat()
    if unit == "الشهر":
        month = _months_back(pub, -step)
        return start, _iso(int(month[:4]), int(month[5:]), _day_of(m, "pday", "pday"))
    return start, _iso(pub.year + step)


def _resolve(kind: str, m: re.Match, pub: date | None) -> _Found:
    """The dates of one match; none when it cannot be resolved."""
    if kind in ("greg", "year_range"):
        return _greg_dates(m, pub) if kind == "greg" else _year_range(m)
    one = _absolute(kind, m) if kind in _ABSOLUTE else _relative(kind, m, pub) if pub else None
    return [one] if one and one[2] else []


_ABSOLUTE = ("hijri", "hijri_year", "numeric", "year")


def _absolute(kind: str, m: re.Match) -> tuple[int, int, str | None, bool, str]:
    start, end = m.span()
    if kind == "hijri":
        month = _tables()["hijri"][_key(m["month"])]
        day = int(m["day"]) if m["day"] else 15
        g = hijri_to_gregorian(int(m["year"]), month, day if day <= 30 else 15)
        return start, end, (g.isoformat() if m["day"] else _iso(g.year, g.month)), False, "hijri"
    if kind == "hijri_year":
        return start, end, _iso(hijri_to_gregorian(int(m["year"]), 7, 1).year), False, "hijri"
    if kind == "numeric":
        iso = _iso(int(m["year"]), int(m["month"]), int(m["day"])) if 1 <= int(m["month"]) <= 12 else None
        return start, end, iso, False, "gregorian"
    return start, end, (m["year"] if 1800 <= int(m["year"]) <= 2200 else None), False, "gregorian"


def _hijri_month(m: re.Match, pub: date) -> tuple[int, int, str | None, bool, str]:
    """شهر رمضان (الماضي/المقبل): the Gregorian month in which the middle of the nearest such month falls."""
    month = _tables()["hijri"][_key(m["month"])]
    year = (pub.year - 622) * 33 // 32  # about the Hijri year of publication
    middles = [hijri_to_gregorian(y, month, 15) for y in range(year - 2, year + 3)]
    step = _step(m["rel"])
    if step:
        middles = [g for g in middles if (g - pub).days * step > 0]
    g = min(middles, key=lambda g: (abs((g - pub).days), g > pub))
    return m.start("month"), m.end(), _iso(g.year, g.month), True, "hijri"


def _relative(kind: str, m: re.Match, pub: date) -> tuple[int, int, str | None, bool, str]:
    if kind == "hijri_month":
        return _hijri_month(m, pub)
    start, end = m.span()
    if kind in ("today", "day_word"):
        iso = (pub + timedelta(days=_day_word(m["word"]))).isoformat()
    elif kind == "weekday":
        iso = _weekday(m, pub).isoformat()
    elif kind == "ago":
        iso = _ago(m, pub)
    else:
        start, iso = _period(m, pub) or (start, None)
    return start, end, iso, True, "gregorian"


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
            start, end = m.start(), m.start() + len(m[0].rstrip())
            if any(s < end and start < e for s, e in taken):
                continue
            found = _resolve(kind, m, pub)
            if found:
                taken.append((start, end))
            for s, e, iso, relative, calendar in found:
                text = paragraph[s:e].rstrip()
                out.append(DateMention(text, iso, s, s + len(text), index, relative, calendar))
    return sorted(out, key=lambda d: d.start)
