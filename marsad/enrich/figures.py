"""Figures: percentages, sums of money and counts, with a normalized value.

``22.6 في المائة`` → 22.6 %, ``1.5 مليار دولار`` → 1.5e9 USD, ``تسعة بحارة`` → 9 × بحارة.
Numbers may be digits (Western or Arabic-Indic) or words; number words, currencies and the
words that never name what is counted are data (``numbers.json``, ``currencies.json``).
Years and numbers inside dates are not figures: the caller passes the date spans to skip.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

from marsad.enrich.lexicon import (
    drop_tanween_alef,
    fold,
    folded_table,
    load,
    loose_alternation,
    skip_letters,
    tokens,
    with_clitics,
)
from marsad.model import Article, Figure

_DIGITS = re.compile(r"\d+(?:[.,٫٬،]\d+)*")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}،\d{3}")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?")
_ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a]")
_CLITICS = ("و", "ف", "ب", "ل")
# Votes for a country in an article: a qualified currency (دينار كويتي), the dateline or the outlet.
_QUALIFIED_VOTES, _HINT_VOTES = 3, 2
Local = Callable[[str], "str | None"]  # a bare currency's code (DINAR) → the one its article decides


@dataclass(slots=True)
class _Number:
    value: float
    start: int  # offset of the first character of the number
    next: int  # index of the first token after it
    words: bool  # written in words
    scaled: bool  # has a scale word (ألف، مليون، مليار)
    scale: float = 1.0  # the value of that scale word, after digits


@cache
def _lexicon() -> dict:
    nums = load("numbers.json")
    money = load("currencies.json")
    currencies, qualifiers, countries = {}, {}, {}
    for cur in money["currencies"]:
        for name in cur["names"]:
            currencies[fold(name)] = cur["code"]
            qualifiers[fold(name)] = folded_table(cur["qualifiers"])
        if "countries" in cur:
            countries[cur["code"]] = {fold(w): c for c, names in cur["countries"].items() for w in names}
    return {
        "units": folded_table(nums["units"]), "tens": folded_table(nums["tens"]),
        "hundreds": folded_table(nums["hundreds"]), "scales": folded_table(nums["scales"]),
        "teen_heads": folded_table(nums["teen_heads"]), "teen_tails": {fold(w) for w in nums["teen_tails"]},
        "percent": [tuple(fold(w) for w in p.split()) for p in nums["percent_after"]],
        "stop": {fold(w) for w in nums["stop_nouns"]}, "plurals": {fold(w) for w in nums["plurals"]},
        "alone": {fold(w) for w in nums["alone"]}, "duals": {fold(w) for w in nums["duals"]},
        "currencies": currencies, "qualifiers": qualifiers, "symbols": money["symbols"],
        "countries": countries, "outlets": money["outlets"], "domains": money["domains"],
        "abbreviations": {k: (scale, fold(name)) for k, (scale, name) in money["abbreviations"].items()},
        "starts": with_clitics([*nums["units"], *nums["tens"], *nums["hundreds"], *nums["scales"],
                                *nums["teen_heads"]]),
        "months": set(folded_table(load("months.json")["gregorian"]))
        | set(folded_table(load("months.json")["hijri"])),
        "not_after": {fold(w) for w in nums["not_after"]}, "range": {fold(w) for w in nums["range_words"]},
        "verbs": {fold(w) for w in load("tense.json")["imperfect"]},
    }


@cache
def _candidates() -> re.Pattern:
    """Where a figure may start: digits, or a number word (maybe with a glued و، ف، ب or ل)."""
    letter = "\u0621-\u063a\u0640-\u065f\u0670"
    words = loose_alternation(_lexicon()["starts"])
    return re.compile(rf"\d+|(?<![{letter}])(?:{words})(?![{letter}])")


def parse_digits(text: str) -> float:
    """'1.5' → 1.5, '1,500' → 1500, '1.860.000' → 1860000, '٢٢٫٦' → 22.6, '1,5' and '1،5' → 1.5 (decimal
    comma)."""
    text = text.replace("٫", ".").replace("٬", ",").replace("،", ",")
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    if _DOT_THOUSANDS.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    head, sep, tail = text.replace(",", ".").rpartition(".")
    return float(f"{head.replace('.', '')}.{tail}" if sep else tail)


def _word_value(word: str) -> tuple[str, float] | None:
    lex = _lexicon()
    key = drop_tanween_alef(fold(word))
    for kind in ("units", "tens", "hundreds", "scales"):
        if key in lex[kind]:
            return kind, lex[kind][key]
    return None


def _strip_clitic(word: str) -> tuple[int, str]:
    """(letters dropped, rest) when a conjunction or preposition is glued to a number word (وثلاثة،
    بإحدى عشرة)."""
    if word[:1] in _CLITICS and (_word_value(word[1:]) or fold(word[1:]) in _lexicon()["teen_heads"]):
        return 1, word[1:]
    return 0, word


def _read_words(toks: list, i: int) -> _Number | None:
    lex = _lexicon()
    dropped, word = _strip_clitic(toks[i][2])
    total = current = 0.0
    j, scaled = i, False
    while j < len(toks):
        key = fold(word)
        if key in lex["teen_heads"] and j + 1 < len(toks) and fold(toks[j + 1][2]) in lex["teen_tails"]:
            current += lex["teen_heads"][key] + 10
            j += 2
        elif (hit := _word_value(word)) is None:
            break
        else:
            total, current, scaled = _add_word(total, current, scaled, hit, key)
            j += 1
        if j >= len(toks):
            break
        word = toks[j][2]
        if word.startswith("و") and _word_value(word[1:]):
            word = word[1:]
    first = fold(toks[i][2][dropped:])
    if j == i or (j == i + 1 and (first in lex["plurals"] or first in lex["alone"])):
        return None
    start, value = toks[i][0] + skip_letters(toks[i][2], dropped), total + current
    if scaled and (hit := _word_value(toks[j - 1][2])) and hit[0] == "scales":  # مليون و700 ألف
        value, j = _compound(toks, j, value, hit[1])
    return _Number(value, start, j, True, scaled)


def _add_word(total: float, current: float, scaled: bool, hit: tuple[str, float], key: str):
    """One more number word: units, tens and hundreds add up; a scale multiplies what came before."""
    kind, val = hit
    if kind == "scales":
        count = current or (2 if key in _lexicon()["duals"] else 1)
        return total + count * val, 0.0, True
    if kind == "hundreds" and 0 < current < 10 and val == 100:
        return total, current * 100, scaled
    return total, current + val, scaled


def _read_number(toks: list, i: int) -> _Number | None:
    word = toks[i][2]
    if not _DIGITS.fullmatch(word):
        return _read_words(toks, i)
    if "،" in word and _COMMA_THOUSANDS.fullmatch(word):
        return None  # 2،250 دينار: two dinars and 250 millimes, or 2,250? Not said.
    value, j, scale = parse_digits(word), i + 1, 1.0
    if (tap := _fraction_first(toks, i)) is not None:
        value, j = tap, i + 3
    if j < len(toks) and (hit := _word_value(toks[j][2])) and hit[0] == "scales":
        value, j, scale = round(value * hit[1], 6), j + 1, hit[1]  # 133.8 million, not 133800000.00000001
        value, j = _compound(toks, j, value, scale)
    elif j + 1 < len(toks) and toks[j + 1][2] == "د" and (abbreviated := _abbreviation(toks, j)):
        # 3970 م د: the currency is read after the number
        scale = abbreviated[0]
        value = round(value * scale, 6)
    return _Number(value, toks[i][0], j, False, scale > 1, scale)


def _abbreviation(toks: list, j: int) -> tuple[float, str] | None:
    """(scale, currency word) of an abbreviated sum at ``j``: م د (million dinars), أ د."""
    return _lexicon()["abbreviations"].get(f"{toks[j][2]} د")


def _compound(toks: list, j: int, value: float, last: float) -> tuple[float, int]:
    """4 مليون و254 ألف و367 دينار: after a scale word, a smaller part glued to و adds to the number
    (digits with a smaller scale word, or fewer than a thousand right before a currency)."""
    while j + 2 < len(toks) and toks[j][2] == "و" and toks[j][1] == toks[j + 1][0] \
            and toks[j + 1][2].isdigit():
        part, hit = parse_digits(toks[j + 1][2]), _word_value(toks[j + 2][2])
        if hit and hit[0] == "scales" and part * hit[1] < last:
            value, last, j = value + part * hit[1], hit[1], j + 3
        elif part < min(last, 1000) and _currency_key(toks[j + 2][2]):
            return value + part, j + 2
        else:
            break
    return value, j


def _fraction_first(toks: list, i: int) -> float | None:
    """2ر1 = 1.2: the decimals of the Tunisian news agency, printed fraction first with ر as the mark."""
    if i + 2 < len(toks) and toks[i + 1][2] == "ر" and toks[i][2].isdigit() and toks[i + 2][2].isdigit() \
            and toks[i][1] == toks[i + 1][0] and toks[i + 1][1] == toks[i + 2][0]:
        return float(f"{toks[i + 2][2]}.{toks[i][2]}")
    return None


def _percent(toks: list, j: int) -> int | None:
    """Index after a percent sign or phrase starting at ``j``."""
    if j < len(toks) and toks[j][2] in ("%", "٪"):
        return j + 1
    for phrase in _lexicon()["percent"]:
        words = [fold(t[2]) for t in toks[j:j + len(phrase)]]
        if tuple(words) == phrase:
            return j + len(phrase)
    return None


def _currency_key(word: str) -> str | None:
    lex = _lexicon()
    key = drop_tanween_alef(fold(word))
    if key not in lex["currencies"]:
        key = fold(word)
    return key if key in lex["currencies"] else None


def _currency(toks: list, j: int, place: Local | None) -> tuple[str, int] | None:
    """(code, index after) of a currency word at ``j``: its qualifier (دينار أردني) decides, else for a
    word of several countries (دينار) ``place``: what the paragraph and the article say."""
    lex, after = _lexicon(), j + 1
    if j + 1 < len(toks) and toks[j + 1][2] == "د" and (abbreviated := _abbreviation(toks, j)) is not None:
        key, after = abbreviated[1], j + 2
    elif j >= len(toks) or (key := _currency_key(toks[j][2])) is None:
        return None
    code = lex["currencies"][key]
    if after < len(toks) and (q := lex["qualifiers"][key].get(fold(toks[after][2]))):
        return q, after + 1
    if code in lex["countries"] and place is not None:
        code = place(code) or code
    return code, after


@cache
def _places() -> tuple[re.Pattern, dict[str, dict[str, str]]]:
    """Where a text names the country of a currency word of several countries (تونس، بالكويت، للكويت)
    or gives the word with its qualifier (دينار كويتي); and what each country word names: its folded
    form → {the word's code: the country's code} (تونس → {DINAR: TND})."""
    lex, letters = _lexicon(), "\u0621-\u063a\u0641-\u064a"
    named: dict[str, dict[str, str]] = {}
    for family, table in lex["countries"].items():
        for word, code in table.items():
            named.setdefault(word, {})[family] = code
    names = [name for name, code in lex["currencies"].items() if code in lex["countries"]]
    qualifiers = {q for name in names for q in lex["qualifiers"][name]}
    words, unglued = loose_alternation(named), loose_alternation(w[2:] for w in named if w.startswith("ال"))
    currency = rf"(?P<name>{loose_alternation(names)})\s+(?P<q>{loose_alternation(qualifiers)})[اً]*"
    places = rf"[وفبل]?(?P<w>{words})|لل(?P<al>{unglued})|{currency}"
    return re.compile(rf"(?<![{letters}])(?:{places})(?![{letters}])"), named


@lru_cache(maxsize=64)
def _votes(text: str) -> dict[str, Counter]:
    """Votes of a text for the countries of each currency word of several countries (DINAR: TND 2):
    1 for a mention, 3 for a qualified currency (دينار تونسي)."""
    lex = _lexicon()
    pattern, named = _places()
    votes: dict[str, Counter] = {}
    for m in pattern.finditer(text):
        if m["w"] or m["al"]:
            for family, code in named[fold(m["w"]) if m["w"] else "ال" + fold(m["al"])].items():
                votes.setdefault(family, Counter())[code] += 1
        elif (code := lex["qualifiers"][key := _currency_key(m["name"])].get(fold(m["q"]))) is not None:
            votes.setdefault(lex["currencies"][key], Counter())[code] += _QUALIFIED_VOTES
    return votes


def _winner(votes: Counter) -> str | None:
    top = votes.most_common(2)
    return top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None


def article_currencies(article: Article) -> Local:
    """What an article says of its bare currency words, worked out when one is met: the country it
    names most, its dateline and its outlet's country (.tn, a Tunisian radio) counting twice, and
    a qualified mention (دينار كويتي، جنيه إسترليني) three times; nothing when that is a tie."""
    decided: dict[str, str | None] = {}

    def local(family: str) -> str | None:
        if not decided:
            votes = _votes("\n".join((article.headline, *article.paragraphs)))
            hints = _votes(" ".join(_place_hints(article)))
            for f in _lexicon()["countries"]:
                counts = Counter(votes.get(f, {}))
                for code, n in hints.get(f, {}).items():
                    counts[code] += n * _HINT_VOTES
                decided[f] = _winner(counts)
        return decided[family]
    return local


def _in_paragraph(paragraph: str, local: Local | None) -> Local:
    """The country of a bare currency word: the only one its paragraph names, else the article's."""
    def place(family: str) -> str | None:
        named = _votes(paragraph).get(family, {})
        return next(iter(named)) if len(named) == 1 else local(family) if local else None
    return place


