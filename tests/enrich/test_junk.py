"""Issue 17: no junk entities, one entity per person, the right type (enrichment of one article).

A stand-in tagger tags the given (type, text) pairs wherever they are printed, so that each test
states what the tagger said and checks what enrichment keeps of it."""

from __future__ import annotations

import re

import pytest

from marsad.enrich import enrich_article
from marsad.enrich.junk import is_junk
from marsad.model import Article


def tagger_of(*tagged: tuple[str, str]):
    def tag(text: str) -> list[tuple[int, int, str, str]]:
        found: list[tuple[int, int, str, str]] = []
        for kind, name in tagged:  # as a tagger: no two spans overlap, the first listed wins
            found += [(m.start(), m.end(), kind, name) for m in re.finditer(re.escape(name), text)
                      if not any(s < m.end() and m.start() < e for s, e, _, _ in found)]
        return sorted(found)
    return tag


def entities(text: str, *tagged: tuple[str, str], published: str = "2018-05-01") -> list[tuple[str, str]]:
    article = Article(headline="", paragraphs=[text], published=published)
    return [(e.canonical, e.type) for e in enrich_article(article, tagger_of(*tagged)).entities]


@pytest.mark.parametrize("name", [
    "نيسان", "كانون الثاني", "تشرين الأول", "أيار", "يناير", "جانفي", "أفريل", "جويلية", "يوليوز", "شتنبر",
    "غشت", "رمضان", "ذو الحجة", "جمادى الأولى", "الجمعة", "يوم الاثنين", "25 يناير", "الريال السعودي",
    "اليورو", "الدولار", "الدينار", "ريالات", "كيلومتر", "برميل", "الميليشيات", "ميليشيات", "القوات",
    "الحكومة", "العاصمة", "الله", "بسم الله الرحمن الرحيم", "المحيط", "المشهد", "الشيعة",
    # common terms of science, health, technology and public life, glued و or ل aside
    "الكربون", "الإنفلونزا", "سيلفي", "للرادار", "والفيتو", "سلم ريشتر",
])
def test_months_days_money_units_nouns_and_formulae_are_no_entities(name):
    assert is_junk(name)


@pytest.mark.parametrize("name", [
    "ريال مدريد", "ثورة 25 يناير", "حزب الله", "رام الله", "عبد الله", "مشهد", "الأهلي", "أيلول الأسود",
    "جمهورية الكونغو", "الاتحاد الأوروبي",
])
def test_names_holding_such_words_stay(name):
    assert not is_junk(name)


def test_junk_is_dropped_from_an_article_and_names_around_it_stay():
    text = ("قالت الميليشيات في العاصمة يوم الجمعة إن الله معها، وتراجع الريال الإيراني في نيسان، "
            "وأكد حزب الله ذلك.")
    tagged = [("MISC", "الميليشيات"), ("LOC", "العاصمة"), ("ORG", "الجمعة"), ("MISC", "الله"),
              ("ORG", "الريال الإيراني"), ("ORG", "نيسان"), ("ORG", "حزب الله")]
    assert entities(text, *tagged) == [("حزب الله", "ORG")]


def test_a_month_in_a_date_goes_and_a_company_of_that_name_stays():
    assert entities("وقعت الاتفاقية في 12 نيسان 2018.", ("ORG", "نيسان")) == []
    assert entities("أعلنت نيسان عن سيارة جديدة.", ("ORG", "نيسان")) == [("نيسان", "ORG")]


def test_the_riyal_is_real_madrid_only_where_the_article_speaks_of_football():
    assert entities("فاز الريال على برشلونة في المباراة.", ("ORG", "الريال"), ("ORG", "برشلونة")) == [
        ("ريال مدريد", "ORG"), ("برشلونة", "ORG")]
    assert entities("هبط الريال إلى أدنى مستوى أمام العملات.", ("ORG", "الريال")) == []


def test_a_hashtag_fragment_is_no_entity_of_its_own():
    text = "قال الرئيس الأميركي دونالد #ترمب إن القمة ستعقد."
    assert entities(text, ("PERS", "دونالد")) == [("دونالد ترمب", "PERS")]
    assert entities("التقى #كيم_جونغ_أون بالوفد.", ("PERS", "كيم")) == [("كيم جونغ أون", "PERS")]


def test_punctuation_never_stays_in_a_canonical_name():
    got = entities("أعلن وزير الخارجية (مايك) بومبيو أمس.", ("PERS", "مايك) بومبيو"))
    assert got == [("مايك بومبيو", "PERS")]
    got = entities("قال الرئيس (دونالد) ترامب ذلك.", ("PERS", "دونالد"))
    assert got == [("دونالد ترمب", "PERS")]
    assert entities("اشترتها شركة أمازون. وقال", ("ORG", "أمازون.")) == [("أمازون", "ORG")]
    assert entities("قالت وكالة سانا إن", ("PERS", "سانا")) == [("الوكالة العربية السورية للأنباء", "ORG")]


def test_a_first_name_or_surname_alone_is_the_person_named_in_full():
    text = "التقى كيم جونغ أون بالوفد. وقال كيم إنه مستعد. وقال أون ذلك."
    got = entities(text, ("PERS", "كيم جونغ أون"), ("PERS", "كيم"), ("PERS", "أون"))
    assert {c for c, _ in got} == {"كيم جونغ أون"}


