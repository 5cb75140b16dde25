"""Print-edition text repair: letter-spacing tatweel and Arabic presentation forms.

Print layouts justify lines by stretching words with tatweel (U+0640):
``اســـــتـــــأنـــــف`` is ``استأنف``. Text extracted from PDFs may also carry
Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF) instead of letters.
Both are layout, not content; everything else is kept as printed.
"""

from __future__ import annotations

import re
import unicodedata

TATWEEL = "\u0640"
_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"  # Arabic letters, without tatweel
_MARKS = "\u064b-\u0652\u0670"  # harakat, which may follow a letter before its tatweel
_RUN = re.compile(f"(?<=[{_LETTER}{_MARKS}]){TATWEEL}+(?=[{_LETTER}])")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]+")


# Print pages stretch many words; past this many clearly stretched words, a lone tatweel is spacing too.
_SPACED_PAGE = 3
_MAX_WORD = 200


def is_stretched(word: str) -> bool:
    runs = _RUN.findall(word)
    # One short stretch inside a word (محمـد) may be deliberate; two or more, or a long run, is spacing.
    return len(runs) >= 2 or any(len(r) >= 2 for r in runs)


def _word_bounds(text: str, i: int) -> tuple[int, int]:
    # Searches are bounded so that a page without spaces stays linear; no word is this long.
    lo, hi = max(0, i - _MAX_WORD), min(len(text), i + _MAX_WORD)
    start = max(text.rfind(" ", lo, i), text.rfind("\n", lo, i), lo - 1) + 1
    ends = [e for e in (text.find(" ", i, hi), text.find("\n", i, hi)) if e >= 0]
    return start, min(ends) if ends else hi


def _stretched_words(text: str) -> list[tuple[int, int]]:
    spans = []
    # Walk the tatweel characters with str.find: pages hold few, and a regex scan of the page costs more.
    i = text.find(TATWEEL)
    while i >= 0:
        start, end = _word_bounds(text, i)
        spans.append((start, end))
        i = text.find(TATWEEL, end)
    return spans


def detatweel(text: str) -> str:
    """Drop tatweel used as letter-spacing inside words; keep ``بـ«``, ``الـ17`` and lone dashes."""
    spans = _stretched_words(text)
    if not spans:
        return text
    spaced = [is_stretched(text[a:b]) for a, b in spans]
    print_page = sum(spaced) >= _SPACED_PAGE
    out: list[str] = []
    done = 0
    for (start, end), word_spaced in zip(spans, spaced, strict=True):
        word = text[start:end]
        out.append(text[done:start])
        out.append(_RUN.sub("", word) if word_spaced or print_page else word)
        done = end
    out.append(text[done:])
    return "".join(out)


def unshape(text: str) -> str:
    """Map Arabic presentation forms (ligatures, positional shapes) back to plain letters."""
    # Their UTF-8 forms all start with byte EF; checking for it is far cheaper than a regex scan
    # (a megabyte at a time: a huge page is not copied whole to be looked at).
    step = 1 << 20
    pieces = (text[i:i + step] for i in range(0, len(text), step))
    if not any(b"\xef" in piece.encode("utf-8", "surrogatepass") for piece in pieces):
        return text
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