def _place_hints(article: Article) -> list[str]:
    """Words naming where an article comes from: its dateline, and its outlet's country."""
    lex = _lexicon()
    words = (article.dateline or "").split()
    where = f"{article.outlet or ''} {article.url or ''}".lower()
    words += [country for name, country in lex["outlets"].items() if name in where]
    host = urlsplit(article.url or "").hostname or ""
    return [*words, lex["domains"].get(host.rsplit(".", 1)[-1], "")]


def _counted(toks: list, j: int, value: float) -> str | None:
    """The noun after a number, as printed without its accusative ending (شخصاً، قتيلا → شخص، قتيل)."""
    if j >= len(toks):
        return None
    word = toks[j][2]
    key = fold(word)
    lex = _lexicon()
    if not _ARABIC_WORD.match(word) or len(key) < 2 or key in lex["stop"] or key in lex["months"]:
        return None
    if _word_value(word) or _strip_clitic(word)[0] or key.startswith(("ال", "لل")) or key[1:3] == "ال":
        return None  # a number word (لثلاثة) or a definite noun (بالدوري) is never what is counted
    if key in lex["verbs"] or key[1:] in lex["verbs"] or key.startswith(("يت", "تت")) and len(key) >= 5:
        return None  # 68 تتعلق بالمترولوجيا: a verb in the present follows the number
    if key[:1] in ("و", "ف") and (key[1:3] == "ال" or key[1:] in lex["stop"]):
        return None  # a conjunction: 48 والبحرين، 16 وحتى
    noun = drop_tanween_alef(word)
    # After 11 to 99 the noun is an indefinite accusative, often printed without its tanween.
    if noun == word and value.is_integer() and 11 <= value % 100 <= 99 and len(key) >= 4 and key[-1] == "ا":
        noun = word[:len(word) - 1]
    return noun


