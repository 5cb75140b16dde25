"""Letter normalization for matching (search, dedup, entity keys).

Each operation is a small pure function named for what it does, in the
style of camel_tools: ``normalize_alef_ar``, ``dediac_ar`` and so on. The
character maps are data (``data/normalize.json``), loaded once on first use.
``normalize_for_matching`` chains them all through one translation table.
Apart from presentation forms (one ligature code point stands for several
letters), no operation makes text longer.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

# Arabic Presentation Forms-A and -B: legacy glyph code points, folded by NFKC.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")


@cache
def _maps() -> dict[str, dict[str, str]]:
    text = resources.files("marsad.arabic").joinpath("data/normalize.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def _expand(keys: str) -> range | tuple[int]:
    """A map key is one character or an inclusive range 'A-B'."""
    if len(keys) == 3 and keys[1] == "-":
        return range(ord(keys[0]), ord(keys[2]) + 1)
    return (ord(keys),)


class _Folding:
    """One pass of several maps: a regex removes what maps to nothing, a second one replaces.

    (``str.translate`` with a dict costs an int object per non-Latin-1 character;
    two regex passes over Arabic text are about twice as fast.)
    """

    __slots__ = ("_drop", "_swap", "_get")

    def __init__(self, table: dict[str, str]):
        dropped = "".join(c for c, v in table.items() if not v)
        swapped = {c: v for c, v in table.items() if v}
        self._drop = re.compile(f"[{re.escape(dropped)}]+") if dropped else None
        self._swap = re.compile(f"[{re.escape(''.join(swapped))}]") if swapped else None
        get = swapped.__getitem__
        self._get = lambda m: get(m.group())

    def __call__(self, text: str) -> str:
        if self._drop is not None:
            text = self._drop.sub("", text)
        if self._swap is not None:
            text = self._swap.sub(self._get, text)
        return text


@cache
def _folding(*names: str) -> _Folding:
    table: dict[str, str] = {}
    for name in names:
        if name == "latin_case":
            table.update(_latin_lower())
            continue
        for keys, value in _maps()[name].items():
            for cp in _expand(keys):
                table[chr(cp)] = value
    return _Folding(table)


def _latin_lower() -> dict[str, str]:
    # Only one-to-one case pairs, so that lowercasing never lengthens text (İ, ẞ are left alone).
    out = {}
    for cp in range(0x41, 0x250):
        low = chr(cp).lower()
        if low != chr(cp) and len(low) == 1:
            out[chr(cp)] = low
    return out


def _apply(text: str, *names: str) -> str:
    return _folding(*names)(text)


def normalize_alef_ar(text: str) -> str:
    """أ إ آ ٱ → ا"""
    return _apply(text, "alef")


def normalize_alef_maksura_ar(text: str) -> str:
    """ى → ي (and Persian ی)."""
    return _apply(text, "alef_maksura")


def normalize_teh_marbuta_ar(text: str) -> str:
    """ة → ه"""
    return _apply(text, "teh_marbuta")


def normalize_hamza_ar(text: str) -> str:
    """Hamza on a carrier → the bare carrier: ؤ → و, ئ → ي."""
    return _apply(text, "hamza_carriers")


def normalize_persian_letters(text: str) -> str:
    """Persian/Urdu letter shapes (ک ہ ھ) → their Arabic letters."""
    return _apply(text, "persian_letters")


def remove_tatweel_ar(text: str) -> str:
    return _apply(text, "tatweel")


def dediac_ar(text: str) -> str:
    """Drop harakat, tanween, shadda, sukun, dagger alef and Quranic marks."""
    return _apply(text, "diacritics")


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits → ASCII digits."""
    return _apply(text, "digits")


def normalize_punctuation_ar(text: str) -> str:
    """Arabic and typographic punctuation → ASCII: ، → , ؛ → ; ؟ → ? ٪ → % ٫ → . «» → \"."""
    return _apply(text, "punctuation")


def lowercase_latin(text: str) -> str:
    return _apply(text, "latin_case")


def normalize_presentation_forms(text: str) -> str:
    """NFKC, but only on the Arabic presentation-form blocks (ﻻ → لا, ﷲ → الله)."""
    if not _PRESENTATION.search(text):
        return text
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _matching_names(teh_marbuta: bool, hamza: bool) -> tuple[str, ...]:
    names = ["alef", "alef_maksura", "persian_letters", "tatweel", "diacritics", "digits",
             "punctuation", "latin_case"]
    if teh_marbuta:
        names.append("teh_marbuta")
    if hamza:
        names.append("hamza_carriers")
    return tuple(names)


def normalize_for_matching(text: str, *, teh_marbuta: bool = True, hamza: bool = True) -> str:
    """Every folding above at once: the form in which two spellings of a word compare equal."""
    return _folding(*_matching_names(teh_marbuta, hamza))(normalize_presentation_forms(text))
