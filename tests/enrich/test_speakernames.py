"""Speakers whose names the tagger cut short or missed (marsad.enrich.speakernames), through find_quotes
with hand-made tagger output, so that the rules are tested apart from the trained model."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich.quotes import find_quotes
from marsad.enrich.speakernames import complete_names, given_names, untagged_name
from marsad.model import EntityMention


def _mention(paragraphs: list[str], name: str, kind: str = "PERS", paragraph: int = -1) -> EntityMention:
    p = paragraph if paragraph >= 0 else next(i for i, t in enumerate(paragraphs) if name in t)
    start = paragraphs[p].index(name)
    return EntityMention(name, kind, start, start + len(name), p, name)


def _speakers(paragraphs: list[str], entities: list[EntityMention]) -> list[str | None]:
    return [q.speaker for q in find_quotes(paragraphs, entities)]


def test_a_name_cut_after_given_names_goes_on():
    text = ("ونقلت المتحدثة باسم رئيس المفوضية الأوروبية جان كلود يونكر عنه قوله أمام صحافيين إن "
            "\"الاتحاد الأوروبي يعد إجراءات مضادة لرسوم الاستيراد\".")
    assert _speakers([text], [_mention([text], "جان كلود")]) == ["جان كلود يونكر"]


def test_a_name_goes_on_over_a_word_the_article_names_people_with():
    paragraphs = ["وقال الخلفي في اللقاء الصحفي إن الحكومة ماضية في الحوار.",
                  "وأكد مصطفى الخلفي أن \"الحق في الاحتجاج مكفول لكن في إطار القانون\"."]
    entities = [_mention(paragraphs, "الخلفي", paragraph=0), _mention(paragraphs, "مصطفى", paragraph=1)]
    assert _speakers(paragraphs, entities) == ["مصطفى الخلفي"]


def test_kinship_words_never_lengthen_a_name():
    text = "وكتبت كلارا ابنة موندونيكو عبر فيسبوك \"وداعا أبي.. كنت قدوتنا ومصدر قوتنا\"."
    assert _speakers([text], [_mention([text], "كلارا")]) == ["كلارا"]


def test_a_name_the_tagger_found_elsewhere_is_the_subject_between_an_and_the_verb():
    paragraphs = ["نالت الموهبة إعجاب المدربين الأربعة عاصي وأحلام وإليسا وحماقي.",
                  "ورغم محاولة باقي المدربين، إلا أن إليسا قالت \"خلاص شيماء بما أنه عطاها خاتم\"."]
    entities = [_mention(paragraphs, "وإليسا وحماقي")]
    assert _speakers(paragraphs, entities) == ["إليسا"]


def test_a_definite_noun_phrase_between_an_and_the_verb_is_its_subject():
    text = "ويذكر أن القيادة العامة للجيش السوري قالت في بيان أنها \"تصدت منظومات دفاعنا الجوي للعدوان\"."
    assert _speakers([text], []) == ["القيادة العامة للجيش السوري"]


def test_a_long_title_leads_to_the_person_who_holds_it():
    text = ("وأكد رئيس عمليات حرس الحدود اليمني وقائد \"لواء الحسم\" في الجيش الوطني العميد هادي حمران "
            "الجعيدي في تصريح أن \"قوات الجيش تمكنت من السيطرة على جبال الكاب\".")
    assert _speakers([text], [_mention([text], "هادي حمران الجعيدي")]) == ["هادي حمران الجعيدي"]


def test_an_untagged_name_after_a_comma_ends_a_title():
    text = ("وقال وزير الدولة لشؤون النازحين والنائب عن تيار المستقبل، الذي يرأسه الحريري، معين المرعبي "
            "لوكالة الأنباء الفرنسية \"هذه المرحلة من الضبابية والغموض أصبحت وراءنا\".")
    entities = [_mention([text], "تيار المستقبل", "ORG"), _mention([text], "الحريري")]
    assert _speakers([text], entities) == ["معين المرعبي"]


def test_a_prepositions_object_after_the_verb_is_no_speaker():
    paragraphs = ["وكتب بوغبا في الرسالة: \"ذكرى ميلاد أبي\"، وتابع بالعربية المكتوبة: \"الله يرحمه\".",
                  "وقال في تدوينته: \"أبلغ من العمر الآن 25 عاما، وأنا سعيد للاحتفال\"."]
    assert _speakers(paragraphs, [_mention(paragraphs, "بوغبا")]) == ["بوغبا"] * 3


def test_a_body_name_goes_on_over_the_complement_of_its_last_noun():
    text = "وتحدث المرصد السوري لحقوق الإنسان عن \"استهداف طال مواقع تابعة لقوات النظام في دير العشائر\"."
    org = _mention([text], "المرصد السوري لحقوق", "ORG")
    assert [e.text for e in complete_names([org], [text])] == ["المرصد السوري لحقوق الإنسان"]
    assert _speakers([text], []) == ["المرصد السوري لحقوق الإنسان"]


def test_untagged_names_need_evidence():
    assert "محمد" in given_names() and "ابنة" not in given_names()
    assert untagged_name(["محمد", "وهبي"], {}) == "محمد وهبي"  # a given name opens it
    assert untagged_name(["القوات", "الأمنية"], {}) is None  # no evidence, and ال first
    assert untagged_name(["الذي", "قال"], {}) is None


_WORDS = st.sampled_from(["جان", "كلود", "يونكر", "قال", "إن", "في", "ابنة", "الخلفي", "مصطفى", "،", "."])


@given(st.lists(_WORDS, min_size=1, max_size=12), st.integers(0, 11), st.integers(1, 3))
def test_completed_names_only_grow_and_stay_on_the_text(words, first, size):
    text = " ".join(words)
    first = min(first, len(words) - 1)
    name = " ".join(words[first:first + size])
    start = len(" ".join(words[:first])) + (1 if first else 0)
    mention = EntityMention(name, "PERS", start, start + len(name), 0, name)
    (out,) = complete_names([mention], [text])
    assert out.start == mention.start and out.end >= mention.end
    assert out.text == text[out.start:out.end]
    assert "." not in out.text[len(name):] and "،" not in out.text[len(name):]