def _classify(toks: list, i: int, num: _Number,
              place: Local | None) -> tuple[str, str | None, str | None, int, int] | None:
    """(kind, unit, counted, start, index after) for the number, or None when it is no figure."""
    lex, j, start = _lexicon(), num.next, num.start
    before = toks[i - 1][2] if i > 0 else ""
    if (after := _percent(toks, j)) is not None:
        return "percent", "%", None, start, after
    if before in ("%", "٪"):
        return "percent", "%", None, toks[i - 1][0], j
    if before in lex["symbols"]:
        return "money", lex["symbols"][before], None, toks[i - 1][0], j
    if (money := _currency(toks, j, place)) is not None:
        return "money", money[0], None, start, money[1]
    # After an accusative scale word (13 مليونا) the counted noun is left out: what follows is not it.
    counted = None if _accusative_scale(toks[j - 1][2]) else _counted(toks, j, num.value)
    if counted is not None:
        return "count", None, counted, start, j + 1
    if num.scaled:
        return "count", None, None, start, j
    return None


def _accusative_scale(word: str) -> bool:
    hit = _word_value(word)
    return hit is not None and hit[0] == "scales" and fold(word).endswith("ا")


def _is_year(num: _Number, got: tuple, text: str) -> bool:
    """A bare four-digit number between 1900 and 2100 is a year, unless it is money or a percentage."""
    return got[0] == "count" and not num.words and not num.scaled and len(text) == 4 \
        and 1900 <= num.value <= 2100


