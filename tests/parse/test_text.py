"""The crawler text-dump parser: the gold page, real golden pages, and each page structure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.parse.detatweel import TATWEEL, detatweel, unshape
from marsad.parse.text import parse_text

GOLDEN = Path(__file__).parent / "golden"


def test_gold_fixture(shared: Path) -> None:
    fixtures = shared / "fixtures"
    text = (fixtures / "aawsat-page-2025.txt").read_text("utf-8")
    gold = json.loads((fixtures / "aawsat-page-2025.gold.json").read_text("utf-8"))
    assert parse_text(text).to_dict() == gold


@pytest.mark.parametrize("page", sorted(GOLDEN.glob("*.txt")), ids=lambda p: p.stem)
def test_golden_pages(page: Path) -> None:
    expected = json.loads(page.with_suffix(".json").read_text("utf-8"))
    assert parse_text(page.read_text("utf-8")).to_dict() == expected


NEWS = """\
الحكومة تعلن خطة جديدة للنقل العام في العاصمة

خطة تشمل الحافلات والقطارات

حافلة في وسط المدينة (واس)
حافلة في وسط المدينة (واس)
TT

الحكومة تعلن خطة جديدة للنقل العام في العاصمة

حافلة في وسط المدينة (واس)
حافلة في وسط المدينة (واس)

الرياض: «الشرق الأوسط» أعلنت الحكومة أمس خطة جديدة للنقل العام تشمل الحافلات والقطارات في العاصمة.

وقال الوزير إن الخطة تبدأ العام المقبل.

محطة القطار الجديدة (غيتي)

وأضاف أن الكلفة تبلغ مليار ريال.

مقالات ذات صلة

صحتك طبيب يفحص مريضاً (رويترز)

دراسة جديدة عن النوم

قال باحثون إن النوم المبكر يحسن الذاكرة.

«الشرق الأوسط» (لندن)
صحتك مختبر في جامعة (أ.ف.ب)

علاج جديد للسكري

أعلنت شركة عن علاج جديد.

«الشرق الأوسط» (باريس)
"""


def test_news_page_structure() -> None:
    (article,) = parse_text(NEWS).articles
    assert article.headline == "الحكومة تعلن خطة جديدة للنقل العام في العاصمة"
    assert article.deck == "خطة تشمل الحافلات والقطارات"
    assert article.dateline == "الرياض: «الشرق الأوسط»"
    assert article.paragraphs[0].startswith("أعلنت الحكومة أمس")
    assert len(article.paragraphs) == 3
    lead, photo = article.images
    assert (lead.caption, lead.credit, lead.agency) == ("حافلة في وسط المدينة", "واس", "other")
    assert lead.lead
    assert (photo.agency, photo.after_paragraph) == ("getty", 2)
    # "صحتك" is a known section; the shared first word would find it anyway.
    assert [(r.section, r.headline, r.image_agency, r.dateline) for r in article.related] == [
        ("صحتك", "دراسة جديدة عن النوم", "reuters", "لندن"),
        ("صحتك", "علاج جديد للسكري", "afp", "باريس"),
    ]


def test_unknown_section_found_from_shared_first_word() -> None:
    page = NEWS.replace("صحتك ", "منوعاتنا ")
    related = parse_text(page).articles[0].related
    assert [r.section for r in related] == ["منوعاتنا", "منوعاتنا"]
    assert related[0].image_caption == "طبيب يفحص مريضاً"


ARCHIVE = """\
وزراء الخارجية العرب يجتمعون في القاهرة

اجتماع طارئ لبحث الأوضاع في المنطقة
TT

القاهرة: «الشرق الأوسط»

