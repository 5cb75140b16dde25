"""Fixtures of the enrichment tests: the example page as articles, and a fixed stand-in tagger.

The stand-in tagger finds a fixed list of names, so that canonical and quote tests do not depend
on the trained NER model (which has its own tests).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from marsad.model import Article
from marsad.parse import parse_text

# Publication dates of the four articles of the page (the summit opened on Thursday 9 October 2025).
PUBLISHED = ("2025-10-09", "2025-12-03", "2025-12-02", "2025-12-02")

NAMES = {
    "PERS": ["الرئيس الروسي فلاديمير بوتين", "بوتين", "إلهام علييف", "علييف", "إمام علي رحمون", "رحمون",
             "دميتري بيسكوف", "بيسكوف", "لي جاي ميونغ", "ميونغ", "جون لي", "يون سوك يول", "ساناي تاكايتشي",
             "أندريه سيبيها"],
    "LOC": ["روسيا", "لروسيا", "موسكو", "بموسكو", "وموسكو", "باكو", "وباكو", "طاجكستان", "طاجيكستان",
            "لطاجيكستان",
            "دوشانبي", "ودوشنبه", "دوشنباي", "كازاخستان", "أذربيجان", "هونغ كونغ", "لهونغ كونغ", "بهونغ كونغ",
            "الصين", "للصين", "اليابان", "واشنطن", "سيول", "طوكيو", "بكين", "تايوان", "صنعاء", "عُمان"],
    "ORG": ["الكرملين", "بالكرملين", "الحوثيون", "الحوثيين", "وكالة الصحافة الفرنسية", "تاس"],
}
_TYPE = {name: kind for kind, names in NAMES.items() for name in names}
_NAME = re.compile("|".join(sorted(map(re.escape, _TYPE), key=len, reverse=True)))


def gazetteer_tagger(text: str) -> list[tuple[int, int, str, str]]:
    """Whole-word matches of NAMES, longest first: (start, end, type, surface)."""
    out = []
    for m in _NAME.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if not before.isalpha() and not after.isalpha():
            out.append((m.start(), m.end(), _TYPE[m.group()], m.group()))
    return out


@pytest.fixture(scope="session")
def aawsat(shared) -> list[Article]:
    text = (shared / "fixtures" / "aawsat-page-2025.txt").read_text(encoding="utf-8")
    articles = parse_text(text).articles
    assert len(articles) == len(PUBLISHED)
    return [replace(a, published=p) for a, p in zip(articles, PUBLISHED, strict=True)]


@pytest.fixture(scope="session")
def tagger():
    return gazetteer_tagger


@pytest.fixture(scope="session")
def find_paragraph(aawsat):
    """(article, paragraph index, paragraph) of the first paragraph of the page containing a string."""
    def find(needle: str) -> tuple[Article, int, str]:
        for article in aawsat:
            for i, p in enumerate(article.paragraphs):
                if needle in p:
                    return article, i, p
        raise AssertionError(f"no paragraph contains {needle!r}")
    return find
