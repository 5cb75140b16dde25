from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich import enrich_article
from marsad.enrich.canonical import resolve
from marsad.enrich.quotes import find_quotes
from marsad.model import EntityMention


def _quotes(article, tagger) -> list[tuple[str | None, str | None, str]]:
    enriched = enrich_article(article, tagger)
    return [(q.speaker, q.canonical, q.text) for q in enriched.quotes]


def test_said_then_added_keeps_the_last_speaker(aawsat, tagger):
    quotes = _quotes(aawsat[0], tagger)
    peskov = [(s, c) for s, c, t in quotes if t.startswith(("الرئيس علييف هنأ", "المحادثة كانت"))]
    assert peskov == [("بيسكوف", "دميتري بيسكوف"), ("بيسكوف", "دميتري بيسكوف")]
    putin = [c for _, c, t in quotes if t in ("تتطور بشكل إيجابي على جميع المحاور", "حليفان موثوقان")]
    assert putin == ["فلاديمير بوتين", "فلاديمير بوتين"]
    # ولفت إلى أن «…»: no name after the verb, so the last speaker named (بوتين) goes on.
    assert [c for _, c, t in quotes if t.startswith("القضايا الأكثر")] == ["فلاديمير بوتين"]


def test_a_title_resolves_to_the_person_it_introduced(aawsat, tagger):
    quotes = _quotes(aawsat[0], tagger)
    assert [(s, c) for s, c, t in quotes if t.startswith("الشريك الأساسي")] == [
        ("الرئيس الطاجيكي", "إمام علي رحمون")]


def test_colon_quotes_across_paragraphs(aawsat, tagger):
    quotes = _quotes(aawsat[1], tagger)
    assert [c for _, c, _ in quotes] == ["لي جاي ميونغ"] * 5
    assert quotes[0][2].startswith("أشعر بأن علي أن أعتذر")
    assert quotes[1][2].startswith("أخشى أنه إذا فعلت ذلك")
    hong_kong = _quotes(aawsat[3], tagger)
    assert [c for _, c, _ in hong_kong] == ["جون لي", "جون لي"]  # وقال جون لي … : «…» then وأضاف: «…»


def test_quoted_names_are_not_speech(aawsat, tagger):
    texts = {t for a in aawsat for _, _, t in _quotes(a, tagger)}
    for name in ("روسيا - آسيا الوسطى", "تاس", "العالم التركي", "رابطة الدول المستقلة+",
                 "وكالة الصحافة الفرنسية", "إم في ماجيك سيز", "إيترنيتي سي", "لجنة مستقلة",
                 "سبوتنيك أذربيجان"):
        assert name not in texts


def test_quote_after_its_verb_and_straight_quotes():
    text = '"لن نتراجع عن هذا القرار"، قال سامي الخطيب للصحافيين.'
    start = text.index("سامي")
    ents = [EntityMention("سامي الخطيب", "PERS", start, start + 11, 0, "سامي الخطيب")]
    got = [(q.text, q.canonical) for q in find_quotes([text], ents)]
    assert got == [("لن نتراجع عن هذا القرار", "سامي الخطيب")]


def test_without_a_tagger_the_name_after_the_verb_is_the_speaker():
    text = "وقال بيسكوف رداً على سؤال إن «العلاقات تتطور بشكل جيد»."
    assert [(q.speaker, q.canonical) for q in find_quotes([text], [])] == [("بيسكوف", "دميتري بيسكوف")]


def test_no_speech_verb_no_quote():
    assert find_quotes(["ونجا التسعة بعد غرق سفينة «إيترنيتي سي» التي ترفع العلم الليبيري"], []) == []


_QUOTE_CHARS = list("قال بيسكوف:«»\"“”وأضافإن. ،")


@given(st.lists(st.text(alphabet=st.sampled_from(_QUOTE_CHARS), max_size=60), max_size=4))
def test_never_raises(paragraphs):
    for q in find_quotes(paragraphs, []):
        assert 0 <= q.paragraph < len(paragraphs)
        assert q.text in paragraphs[q.paragraph]


def test_unknown_subjects_have_no_canonical_and_pronouns_no_speaker():
    text = "وقال البعض إن «الوضع لن يتغير قريباً في المنطقة»."
    assert [(q.speaker, q.canonical) for q in find_quotes([text], [])] == [("البعض", None)]
    text = "وقال لي إن «الوضع لن يتغير قريباً في المنطقة»."
    assert [(q.speaker, q.canonical) for q in find_quotes([text], [])] == [(None, None)]


def test_a_title_resolves_from_the_text_when_the_tagger_missed_the_name():
    paragraphs = ["أجرى بوتين محادثات مع نظيره الطاجيكي إمام علي رحمون.",
                  "وأعرب الرئيس الطاجيكي عن ارتياحه، مشدداً على أن روسيا «الشريك الأساسي والاقتصادي الرئيسي»."]
    assert [(q.speaker, q.canonical) for q in find_quotes(paragraphs, [])] == [
        ("الرئيس الطاجيكي", "إمام علي رحمون")]


