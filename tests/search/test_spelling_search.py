"""The issue's spelling defects, through an archive and ``search`` as the CLI calls it."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from marsad.model import Article
from marsad.search import search

TEXTS = {
    "syria-ya": "وصل وفد الأمم المتحدة إلى سوريا لبحث وقف إطلاق النار.",
    "syria-ta": "قالت الحكومة في سورية إن المفاوضات مستمرة.",
    "oman": "استقبلت سلطنة عمان وزير الخارجية في مسقط.",
    "uncle": "زار الطفل عمه في القرية، وقال إن عمها سافر.",
    "aunt": "اتصلت بعمة أبيها مساء الأمس.",
    "blind": "أصيب الرجل بالعمى بعد الحادث.",
    "uncle-only": "قال عم الرئيس إنه لم يسمع بالخبر.",
    "to-iran": "وجهت واشنطن تحذيرا لإيران بشأن الاتفاق.",
    "in-asia": "تعد الصين أكبر اقتصاد بآسيا في هذا القطاع.",
    "iran": "أعلنت إيران تجربة صاروخية جديدة.",
    "asia": "تنمو اقتصادات آسيا بسرعة هذا العام.",
    "eu-phrase": "عقد الاتحاد الأوروبي قمة في بروكسل.",
    "eu-apart": "الاتحاد الأفريقي يرد على البرلمان الأوروبي.",
    "eu-fem": "قررت دول الاتحاد الأوروبية المعنية ذلك.",
    "lebanon": "عاد رئيس الحكومة إلى لبنان أمس.",
    "milk": "ارتفع سعر اللبن في الأسواق.",
}


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    db = tmp_path_factory.mktemp("spelling") / "a.db"
    with open_archive(db) as arc:
        arc.put([Article(f"خبر {i}", [text], id=key) for i, (key, text) in enumerate(TEXTS.items())])
    with open_archive(db, readonly=True) as arc:
        yield arc


def found(arc, query: str) -> set[str]:
    return {h.id for h in search(arc, query, limit=100, fold=False).hits}


def test_syria_spellings_find_each_other(arc):
    assert found(arc, "سوريا") == found(arc, "سورية") == {"syria-ya", "syria-ta"}
    assert found(arc, "سوريا OR سورية") == {"syria-ya", "syria-ta"}


def test_oman_is_not_uncle_aunt_or_blindness(arc):
    assert found(arc, "عمان") == {"oman"}
    assert found(arc, '"عمان"') == {"oman"}
    assert "oman" not in found(arc, "عم")


def test_lebanon_is_not_milk(arc):
    assert found(arc, "لبنان") == {"lebanon"}
    assert found(arc, "اللبن") == {"milk"}


def test_preposition_before_hamza(arc):
    assert found(arc, "إيران") == {"iran", "to-iran"}
    assert found(arc, "لإيران") == {"iran", "to-iran"}
    assert found(arc, "آسيا") == {"asia", "in-asia"}


def test_quoted_phrase_is_exact(arc):
    assert {h.id for h in search(arc, '"الاتحاد الأوروبي"', mode="all").hits} == {"eu-phrase"}
    # Ranked (the default): the exact phrase comes first; articles with its words apart follow.
    assert [h.id for h in search(arc, '"الاتحاد الأوروبي"').hits][0] == "eu-phrase"
    assert {"eu-apart", "eu-fem"} <= found(arc, "الاتحاد الأوروبي")  # unquoted words may stand apart


def test_archive_indexed_by_the_old_analyzer_is_indexed_again(tmp_path):
    db = tmp_path / "old.db"
    with open_archive(db) as arc:
        arc.put([Article("خبر", ["تحذير لإيران"], id="to-iran")])
        # What the earlier analyzer stored for لإيران, and the migration not yet applied.
        conn = arc.backend.conn  # the SQLite backend's migration of its index
        conn.execute("UPDATE search_fts SET body_careful = 'تحذير لاير', body_clitics = 'تحذير لايران'")
        conn.execute("DELETE FROM migrations WHERE name = 'search-0002-reanalyze-names-hamza'")
        assert found(arc, "إيران") == set()
    with open_archive(db, readonly=True) as arc:  # opening applies the migration
        assert found(arc, "إيران") == {"to-iran"}
