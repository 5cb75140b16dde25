from hypothesis import given
from hypothesis import strategies as st

from marsad.arabic.tokenize import (
    TOKEN_TEXT_NO_UNDERSCORE_RE,
    TOKEN_TEXT_RE,
    normalize_number,
    split_clitics,
    tokenize,
)


def test_tokens_with_offsets_and_kinds():
    text = "ارتفع المؤشر 22.6% في 2025، وبلغ 1,500 نقطة حسب Reuters و COVID19."
    toks = tokenize(text)
    assert [t.text for t in toks] == ["ارتفع", "المؤشر", "22.6", "في", "2025", "وبلغ", "1,500", "نقطة",
                                      "حسب", "Reuters", "و", "COVID19"]
    assert all(text[t.start:t.end] == t.text for t in toks)
    kinds = {t.text: t.kind for t in toks}
    assert kinds["22.6"] == "number" and kinds["Reuters"] == "latin" and kinds["نقطة"] == "arabic"


def test_harakat_and_tatweel_stay_inside_words():
    assert [t.text for t in tokenize("مُحَمَّدٌ جـــميل")] == ["مُحَمَّدٌ", "جـــميل"]


def test_arabic_indic_numbers():
    assert [t.text for t in tokenize("عام ٢٠٢٥ بنسبة ٢٢٫٦")] == ["عام", "٢٠٢٥", "بنسبة", "٢٢٫٦"]
    assert normalize_number("1,500") == "1500"
    assert normalize_number("22.6") == "22.6"
    assert normalize_number("22,6") == "22.6"


def test_clitics():
    assert split_clitics("والاتحاد") == ("وال", "اتحاد")
    assert split_clitics("للاتحاد") == ("لل", "اتحاد")
    assert split_clitics("بالكرملين") == ("بال", "كرملين")
    assert split_clitics("فالامر") == ("فال", "امر")
    assert split_clitics("كالعاده") == ("كال", "عاده")
    assert split_clitics("وقال") == ("و", "قال")
    # Too short to hold a clitic, or a letter of the word itself.
    assert split_clitics("ولد") == ("", "ولد")
    assert split_clitics("بلاد") == ("", "بلاد")
    assert split_clitics("الي") == ("", "الي")


@given(st.text(max_size=60))
def test_offsets_always_point_at_the_token(text):
    for t in tokenize(text):
        assert text[t.start:t.end] == t.text and t.text


# Letters, hamza forms, tatweel, harakat and other marks, both kinds of digits and separators, Latin.
_MIXED = st.text(st.sampled_from("ابتة أإآؤئءىيـ\u064b\u064e\u0650\u0651\u0670\u0610١٢٫٬0129.,، -\nAbZéß%«»"),
                 max_size=60)


@given(_MIXED)
def test_the_faster_tokens_of_a_text_without_underscore_are_the_same(text):
    assert TOKEN_TEXT_NO_UNDERSCORE_RE.findall(text) == TOKEN_TEXT_RE.findall(text)