def _clock_minutes(toks: list, i: int) -> bool:
    """The minutes of a time of day (20:45)."""
    return i >= 2 and toks[i - 1][2] == ":" and toks[i - 2][2].isdigit() \
        and toks[i - 2][1] == toks[i - 1][0] and toks[i - 1][1] == toks[i][0]


def _label(toks: list, i: int, kind: str) -> bool:
    """A count right after a word that makes it a label or a rank (الدقيقة 62, المركز 5, القرار 2216)."""
    return kind == "count" and i >= 1 and fold(toks[i - 1][2]) in _lexicon()["not_after"]


def _range_start(toks: list, pending: tuple[int, _Number] | None, i: int, num: _Number) -> _Number | None:
    """The first number of a range ending at token ``i``: 600- 700 دولار, بين 17 و21 درجة, بين 2 و3 ملايين."""
    if pending is None or i - pending[1].next != 1 or fold(toks[i - 1][2]) not in _lexicon()["range"]:
        return None
    k, first = pending
    if toks[i - 1][2] == "و" and not (k and fold(toks[k - 1][2]) == "بين"):
        return None  # 11 و82: two numbers; بين 11 و82: a range
    if _is_year(first, ("count",), toks[k][2]):
        return None  # ميزانية 2016 الى 29 مليار: a year, then the amount
    value = first.value
    if not first.scaled and num.scale > 1 and value * num.scale <= num.value:
        value *= num.scale  # بين 2 و3 ملايين: two million
    return _Number(value, first.start, first.next, first.words, first.scaled) if value < num.value else None


