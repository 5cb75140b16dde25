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
# A word of Arabic letters with tatweel between letters; harakat may follow letters.
_WORD = re.compile(f"[{_LETTER}][{_LETTER}\u064b-\u0652\u0670{TATWEEL}]*[{_LETTER}\u064b-\u0652\u0670]")
_MEDIAL = re.compile(f"(?<=[{_LETTER}\u064b-\u0652\u0670]){TATWEEL}+(?=[{_LETTER}])")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]+")


def _despace(m: re.Match[str]) -> str:
    word = m.group()
    runs = _MEDIAL.findall(word)
    # One short stretch inside a word (محمـد) may be deliberate; two or more, or a long run, is spacing.
    if len(runs) >= 2 or any(len(r) >= 2 for r in runs):
        return _MEDIAL.sub("", word)
    return word


def detatweel(text: str) -> str:
    """Drop tatweel used as letter-spacing inside words; keep ``بـ«``, ``الـ17`` and lone dashes."""
    if TATWEEL not in text:
        return text
    return _WORD.sub(_despace, text)


def unshape(text: str) -> str:
    """Map Arabic presentation forms (ligatures, positional shapes) back to plain letters."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
