from hypothesis import given
from hypothesis import strategies as st

from marsad.arabic.normalize import (
    dediac_ar,
    lowercase_latin,
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_digits,
    normalize_for_matching,
    normalize_hamza_ar,
    normalize_presentation_forms,
    normalize_punctuation_ar,
    normalize_teh_marbuta_ar,
    remove_tatweel_ar,
)

# Arabic block, Arabic-Indic/Persian digits, Latin, punctuation and spaces; no presentation forms
# (U+FB50–U+FDFF and U+FE70–U+FEFF), whose ligatures stand for several letters.
_NOT_PRESENTATION = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Z", "S")).filter(
    lambda c: not ("\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff"))
TEXT = st.text(_NOT_PRESENTATION, max_size=80) \
    | st.text(st.sampled_from(list("أإآٱاىيةهؤئوـًٌٍَُِّْٰ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹،؛؟٪٫ AbcÉİ")), max_size=40)
PRESENTATION = st.text(st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFE), max_size=20)


def test_each_operation():
    assert normalize_alef_ar("أحمد إلى آخر ٱلله") == "احمد الى اخر الله"
    assert normalize_alef_maksura_ar("مصطفى") == "مصطفي"
    assert normalize_teh_marbuta_ar("مدرسة") == "مدرسه"
    assert normalize_hamza_ar("مؤتمر رئيس") == "موتمر رييس"
    assert remove_tatweel_ar("جـــميل") == "جميل"
    assert dediac_ar("مُحَمَّدٌ") == "محمد"
    assert normalize_digits("٢٠٢٥ و۱۴۰۳") == "2025 و1403"
    assert normalize_punctuation_ar("نعم، لا؛ لماذا؟ ٥٪") == "نعم, لا; لماذا? ٥%"
    assert lowercase_latin("NATO Élysée") == "nato élysée"
    assert normalize_presentation_forms("ﻻ ﷲ") == "لا الله"


def test_matching_spellings_meet():
    forms = ["الاتحاد الأوروبي", "الإتحاد الأوروبى", "الاتحاد الاوروبي", "الاتـحـاد الأُوروبِي"]
    assert len({normalize_for_matching(f) for f in forms}) == 1
    assert normalize_for_matching("مدرسة", teh_marbuta=False) == "مدرسة"
    assert normalize_for_matching("مؤتمر", hamza=False) == "مؤتمر"


@given(TEXT)
def test_idempotent(text):
    once = normalize_for_matching(text)
    assert normalize_for_matching(once) == once


@given(PRESENTATION)
def test_idempotent_on_presentation_forms(text):
    once = normalize_for_matching(text)
    assert normalize_for_matching(once) == once


@given(TEXT)
def test_never_longer(text):
    # Presentation forms are the one exception: a ligature stands for several letters.
    assert len(normalize_for_matching(text)) <= len(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_digits_fold(n):
    arabic = str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    persian = str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert normalize_for_matching(arabic) == normalize_for_matching(persian) == str(n)
