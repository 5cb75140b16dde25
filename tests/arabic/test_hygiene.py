"""Text hygiene: NFC, LF, plain spaces, no invisible controls, and never a lost content character."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from marsad.arabic.hygiene import clean_text

# What an Arabic news page is made of: letters, harakat, tatweel, both digit sets, Arabic and Latin
# punctuation, quotes, Latin letters (names, agencies), and the invisible or platform characters that
# hygiene must remove or normalize.
ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B)] + ["\u0671", "\u067e", "\u0686", "\u06a4", "\u06af"]
HARAKAT = [chr(c) for c in range(0x064B, 0x0653)]
ARABIC_DIGITS = [chr(c) for c in range(0x0660, 0x066A)] + [chr(c) for c in range(0x06F0, 0x06FA)]
PUNCTUATION = list("،؛؟٪«»\"'()[].,:;!?-–—/ـ") + ["\u066b", "\u066c"]
CONTENT = ARABIC_LETTERS + HARAKAT + ARABIC_DIGITS + PUNCTUATION + list("abcXYZ0123456789 \n")
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c", "\u00ad",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
PLATFORM = ["\r\n", "\r", "\u2028", "\u2029", "\u0085", "\u00a0", "\u202f", "\u2007", "\u3000"]

page_text = st.lists(st.sampled_from(CONTENT + INVISIBLE + PLATFORM), max_size=200).map("".join)
any_text = st.text(max_size=200)


def _content(text: str) -> list[str]:
    """The content characters of a text, in order (NFC, since hygiene may compose letters). Invisible
    characters go first: once they are gone, NFC may reorder the harakat they stood between."""
    for ch in INVISIBLE:
        text = text.replace(ch, "")
    keep = set(CONTENT) - {" ", "\n"}
    return [c for c in unicodedata.normalize("NFC", text) if c in keep or unicodedata.category(c) == "Lo"]


def test_harakat_an_invisible_character_parted_keep_their_content():
    text = "\u064c\u200b\u064b"
    assert _content(clean_text(text)) == _content(text)


@given(page_text)
def test_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@given(any_text)
def test_idempotent_on_any_text(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@given(page_text)
def test_never_drops_letters_digits_or_punctuation(text: str) -> None:
    assert _content(clean_text(text)) == _content(text)


@given(page_text)
def test_no_controls_left(text: str) -> None:
    cleaned = clean_text(text)
    assert not set(cleaned) & (set(INVISIBLE) | {"\r", "\u2028", "\u2029", "\u0085"})
    assert not set(cleaned) & {"\u00a0", "\u202f", "\u2007", "\u3000"}


@given(page_text)
def test_output_is_nfc(text: str) -> None:
    cleaned = clean_text(text)
    assert unicodedata.is_normalized("NFC", cleaned)


@given(page_text)
def test_line_count_is_kept(text: str) -> None:
    # CRLF and other line breaks become one LF each: paragraphs stay where they were.
    expected = text.replace("\r\n", "\n")
    for sep in ("\r", "\u2028", "\u2029", "\u0085"):
        expected = expected.replace(sep, "\n")
    assert clean_text(text).count("\n") == expected.count("\n")


def test_examples() -> None:
    assert clean_text("قال\u200f الوزير\u00a0إن\r\nالخطة") == "قال الوزير إن\nالخطة"
    assert clean_text("ا\u0653لاف") == "آلاف"  # NFC composes alef + madda
    assert clean_text("اســـــتـــــأنـــــف") == "اســـــتـــــأنـــــف"  # tatweel is content, as printed
