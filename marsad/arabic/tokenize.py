"""Tokenization of Arabic news text, with offsets into the original string.

A token is a number (``22.6``, ``1,500``, ``٢٠٢٥``) or a word: Arabic
letters with their harakat and tatweel, or Latin letters and digits
(``COVID19``). Punctuation and spaces separate tokens. ``split_clitics``
knows the proclitics written joined to Arabic words: و ف (conjunctions),
ب ل ك (prepositions) and ال (article) in the chains they form (وال بال
فال كال لل ولل وبال ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_DIGIT = r"\d"
# A number may carry decimal or thousands separators (ASCII or Arabic) between digit groups.
_NUMBER = rf"{_DIGIT}+(?:[.,\u066b\u066c]{_DIGIT}+)*"
_WORD = rf"(?:[^\W\d_]|[{_MARKS}])(?:[^\W_]|[{_MARKS}])*"
TOKEN_RE = re.compile(rf"(?P<num>{_NUMBER})|(?P<word>{_WORD})")
TOKEN_TEXT_RE = re.compile(rf"{_NUMBER}|{_WORD}")  # the same tokens without groups, for findall
# The same tokens in a text without "_", where [^\W_] is \w: a word is then a run of one character
# class, which the regex engine scans almost twice as fast.
TOKEN_TEXT_NO_UNDERSCORE_RE = re.compile(rf"{_NUMBER}|[^\W\d][\w{_MARKS}]*|[{_MARKS}][\w{_MARKS}]*")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefe]")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
# ب ل ك (after و or ف) at the start of a word, before a hamza on alef: لإيران, وبأوروبا, كأول.
_HAMZA_PROCLITIC = re.compile(f"(?<![\\w{_MARKS}\u0640])[وف]?([بلك])(?=([أإآ][^\\W\\d_]*))")



@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written in the source
    start: int  # offsets into the source string
    end: int
    kind: str  # "arabic", "latin" or "number"


def tokenize(text: str) -> list[Token]:
    """Words and numbers of ``text`` with their offsets, in order."""
    out = []
    for m in TOKEN_RE.finditer(text):
        s = m.group()
        kind = "number" if m.lastgroup == "num" else ("arabic" if _ARABIC.search(s) else "latin")
        out.append(Token(s, m.start(), m.end(), kind))
    return out


def words(text: str) -> list[str]:
    """Just the token strings: the fast path for indexing."""
    return [m.group() for m in TOKEN_RE.finditer(text)]


def normalize_number(s: str) -> str:
    """One spelling per number: ASCII digits, '.' for decimals, no thousands separators."""
    s = s.replace("\u066b", ".").replace("\u066c", ",")
    if _THOUSANDS.match(s):
        return s.replace(",", "")
    return s.replace(",", ".")


@cache
def stem_rules() -> dict:
    """Affix rules and spelling variants, from ``data/light_stem.json``."""
    path = resources.files("marsad.arabic").joinpath("data/light_stem.json")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def proclitics() -> tuple[tuple[str, int], ...]:
    """(proclitic chain, letters that must remain), longest first."""
    return tuple((p, n) for p, n in stem_rules()["prefixes"])


@cache
def _hamza_exceptions() -> frozenset[str]:
    return frozenset(stem_rules()["hamza_proclitic_exceptions"])


def _keep_or_drop(m: re.Match) -> str:
    # The word from the chain's last letter on: كأس keeps its ك.
    return m.group() if m.group(1) + m.group(2) in _hamza_exceptions() else ""


def detach_hamza_proclitics(text: str) -> str:
    """Drop a preposition written before a hamza on alef (لإيران → إيران, بآسيا → آسيا).

    The hamza shows where the word begins, so this runs on text before normalization
    folds إ أ آ into ا (after it, لايران could be one word). A lone و is left to
    :func:`split_clitics`; words whose own first letter is ب ل ك (كأس, بأس) are listed
    in ``data/light_stem.json``.
    """
    if "أ" not in text and "إ" not in text and "آ" not in text:
        return text
    return _HAMZA_PROCLITIC.sub(_keep_or_drop, text)


def split_clitics(word: str) -> tuple[str, str]:
    """(proclitics, rest) of a normalized Arabic word: والاتحاد → (وال, اتحاد); ولد → ("", ولد).

    Only the article chains (ال وال بال فال كال لل ولل ...) and a lone و are split: a
    lone ب ل ك ف begins too many words (بلاد, لبنان, كتاب, فرنسا) to cut without a lexicon.
    """
    for p, min_rest in proclitics():
        if len(word) - len(p) >= min_rest and word.startswith(p):
            return p, word[len(p):]
    return "", word
