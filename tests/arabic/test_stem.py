import pytest

from marsad.arabic.normalize import normalize_for_matching
from marsad.arabic.stem import light_stem, snowball_stem, stemmer, stopwords, unify_spelling


def _light(text):
    return [light_stem(w) for w in normalize_for_matching(text).split()]


def test_light_stem_matches_lucene_on_its_example():
    # Lucene's Arabic analyzer gives: علاق كرمل اوكرانيا سيعيد امور مسار صحيح
    words = _light("والعلاقات بالكرملين أوكرانيا وسيُعيد الأمور مسارها الصحيح")
    assert words == ["علاق", "كرمل", "اوكرانيا", "سيعيد", "امور", "مسار", "صحيح"]


def test_forms_of_one_word_share_a_stem():
    assert len(set(_light("الاتحاد والاتحاد للاتحاد بالاتحاد"))) == 1
    assert len(set(_light("الأوروبي الأوربي الاوروبية"))) == 1


def test_spelling_variants_but_not_lookalikes():
    assert unify_spelling("ترمب") == "ترامب"
    assert unify_spelling("اوربيه") == "اوروبيه"
    assert unify_spelling("اوربان") == "اوربان"  # Orbán is not Europe


def test_stopwords_are_normalized():
    sw = stopwords()
    assert {"في", "الي", "التي", "متي"} <= sw
    assert "اتحاد" not in sw


def test_stemmer_by_name():
    assert stemmer("none")("والكتاب") == "والكتاب"
    assert stemmer("clitics")("والكتاب") == "كتاب"
    assert stemmer("snowball") is snowball_stem
    with pytest.raises(ValueError):
        stemmer("porter")