def test_transliteration_variants_of_a_known_name_are_one_entity():
    text = "قالت أنغيلا ميركل إن انجيلا ميركل وكيم يونغ أون وكيم جونغ أون."
    tagged = [("PERS", "أنغيلا ميركل"), ("PERS", "انجيلا ميركل"), ("PERS", "كيم يونغ أون"),
              ("PERS", "كيم جونغ أون")]
    assert {c for c, _ in entities(text, *tagged)} == {"أنجيلا ميركل", "كيم جونغ أون"}


def test_titles_alone_make_no_entity():
    text = "قال ولي العهد إن الأمير والرئيس اتفقا."
    assert entities(text, ("PERS", "ولي العهد"), ("PERS", "الأمير"), ("PERS", "الرئيس")) == []


def test_known_names_keep_their_type_and_events_are_misc():
    assert entities("قال إن بريكست سيؤثر.", ("PERS", "بريكست")) == [("بريكست", "MISC")]
    assert entities("زار ماكرون فرنسا.", ("ORG", "ماكرون"), ("PERS", "فرنسا")) == [
        ("إيمانويل ماكرون", "PERS"), ("فرنسا", "LOC")]
    assert entities("بدأت عملية غصن الزيتون.", ("PERS", "عملية غصن الزيتون")) == [
        ("عملية غصن الزيتون", "MISC")]


def test_page_noise_of_the_issue_is_gone():
    """The Asharq Al-Awsat and Assabah pages: «المحيط», «حليفان موثوقان», «البشير ام», «المشهد»,
    «وبن علي», «ناتنياهو»."""
    assert entities("عبروا المحيط وقالوا إنهما حليفان موثوقان.", ("LOC", "المحيط"),
                    ("MISC", "حليفان موثوقان")) == []
    text = "هل يبقى البشير ام يرحل؟ وتغير المشهد في تونس وبن علي ورحب ناتنياهو بذلك."
    tagged = [("PERS", "البشير ام"), ("LOC", "المشهد"), ("PERS", "وبن علي"), ("MISC", "ناتنياهو")]
    assert entities(text, *tagged) == [("البشير", "PERS"), ("تونس", "LOC"), ("بن علي", "PERS"),
                                       ("بنيامين نتنياهو", "PERS")]


def test_glued_nouns_initials_and_leading_particles_are_no_names():
    assert is_junk("لميليشيات") and is_junk("وللحكومة") and is_junk("سي.")
    assert not is_junk("بلجيكا")
    assert entities("وقال المدرب فإن نيمار جاهز.", ("PERS", "فإن نيمار")) == [("نيمار", "PERS")]
    assert entities("غنت أم كلثوم.", ("PERS", "أم كلثوم")) == [("أم كلثوم", "PERS")]


def test_one_word_of_a_body_named_in_full_is_that_body():
    text = "فاز بايرن ميونيخ على مانشستر يونايتد. وقال مدرب بايرن إن يونايتد قوي."
    tagged = [("ORG", "بايرن ميونيخ"), ("ORG", "مانشستر يونايتد"), ("ORG", "بايرن"), ("ORG", "يونايتد")]
    assert {c for c, _ in entities(text, *tagged)} == {"بايرن ميونيخ", "مانشستر يونايتد"}


def test_maghrebi_forms_of_the_held_out_radio():
    """The euro as Tunisian news prints it is money; the station's name keeps its FM (أف أم)."""
    assert is_junk("أورو")
    assert entities("قال لإذاعة الجوهرة أف أم إن ...", ("ORG", "الجوهرة أف أم")) == [("الجوهرة أف أم", "ORG")]


def test_the_end_of_a_body_named_in_full_is_that_body():
    text = "فاز باريس سان جرمان على موناكو. وقال مدرب سان جرمان إن الفريق جاهز."
    tagged = [("ORG", "باريس سان جرمان"), ("ORG", "موناكو"), ("ORG", "سان جرمان")]
    assert {c for c, _ in entities(text, *tagged)} == {"باريس سان جرمان", "موناكو"}


def test_a_lone_letter_and_a_clitic_on_a_name_particle():
    assert is_junk("س") and not is_junk("مي")
    text = "وقع الحادث ببن عروس صباح اليوم."
    assert entities(text, ("LOC", "ببن عروس")) == [("بن عروس", "LOC")]


def test_the_end_of_a_body_named_in_full_is_that_body_when_called_a_place():
    text = "فاز باريس سان جرمان على موناكو. وقال مدرب سان جرمان إن الفريق جاهز."
    tagged = [("ORG", "باريس سان جرمان"), ("ORG", "موناكو"), ("LOC", "سان جرمان")]
    assert set(entities(text, *tagged)) == {("باريس سان جرمان", "ORG"), ("موناكو", "ORG")}


def test_a_one_word_name_the_tagger_doubts_and_the_article_prints_untagged_is_dropped():
    from marsad.enrich.junk import drop_unsure
    from marsad.model import EntityMention

    text = "وقف على الباب ثم على الرصيف ثم على الدرج، وقال كرملينوف إن كرملينوف باق."
    on = text.index("على")
    doubted = EntityMention("على", "PERS", on, on + 3, 0, "على", score=0.3)
    sure = [EntityMention("كرملينوف", "PERS", i, i + 8, 0, "كرملينوف", score=s)
            for i, s in ((text.index("كرملينوف"), 0.3), (text.rindex("كرملينوف"), 0.95))]
    listed = EntityMention("موسكو", "LOC", 0, 5, 1, "موسكو", score=0.3)
    kept = drop_unsure([doubted, *sure, listed], [text, "موسكو موسكو موسكو"])
    assert [m.text for m in kept] == ["كرملينوف", "كرملينوف", "موسكو"]
