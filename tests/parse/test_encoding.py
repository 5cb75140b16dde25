"""Decoding: damaged UTF-8 stays UTF-8 (bad bytes replaced and reported), UTF-16 without a BOM is read."""

from __future__ import annotations

import pytest

from marsad.errors import InputError
from marsad.parse import parse_bytes
from marsad.parse.encoding import decode_counting, utf16_without_bom

ARABIC = "قال وزير الزراعة إن الخطة تشمل قروضا ميسرة وتوزيع البذور على أكثر من عشرة آلاف أسرة، فهل تنجح؟"
PARAGRAPHS = [ARABIC, "وأضاف الوزير أن التنفيذ يبدأ الشهر المقبل في ثلاث محافظات.", ARABIC]


def _page(meta: str = '<meta charset="utf-8">', encoding: str = "utf-8") -> bytes:
    body = "".join(f"<p>{t}</p>" for t in PARAGRAPHS)
    html = f"<html><head>{meta}<title>خبر</title></head><body><div>{body}</div></body></html>"
    return html.encode(encoding)


@pytest.mark.parametrize("meta", ['<meta charset="utf-8">', "", '<meta charset="windows-1256">'])
def test_one_invalid_byte_in_a_utf8_page_is_replaced_and_reported(meta):
    data = _page(meta)
    cut = data.index("وأضاف".encode())
    damaged = data[:cut] + b"\xff" + data[cut:]
    page = parse_bytes(damaged, "damaged.html")
    article = page.articles[0]
    assert article.paragraphs[0] == ARABIC and article.paragraphs[2] == ARABIC  # no mojibake
    assert article.paragraphs[1].startswith("\ufffdوأضاف")
    assert article.warnings == ["1 invalid byte sequence(s) replaced with U+FFFD"]


def test_a_few_broken_sequences_are_counted_and_a_printed_replacement_character_is_not():
    data = "نص \ufffd عربي".encode() * 50 + b"\xd8" + " نص".encode() + b"\xc0\xff"
    text, replaced = decode_counting(data)
    assert replaced == 3 and text.count("\ufffd") == 53


def test_valid_utf8_and_legacy_charsets_report_nothing():
    assert decode_counting(_page())[1] == 0
    text, replaced = decode_counting(_page("", "cp1256"))
    assert ARABIC in text and replaced == 0  # a whole windows-1256 page is not "damaged UTF-8"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("meta", ["", '<meta charset="utf-16">'])
def test_utf16_without_a_bom_is_read_from_its_byte_pattern(codec, meta):
    data = _page(meta, codec)
    assert utf16_without_bom(data) == codec
    page = parse_bytes(data, "page.html")
    assert page.articles[0].paragraphs == PARAGRAPHS and not page.articles[0].warnings


def test_a_utf16_text_dump_without_bom_is_read():
    text = "خطة لدعم المزارعين\n" + "\n".join(PARAGRAPHS * 2)
    assert parse_bytes(text.encode("utf-16-le"), "page.txt").articles


@pytest.mark.parametrize("data", [bytes(range(256)) * 20, b"\x00\x01\x02\x03" * 500,
                                  b"\x89PNG\r\n\x1a\n" + bytes(4000)], ids=["bytes", "pattern", "png"])
def test_binary_data_is_still_refused(data):
    with pytest.raises(InputError, match="binary"):
        parse_bytes(data, "x.bin")
    assert utf16_without_bom(data) is None
