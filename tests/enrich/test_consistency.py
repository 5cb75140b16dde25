"""A tagged name carried to its other mentions nearby."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich.ner.consistency import spread
from marsad.enrich.ner.features import entities


def _split(text: str) -> list[str]:
    return text.split()


def test_a_later_mention_the_tagger_missed_gets_the_name_and_type():
    sents = [_split("قال بيسكوف إن اللقاء مهم"), _split("وأضاف بيسكوف أن الكرملين يرحب")]
    tags = [["O", "B-PERS", "O", "O", "O"], ["O"] * 5]
    assert spread(sents, tags)[1] == ["O", "B-PERS", "O", "O", "O"]


def test_a_person_named_in_full_is_found_by_surname():
    sents = [_split("التقى فلاديمير بوتين نظيره"), _split("وقال بوتين للصحافيين")]
    tags = [["O", "B-PERS", "I-PERS", "O"], ["O", "O", "O"]]
    assert spread(sents, tags)[1] == ["O", "B-PERS", "O"]


def test_the_word_after_a_name_particle_is_not_a_surname():
    sents = [_split("وصل عبد الله إلى عمان"), _split("الحمد الله على السلامة")]
    tags = [["O", "B-PERS", "I-PERS", "O", "B-LOC"], ["O"] * 4]
    assert spread(sents, tags)[1] == ["O"] * 4


def test_a_mention_cut_short_grows_to_the_name_found_nearby():
    sents = [_split("سجل عمرو شبانة هدفا"), _split("وكان عمرو شبانة قد")]
    tags = [["O", "B-PERS", "I-PERS", "O"], ["O", "B-PERS", "O", "O"]]
    assert spread(sents, tags)[1] == ["O", "B-PERS", "I-PERS", "O"]


def test_names_are_compared_folded():
    sents = [_split("قال أحمد الطيب"), _split("وأكد احمد الطيب")]
    tags = [["O", "B-PERS", "I-PERS"], ["O", "O", "O"]]
    assert spread(sents, tags)[1] == ["O", "B-PERS", "I-PERS"]


def test_a_missed_mention_takes_the_most_frequent_type_and_typed_ones_keep_theirs():
    sents = [_split("فاز الحسين"), _split("خسر الحسين"), _split("لعب الحسين"), _split("مدرب الحسين")]
    tags = [["O", "B-ORG"], ["O", "B-ORG"], ["O", "B-PERS"], ["O", "O"]]
    assert [t[1] for t in spread(sents, tags)] == ["B-ORG", "B-ORG", "B-PERS", "B-ORG"]


def test_a_function_word_or_a_sign_the_tagger_tagged_is_not_carried():
    sents = [_split("وصل إلى # عمان"), _split("عاد إلى # بيروت")]
    tags = [["O", "B-LOC", "B-LOC", "B-LOC"], ["O", "O", "O", "B-LOC"]]
    assert spread(sents, tags)[1] == ["O", "O", "O", "B-LOC"]


def test_a_name_stays_within_the_window():
    sents = [_split("زار ماكرون برلين"), *[_split("ثم عاد")] * 3, _split("وصرح ماكرون")]
    tags = [["O", "B-PERS", "B-LOC"], *[["O", "O"]] * 3, ["O", "O"]]
    assert spread(sents, tags, window=3)[4] == ["O", "O"]
    assert spread(sents, tags, window=4)[4] == ["O", "B-PERS"]


def test_a_crossing_mention_is_left_as_it_is():
    sents = [_split("وصل جو بايدن"), _split("جو بايدن جونيور")]
    tags = [["O", "B-PERS", "I-PERS"], ["O", "B-PERS", "I-PERS"]]
    assert spread(sents, tags)[1] == ["O", "B-PERS", "I-PERS"]


_WORDS = st.sampled_from(["بوتين", "موسكو", "عبد", "الله", "قال", "في", "الرئيس"])
_TAGS = st.sampled_from(["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "I-ORG"])


@st.composite
def _document(draw):
    sents = draw(st.lists(st.lists(_WORDS, min_size=1, max_size=8), min_size=1, max_size=6))
    return sents, [draw(st.lists(_TAGS, min_size=len(s), max_size=len(s))) for s in sents]


@given(_document())
def test_tagged_tokens_stay_tagged_and_the_output_is_valid_iob2(doc):
    sents, tags = doc
    out = spread(sents, tags)
    assert [len(t) for t in out] == [len(s) for s in sents]
    for before, after in zip(tags, out, strict=True):
        inside = {i for _, a, b in entities(before) for i in range(a, b)}
        assert all(after[i] != "O" for i in inside)
        for i, tag in enumerate(after):
            if tag.startswith("I-"):
                assert i > 0 and after[i - 1][2:] == tag[2:] and after[i - 1] != "O"


@given(st.lists(st.lists(_WORDS, min_size=1, max_size=8), max_size=6))
def test_nothing_tagged_gives_nothing(sents):
    assert spread(sents, [["O"] * len(s) for s in sents]) == [["O"] * len(s) for s in sents]
