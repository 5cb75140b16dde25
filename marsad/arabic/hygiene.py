"""Text hygiene applied to every page before parsing.

Hygiene only removes what carries no content: invisible controls and
platform line endings. It never folds letters; that is search's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Zero-width and bidi control characters: invisible, and they break matching and offsets.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u00ad"
_SPACES = "\u00a0\u2007\u202f\u2000-\u2006\u2008-\u200a\u205f\u3000"
_NEWLINES = "\u2028\u2029\u0085"

_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_SPACES_RE = re.compile(f"[{_SPACES}]")
_NEWLINES_RE = re.compile(f"\r\n?|[{_NEWLINES}]")
# C0 controls but tab and line ends, DEL, the two noncharacters a misaligned UTF-16 decode makes and lone
# surrogates: never content, and markup parsers cannot hold them.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# Most pages need none of the three passes; one search tells.
_ANY_RE = re.compile(f"[\r{_INVISIBLE}{_SPACES}{_NEWLINES}]")


def clean_text(text: str) -> str:
    """NFC, LF line endings, plain spaces, no zero-width or bidi controls."""
    if _ANY_RE.search(text):
        text = _NEWLINES_RE.sub("\n", text)
        text = _INVISIBLE_RE.sub("", text)
        text = _SPACES_RE.sub(" ", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


CHUNK_CHARS = 1 << 16


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str] | Iterator[str]:
    """``text`` in pieces of at most about ``size`` characters, cut at spaces, so that work done per
    word (lists of words, of terms) holds one piece at a time however long the text. Any text
    processing that never joins what spaces part gives the same result piece by piece."""
    return [text] if len(text) <= size else _pieces(text, size)


def _pieces(text: str, size: int) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = start + size
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end  # one giant word: cut it
        yield text[start:end]
        start = end