def find_figures(paragraph: str, index: int = 0, skip: list[tuple[int, int]] = (),
                 local: Local | None = None) -> list[Figure]:
    """Every figure of one paragraph; spans in ``skip`` (dates) are left alone. ``local`` (see
    ``article_currencies``) names the currency of a bare دينار the paragraph does not place.

    A range gives a figure for each end, both with the unit and the counted noun of the second."""
    candidates = _candidates()
    if not candidates.search(paragraph):
        return []
    toks = tokens(paragraph)
    offsets = [t[0] for t in toks]
    place = _in_paragraph(paragraph, local)
    out: list[Figure] = []
    i, pending = 0, None
    for m in candidates.finditer(paragraph):
        k = bisect_right(offsets, m.start()) - 1
        if k < i or offsets[k] != m.start():
            continue  # inside a token already read, or inside a word
        num = _read_number(toks, k)
        if num is None or _clock_minutes(toks, k) or any(s <= toks[k][0] < e for s, e in skip):
            continue
        got = _classify(toks, k, num, place)
        i = num.next
        if got is None or _is_year(num, got, toks[k][2]) or _label(toks, k, got[0]):
            pending = (k, num) if got is None else None
            continue
        kind, unit, counted, start, after = got
        if start == num.start and (first := _range_start(toks, pending, k, num)):
            end = toks[first.next - 1][1]
            out.append(Figure(paragraph[first.start:end], first.value, kind, unit, counted, first.start, end,
                              index))
        end = toks[after - 1][1]
        out.append(Figure(paragraph[start:end], num.value, kind, unit, counted, start, end, index))
        i, pending = after, None
    return out
