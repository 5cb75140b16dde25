from __future__ import annotations

from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from marsad.model import Article
from marsad.relate.dedup import _PERMUTATIONS, _SCHEME, NUM_PERM, containment, group, is_copy, signature
from marsad.relate.features import make_doc
from marsad.relate.text import VOCABULARY, shingle_hashes, words

WEDDING_AFP = ["dev-068", "dev-070", "dev-071"]  # nidaalwatan, zahlepolitics, zahratalkhaleej


def test_afp_wedding_triangle_is_one_group(docs):
    assert group([docs[i] for i in WEDDING_AFP]) == [WEDDING_AFP]


def test_groups_close_transitively(docs):
    # The two outer copies are linked only through the middle one when the middle one comes last.
    a, b, c = (docs[i] for i in WEDDING_AFP)
    assert group([a, c, b]) == [WEDDING_AFP]
    assert group([a, docs["dev-066"]]) == []  # another outlet's own report of the wedding


def test_labelled_pairs(pairs):
    for p in pairs:
        a = make_doc(Article(headline="", paragraphs=p["a_text"].split("\n"), id=p["a_id"]))
        b = make_doc(Article(headline="", paragraphs=p["b_text"].split("\n"), id=p["b_id"]))
        expected = [sorted([p["a_id"], p["b_id"]])] if p["kind"] == "near-duplicate" else []
        assert group([a, b]) == expected, (p["kind"], p["a_id"], p["b_id"], p["overlap"])


def test_partial_syndication_is_a_copy(docs):
    # Ismailia: elbalad and masralyoum share a two-sentence lead, then diverge (overlap 0.36).
    c, shared = containment(docs["dev-110"].shingles, docs["dev-111"].shingles)
    assert 0.3 <= c < 0.5 and shared > 20
    assert is_copy(docs["dev-110"].shingles, docs["dev-111"].shingles)


def test_archive_groups(dev_arc):
    from marsad.relate import copies_of, duplicate_groups

    groups = duplicate_groups(dev_arc)
    assert WEDDING_AFP in groups
    assert ["dev-056", "dev-058"] in groups  # Erdoğan runoff, alwasatia ↔ baghdadtoday
    assert copies_of(dev_arc, "dev-070") == ["dev-068", "dev-071"]
    assert copies_of(dev_arc, "dev-001") == []


_VOCABULARY = ["الرئيس", "زار", "مدينة", "موسكو", "اليوم", "وقال", "إن", "الزيارة", "مهمة", "جدا",
               "للبلدين"]
_ARABIC_WORDS = st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=40)


@given(_ARABIC_WORDS)
def test_text_is_a_copy_of_itself(ws):
    hashes = shingle_hashes(words(" ".join(ws)))
    assert is_copy(hashes, hashes)


@given(_ARABIC_WORDS)
def test_shingles_ignore_diacritics_and_tatweel(ws):
    plain = " ".join(ws)
    marked = plain.replace("ا", "اَ").replace("ي", "ـي")
    assert (shingle_hashes(words(plain)) == shingle_hashes(words(marked))).all()


def test_signature_is_datasketchs_value_by_value(docs):
    shingles = docs["dev-068"].shingles
    mh = MinHash(num_perm=NUM_PERM, hashfunc=int, scheme=_SCHEME, permutations=_PERMUTATIONS)
    mh.update_batch(shingles.tolist())
    assert (signature(shingles) == mh.hashvalues).all()


@given(st.text(alphabet="ابتثجحخ ًٌٍَُِّـ،.ﷺﻻ\n", max_size=80))
def test_text_ids_split_as_words(text):
    assert VOCABULARY.text_ids(text).tolist() == VOCABULARY.lookup(words(text)).tolist()
