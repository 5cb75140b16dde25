"""Text hygiene applied to every page before parsing.

Hygiene only removes what carries no content: invisible controls and
platform line endings. It never folds letters; that is search's job.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters: invisible, and they break matching and offsets.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u00ad]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u2000-\u2006\u2008-\u200a\u205f\u3000]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\u0085]")


def normalize_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text)


def drop_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def normalize_spaces(text: str) -> str:
    return _SPACES.sub(" ", text)


def clean_text(text: str) -> str:
    """NFC, LF line endings, plain spaces, no zero-width or bidi controls."""
    return unicodedata.normalize("NFC", normalize_spaces(drop_invisible(normalize_newlines(text))))