يعقد وزراء الخارجية العرب اجتماعاً طارئاً اليوم في مقر الجامعة العربية لبحث تطورات الأوضاع في المنطقة.
"""


def test_archive_page_with_dateline_line() -> None:
    (article,) = parse_text(ARCHIVE).articles
    assert (article.headline, article.deck) == ("وزراء الخارجية العرب يجتمعون في القاهرة",
                                               "اجتماع طارئ لبحث الأوضاع في المنطقة")
    assert article.dateline == "القاهرة: «الشرق الأوسط»"
    assert article.paragraphs[0].startswith("يعقد وزراء")


def test_listing_title_printed_twice() -> None:
    page = "عنوان المقال الأول\nعنوان المقال الأول\nاستمع إلى المقالة\nجملة تشويقية عن المقال.\nكاتب معروف\n"
    (teaser,) = parse_text(page).teasers
    assert (teaser.headline, teaser.teaser, teaser.author) == (
        "عنوان المقال الأول", "جملة تشويقية عن المقال.", "كاتب معروف")


@pytest.mark.parametrize("text", ["", "   \n\n", "Hello world.\nThis page is in English only.", "TT\n"])
def test_no_news_gives_an_empty_page(text: str) -> None:
    page = parse_text(text)
    assert page.articles == [] and page.teasers == []


def test_crlf_and_invisible_characters_do_not_matter(shared: Path) -> None:
    text = (shared / "fixtures" / "aawsat-page-2025.txt").read_text("utf-8")
    noisy = "\ufeff" + text.replace("\n", "\r\n").replace("بوتين", "بو\u200cتين")
    assert parse_text(noisy).to_dict() == parse_text(text).to_dict()


def test_detatweel_examples() -> None:
    assert detatweel("اســـــتـــــأنـــــف العمل") == "استأنف العمل"
    # Kept as printed: a prefix before a quote or a number, a lone dash, one stretch in a name.
    for kept in ("بـ«نية إيجابية»", "الـ17", "جدة ـ الرياض", "محمـد"):
        assert detatweel(kept) == kept


def test_unshape_presentation_forms() -> None:
    assert unshape("ﺣﻨﲔ ﻓﻲ ﻫﻮﻧﻎ ﻛﻮﻧﻎ") == "حنين في هونغ كونغ"


_arabic = st.text(alphabet=st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + TATWEEL + " \n«»"), max_size=60)
_any = st.one_of(_arabic, st.text(max_size=60))


@given(_any)
def test_detatweel_is_idempotent(text: str) -> None:
    once = detatweel(text)
    assert detatweel(once) == once


@given(_any)
def test_detatweel_never_lengthens_and_only_drops_tatweel(text: str) -> None:
    out = detatweel(text)
    assert len(out) <= len(text)
    assert out.replace(TATWEEL, "") == text.replace(TATWEEL, "")


@given(st.text(alphabet=st.characters(max_codepoint=0x5ff)))
def test_detatweel_keeps_non_arabic_text(text: str) -> None:
    assert detatweel(text) == text


def test_opinion_with_title_above_the_writer() -> None:
    page = ("عن الصبر والانتظار\nكاتب معروف\nكاتب وصحافي عمل في صحف عدة ويكتب في الشؤون العربية.\nTT\n"
            "عن الصبر والانتظار\nاستمع إلى المقالة\nالفقرة الأولى من المقال تتحدث عن الصبر.\n")
    (article,) = parse_text(page).articles
    assert (article.kind, article.author, article.deck) == ("opinion", "كاتب معروف", None)
    assert article.paragraphs == ["الفقرة الأولى من المقال تتحدث عن الصبر."]


def test_page_chrome_after_the_related_box_is_not_an_item() -> None:
    related = parse_text(NEWS + "الأكثر قراءة\nخبر آخر لا صلة له\n").articles[0].related
    assert len(related) == 2


@pytest.mark.parametrize(("opening", "dateline"), [
    ("لندن - «الشرق الأوسط»: قال مسؤول إن المحادثات مستمرة.", "لندن - «الشرق الأوسط»"),
    ("واشنطن: علي بردى عواصم: «الشرق الأوسط»", "واشنطن: علي بردى عواصم: «الشرق الأوسط»"),
    ("وقال الوزير: «نحن هنا» وأضاف أن المحادثات مستمرة.", None),
    ("لندن: قال مسؤول إن المحادثات مستمرة.", "لندن"),
    ("بيروت - قال مسؤول إن المحادثات مستمرة.", "بيروت"),
    ("القاهرة: محمد نبيل حلمي", "القاهرة: محمد نبيل حلمي"),
    ("ترمب: المحادثات مستمرة وستنتهي قريباً.", None),  # a speaker, not a place
])
def test_datelines(opening: str, dateline: str | None) -> None:
    page = f"عنوان الخبر\nTT\nعنوان الخبر\n{opening}\nفقرة ثانية من الخبر.\n"
    assert parse_text(page).articles[0].dateline == dateline


def test_body_caption_with_an_unknown_credit() -> None:
    page = ("عنوان الخبر\nTT\nعنوان الخبر\nالفقرة الأولى من الخبر.\nالرئيس خلال الاجتماع (الرئاسة المصرية)\n"
            "وعقد الاجتماع في ديسمبر (كانون الأول)\n")
    article = parse_text(page).articles[0]
    images = [(i.credit, i.agency, i.after_paragraph) for i in article.images]
    assert images == [("الرئاسة المصرية", "other", 1)]
    assert article.paragraphs[-1] == "وعقد الاجتماع في ديسمبر (كانون الأول)"


def test_page_chrome_after_the_last_body_is_dropped(shared: Path) -> None:
    text = (shared / "fixtures" / "aawsat-page-2025.txt").read_text("utf-8")
    gold = json.loads((shared / "fixtures" / "aawsat-page-2025.gold.json").read_text("utf-8"))
    assert parse_text(text + "\nروسيا\nآسيا الوسطى\nالأكثر قراءة\n").to_dict() == gold


def test_teasers_after_a_column_are_not_its_paragraphs() -> None:
    page = ("كاتب معروف\nTT\nعن الصبر والانتظار\nاستمع إلى المقالة\n"
            "الفقرة الأولى من المقال تتحدث عن الصبر والانتظار في زمن السرعة والعجلة والقلق.\n"
            "مقال آخر للكاتب\nاستمع إلى المقالة\nجملة تشويقية عن المقال الآخر.\nكاتب معروف\n")
    parsed = parse_text(page)
    assert [a.paragraphs for a in parsed.articles] == [
        ["الفقرة الأولى من المقال تتحدث عن الصبر والانتظار في زمن السرعة والعجلة والقلق."]]
    assert [(t.headline, t.author) for t in parsed.teasers] == [("مقال آخر للكاتب", "كاتب معروف")]


def test_print_body_opening_unstretched_invents_no_headline() -> None:
    page = ("issue18060\nفي تلك السنوات، كـــانـــت الـــمـــديـــنـــة تـــنـــام بـــاكـــراً "
            "ولا يــســمــع فــيــهــا بـعـد الـعـاشـرة إلا صــوت الـــريـــاح.\n")
    (article,) = parse_text(page).articles
    assert article.headline == ""
    assert article.paragraphs[0].startswith("في تلك السنوات، كانت المدينة")


def test_untitled_layout_article_with_subheadings_is_not_a_writer_page() -> None:
    body = "أعلنت الحكومة اليوم خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف طويل أضر بالمحاصيل."
    page = f"دعم المزارعين\n{body}\n{body}\nقروض ميسرة\n{body}\n{body}\n"
    parsed = parse_text(page)
    assert parsed.teasers == []
    assert [a.headline for a in parsed.articles] == ["دعم المزارعين"]


def test_archive_caption_printed_under_the_logo_is_the_lead() -> None:
    page = ("محكمة تقضي بسجن مسؤول سابق خمس سنوات\nإدانة بتهم فساد في صفقات حكومية\nTT\n"
            "المتهم خلال جلسة المحاكمة أمس (رويترز)\n"
            "قضت محكمة الجنايات أمس بسجن مسؤول سابق خمس سنوات بعد إدانته بتهم فساد.\n")
    (article,) = parse_text(page).articles
    assert (article.deck, article.kind) == ("إدانة بتهم فساد في صفقات حكومية", "news")
    images = [(i.caption, i.credit, i.lead) for i in article.images]
    assert images == [("المتهم خلال جلسة المحاكمة أمس", "رويترز", True)]
    assert article.paragraphs[0].startswith("قضت محكمة")


def test_section_label_headline_and_byline_over_a_body_is_an_article() -> None:
    body = "أعلنت الحكومة اليوم خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف طويل أضر بالمحاصيل."
    page = (f"محليات\n\nخطة حكومية جديدة لدعم المزارعين في الريف\n\nالمثال ـ متابعات\n\n{body}\n\n{body}\n\n"
            "سعيد علي\n\nاترك تعليقاً\n")
    parsed = parse_text(page)
    assert parsed.teasers == []
    assert [(a.headline, a.author) for a in parsed.articles] == [
        ("خطة حكومية جديدة لدعم المزارعين في الريف", "المثال ـ متابعات")]


_TEASER = "تتغير المدن ببطء، لكن بيروت تغيرت خلال سنوات قليلة أكثر مما تغيرت في قرن كامل."


@pytest.mark.parametrize("opening", [
    "ليلى حداد\nكاتبة لبنانية\nبيروت التي نعرفها\n",  # the name once, over a short bio
    "ليلى حداد\nبيروت التي نعرفها\nبيروت التي نعرفها\nاستمع إلى المقالة\n",  # no bio: the first headline
])
def test_writer_page_openings(opening: str) -> None:
    teasers = parse_text(f"{opening}{_TEASER}\nعن المقاهي القديمة\n{_TEASER}\n").teasers
    assert [(t.headline, t.author) for t in teasers] == [("بيروت التي نعرفها", "ليلى حداد"),
                                                         ("عن المقاهي القديمة", "ليلى حداد")]


def test_archive_opinion_listing_cut_after_its_first_item() -> None:
    page = ("الـــرأي    \nسلمان الخالدي\nانتخابات بلا برامج\n"
            "تدخل البلاد موسماً انتخابياً جديداً، والمرشحون يملأون الشوارع بصورهم وشعاراتهم ...\nنادية الحسن\n")
    parsed = parse_text(page)
    assert parsed.articles == []
    assert [(t.headline, t.author) for t in parsed.teasers] == [("انتخابات بلا برامج", "سلمان الخالدي")]


def test_the_word_issue_in_a_headline_is_not_print_furniture() -> None:
    body = "قالت وزارة الصحة اليوم إن العدد الإجمالي للمصابين بالمرض ارتفع إلى ثلاثمائة شخص خلال أسبوع واحد."
    for headline in ("ارتفع العدد الإجمالي للمصابين في المدينة", "العدد 300 مصاب في المدينة خلال أسبوع"):
        (article,) = parse_text(f"{headline}\n{body}\n").articles
        assert (article.headline, article.paragraphs) == (headline, [body])


def test_news_deck_closed_by_a_full_stop() -> None:
    headline, deck = "الحكومة تعلن خطة للنقل العام", "خطة تشمل الحافلات والقطارات."
    body = "أعلنت الحكومة أمس خطة."
    caption = "حافلة في وسط المدينة (واس)"
    page = f"{headline}\n{deck}\n{caption}\n{caption}\nTT\n{headline}\n{body}\n"
    (article,) = parse_text(page).articles
    assert (article.headline, article.deck, article.paragraphs) == (headline, deck, [body])
    assert article.images[0].credit == "واس"