@pytest.mark.parametrize(("paragraphs", "speaker"), [
    # Words after the verb that are no subject: an adverb, an addressee, the outlet spoken to.
    (["وقال بيسكوف إن «العلاقات تتطور بشكل جيد».", "وكان يقول مازحاً: «لن نغادر قبل الفجر أبداً»."], "بيسكوف"),
    (["وقال بيسكوف إن «العلاقات تتطور بشكل جيد».", "وقالت لأحفادها: «لن نغادر قبل الفجر أبداً»."], "بيسكوف"),
    (["وقال ترامب لصحفيين: «أنا حقا عند نقطة حيث نقترب جدا»."], "ترامب"),
    (["وقال مسؤول أوروبي، طلب عدم ذكر اسمه، لوكالة فرانس برس، إن التقدم «غير متوقع أبداً»."], "مسؤول أوروبي"),
])
def test_the_subject_search_stops_at_words_that_are_no_speaker(paragraphs, speaker):
    assert [q.speaker for q in find_quotes(paragraphs, [])][-1] == speaker


def _paragraph_quotes(text: str, tagger) -> list[tuple[str | None, str]]:
    entities = resolve([(0, s, e, kind, surface) for s, e, kind, surface in tagger(text)])
    return [(q.canonical or q.speaker, q.text) for q in find_quotes([text], entities)]


@pytest.mark.parametrize(("text", "expected"), [
    # The label is the describer's words: the body the sentence is about, the name before the verb, or
    # the subject after it; a previous speaker does not take it.
    ("قال بيسكوف إن «الأمر مهم جداً». وبعد إعلان السلطات الروسية عن تفكيك ما وصفته بأنه «تكتل إجرامي "
     "من أصول أذرية» اعتقلت باكو موظفين.",
     [("دميتري بيسكوف", "الأمر مهم جداً"), ("السلطات الروسية", "تكتل إجرامي من أصول أذرية")]),
    ("قال بيسكوف إن «الأمر مهم جداً». واستنكر علييف ما وصفه بـ«الهجوم البشع على الأبرياء».",
     [("دميتري بيسكوف", "الأمر مهم جداً"), ("إلهام علييف", "الهجوم البشع على الأبرياء")]),
    ("انتقد الكرملين ما وصفته موسكو بأنه «تدخل سافر في الشؤون».", [("موسكو", "تدخل سافر في الشؤون")]),
    # No one behind the label: no quote.
    ("قال بيسكوف إن «الأمر مهم جداً». وطالبت الدول بالتحقيق فيما وصف بـ«المجزرة الكبرى في المدينة».",
     [("دميتري بيسكوف", "الأمر مهم جداً")]),
])
def test_a_label_is_quoted_from_whoever_described(tagger, text, expected):
    assert _paragraph_quotes(text, tagger) == expected


def test_the_name_a_label_refers_to_is_not_its_describer(tagger):
    text = "وقال بيسكوف إن العلاقات تحسنت في عهد علييف، الذي وصفه بأنه «صديق جيد يتكلم لغتي»."
    assert _paragraph_quotes(text, tagger) == [("دميتري بيسكوف", "صديق جيد يتكلم لغتي")]


def test_a_quote_whose_closing_mark_is_lost_ends_with_its_sentence(aawsat, tagger):
    # واصفا شمال شرق آسيا بأنها "منطقة شديدة الخطورة من حيث الأمن العسكرير.وتصاعد …: no closing mark.
    lost = ("ميونغ", "لي جاي ميونغ", "منطقة شديدة الخطورة من حيث الأمن العسكرير")
    assert _quotes(aawsat[1], tagger)[-1] == lost
    # A mark left over but after no speech word is no quote: لإذاعة "مونت كارلو الدولية إن …
    assert _paragraph_quotes('وقال المحلل لإذاعة "مونت كارلو الدولية إن المرشح منافس مهم.', tagger) == []


def test_a_name_before_its_verb_and_a_channel_after_it(tagger):
    text = "قال بيسكوف إن «الأمر مهم جداً». إلا أن علييف قال: «الأمر ليس كذلك أبداً»."
    assert _paragraph_quotes(text, tagger)[1] == ("إلهام علييف", "الأمر ليس كذلك أبداً")
    text = "قال بيسكوف إن «الأمر مهم جداً». وقال لبي بي سي: «أتمنى أن ألتقي الرئيس قريباً»."
    assert _paragraph_quotes(text, tagger)[1] == ("دميتري بيسكوف", "أتمنى أن ألتقي الرئيس قريباً")


def test_the_words_between_two_unpaired_marks_are_no_quote(tagger):
    text = ('وشدد بيسكوف بالقول "يمكن أن تكون المنطقة قبلة للاستثمار "الذكي"، على حد تعبيره، '
            'مضيفا "أن الوقت حان".')
    quotes = [t for _, t in _paragraph_quotes(text, tagger)]
    assert quotes[0] == "يمكن أن تكون المنطقة قبلة للاستثمار"
    assert not any(t.startswith("،") for t in quotes)
