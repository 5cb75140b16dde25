"""The light language detector, and pages in another language kept with their language marked."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.archive.sqlite import migrations
from marsad.model import Article
from marsad.parse import parse_bytes
from marsad.parse.language import detect_language, script_shares


@pytest.mark.parametrize(("text", "language"), [
    ("قال الوزير إن الخطة ستبدأ في العام المقبل بعد موافقة البرلمان", "ar"),
    ("وزير الخارجية: «We will not accept this» في مؤتمر صحافي في لندن أمس", "ar"),  # an English quote
    ("The minister said on Monday that the plan would start next year.", "en"),
    ("Le ministre a annoncé lundi que le plan commencera l'année prochaine.", "fr"),
    ("El ministro dijo que el plan comenzará el próximo año con los fondos del gobierno.", "es"),
    ("Der Minister sagte, dass der Plan im nächsten Jahr beginnt und nicht verschoben wird.", "de"),
    ("وزیر گفت که این طرح از سال آینده آغاز می شود", "fa"),
    ("Министр сказал, что план начнется в следующем году.", "ru"),
    ("Xyzzy Plugh", "und"),
    ("2024 - 15", None),
])
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@given(st.text(max_size=200))
def test_detector_takes_any_text(text: str) -> None:
    language = detect_language(text)
    assert language is None or (language.isalpha() and language.islower())
    assert abs(sum(script_shares(text).values()) - 1) < 1e-9 or not script_shares(text)


def test_foreign_record_is_kept_with_its_language() -> None:
    record = {"id": "p1", "title": "إيما جولدمان",
              "text": "My Disillusionment in Russia. Garden City, New York: Doubleday, Page and Co., 1923."}
    (article,) = parse_bytes(json.dumps(record, ensure_ascii=False).encode()).articles
    assert article.language == "en"
    arabic = parse_bytes(json.dumps({"title": "خبر", "text": "قال الوزير إن الخطة ستبدأ قريباً."},
                                    ensure_ascii=False).encode()).articles[0]
    assert arabic.language is None  # Arabic, as the archive expects, is left unmarked


def test_language_is_stored_in_its_column(tmp_path: Path) -> None:
    with open_archive(tmp_path / "a.db") as arc:
        arc.put([Article(headline="Weather", paragraphs=["It will rain."], language="en"),
                 Article(headline="طقس", paragraphs=["تمطر غداً."])])
        rows = sorted(arc.backend.conn.execute("SELECT headline, language FROM articles"), key=str)
    assert rows == [("Weather", "en"), ("طقس", "ar")]


def test_language_migration_fills_stored_articles(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    before = [m for m in migrations.MIGRATIONS if m[0] != "archive-0003-language"]
    migrations.apply(conn, before)
    conn.execute("INSERT INTO articles(id, headline, data, content_hash, ingested_at) "
                 "VALUES ('a', 'x', '{\"language\": \"fr\"}', 'h', 't')")
    assert migrations.apply(conn, migrations.MIGRATIONS) == ["archive-0003-language"]
    assert conn.execute("SELECT language FROM articles").fetchall() == [("fr",)]


def test_arabic_article_opening_with_english_lines_stays_arabic() -> None:
    english = "Six pilgrims die from heatstroke in Mecca as temperatures rise sharply this week\n" * 4
    arabic = "توفي ستة أشخاص بسبب ضربات الشمس خلال موسم الحج في مكة المكرمة وسط تحذيرات.\n" * 12
    page = json.dumps({"text": f"ضحايا ضربات الشمس في الحج\n{english}{arabic}"}, ensure_ascii=False)
    assert [a.language for a in parse_bytes(page.encode()).articles] == [None]
