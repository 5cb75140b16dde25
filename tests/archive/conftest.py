"""Fixtures for the archive tests: a fresh archive and small made-up articles."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from marsad.archive.postgres.entities import SQLiteStyle
from marsad.model import Article, EntityMention, Image, RelatedItem


def make_article(i: int, **changes) -> Article:
    """A small complete article; ``i`` makes it distinct."""
    fields = dict(
        headline=f"الرئيس يزور المدينة رقم {i}",
        paragraphs=[f"قال الرئيس الروسي فلاديمير بوتين في اليوم {i} إن الزيارة مهمة.", "وأضاف: «نعم»."],
        deck="زيارة رسمية", author="مراسلنا", dateline="موسكو",
        images=[Image(caption="الرئيس في موسكو", credit="رويترز", agency="reuters", lead=True)],
        related=[RelatedItem(headline="خبر ذو صلة", section="سياسة", url=f"https://example.com/r/{i}")],
        id=f"art-{i}", url=f"https://example.com/a/{i}", outlet="Example", section="politics",
        published=f"2025-0{1 + i % 9}-1{i % 10}T10:00:00+00:00", source=f"pages/{i}.html",
    )
    fields.update(changes)
    return Article(**fields)


def putin(paragraph: int = 0, text: str = "فلاديمير بوتين") -> EntityMention:
    return EntityMention(text=text, type="PERS", start=18, end=18 + len(text), paragraph=paragraph,
                         canonical="فلاديمير بوتين")


def moscow() -> EntityMention:
    return EntityMention(text="موسكو", type="LOC", start=0, end=5, paragraph=1, canonical="موسكو")


@pytest.fixture
def arc(new_db, archive_backend):
    """A fresh archive, on each backend in turn."""
    with open_archive(new_db("test.db")) as archive:
        if archive_backend == "postgres":  # tests read tables through arc.backend.conn, as on SQLite
            with archive.backend.connection() as conn:
                archive.backend.conn = SQLiteStyle(conn)
                yield archive
        else:
            yield archive
