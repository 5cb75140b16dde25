"""A huge page is decoded, cleaned and split into lines a piece at a time: the result is the very one
the whole-page passes give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.arabic.hygiene import clean_text
from marsad.parse import encoding
from marsad.parse import text as text_parser
from marsad.parse.detatweel import unshape

# Line ends of every kind, spaces, invisible controls, presentation forms and combining marks: what
# the passes change, and what a cut between two pieces could split.
ALPHABET = st.sampled_from(list("ab بت\n\r\t\u00a0\u200b\u2028\ufefb\ufe8d\u0651\u064e\u0301e\x85"))
TEXTS = st.text(ALPHABET, max_size=60)


@given(TEXTS, st.integers(1, 8))
def test_cleaning_in_pieces_is_cleaning_whole(text, piece):
    kept, text_parser._PIECE = text_parser._PIECE, piece
    try:
        assert text_parser._hygiene(text) == unshape(clean_text(text))
    finally:
        text_parser._PIECE = kept


@given(TEXTS)
def test_lines_are_the_stripped_non_empty_lines(text):
    assert text_parser._lines(text) == [s for s in (line.strip() for line in text.split("\n")) if s]


@given(st.binary(max_size=40) | TEXTS.map(lambda t: t.encode("utf-8")), st.integers(1, 4))
def test_decoding_in_pieces_is_decoding_whole(data, step):
    def outcome(decode) -> str:
        try:
            return decode()
        except UnicodeDecodeError:
            return "refused"

    assert outcome(lambda: encoding._utf8(data, step=step)) == outcome(lambda: data.decode("utf-8"))
