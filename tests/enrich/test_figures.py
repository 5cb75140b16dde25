from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich.figures import article_currencies, find_figures, parse_digits
from marsad.model import Article


def _figures(text: str) -> list[tuple]:
    return [(f.text, f.value, f.kind, f.unit, f.counted) for f in find_figures(text)]


@pytest.mark.parametrize(("needle", "expected"), [
    ("22.6 في المائة", ("22.6 في المائة", 22.6, "percent", "%", None)),
    ("1.5 مليار دولار", ("1.5 مليار دولار", 1.5e9, "money", "USD", None)),
    ("1.2 مليون طاجيكي", ("1.2 مليون طاجيكي", 1.2e6, "count", None, "طاجيكي")),
    ("سبعة مليارات دولار", ("سبعة مليارات دولار", 7e9, "money", "USD", None)),
    ("تسعة بحارة", ("تسعة بحارة", 9.0, "count", None, "بحارة")),
    ("14 شخصاً", ("14 شخصاً", 14.0, "count", None, "شخص")),
    ("151 شخصاً", ("151 شخصاً", 151.0, "count", None, "شخص")),
    ("30 في المائة", ("30 في المائة", 30.0, "percent", "%", None)),
    ("80 مليون نسمة", ("80 مليون نسمة", 8e7, "count", None, "نسمة")),
])
def test_page_figures(find_paragraph, needle, expected):
    _, i, paragraph = find_paragraph(needle)
    found = find_figures(paragraph, i)
    assert expected in [(f.text, f.value, f.kind, f.unit, f.counted) for f in found]
    for f in found:
        assert paragraph[f.start:f.end] == f.text and f.paragraph == i


def test_years_in_the_page_are_not_figures(find_paragraph):
    _, _, paragraph = find_paragraph("22.6 في المائة")
    assert all(f.value != 2024 for f in find_figures(paragraph))


@pytest.mark.parametrize(("text", "value", "kind", "unit"), [
    ("%30", 30.0, "percent", "%"),
    ("٪٢٢٫٦", 22.6, "percent", "%"),
    ("٢٢٫٦ في المئة", 22.6, "percent", "%"),
    ("15 بالمئة", 15.0, "percent", "%"),
    ("مليوني دولار", 2e6, "money", "USD"),
    ("ثلاثمائة وخمسون مليون دولار أميركي", 3.5e8, "money", "USD"),
    ("5 مليارات يورو", 5e9, "money", "EUR"),
    ("$1.5 مليار", 1.5e9, "money", "USD"),
    ("1,500 جنيه إسترليني", 1500.0, "money", "GBP"),
    ("ألفين ريال قطري", 2000.0, "money", "QAR"),
    ("عشرة آلاف درهم", 1e4, "money", "AED"),
    ("مائتي دينار أردني", 200.0, "money", "JOD"),
    ("مليار ليرة", 1e9, "money", "TRY"),
])
def test_percentages_and_money(text, value, kind, unit):
    assert [(f.value, f.kind, f.unit) for f in find_figures(text)] == [(value, kind, unit)]


@pytest.mark.parametrize(("text", "value", "counted"), [
    ("خمسة وعشرون ألف شخص", 25000.0, "شخص"),
    ("أحد عشر لاعباً", 11.0, "لاعب"),
    ("اثنا عشر رجلاً", 12.0, "رجل"),
    ("ثلاث سفن", 3.0, "سفن"),
    ("وتسعة بحارة", 9.0, "بحارة"),
    ("3000 شخص", 3000.0, "شخص"),
    ("1.2 مليون", 1.2e6, None),
])
def test_counts(text, value, counted):
    assert [(f.value, f.counted) for f in find_figures(text)] == [(value, counted)]


def test_clitic_stays_out_of_the_span():
    (f,) = find_figures("وتسعة بحارة")
    assert f.text == "تسعة بحارة" and f.start == 1


@pytest.mark.parametrize("text", ["عام 2024", "في 2025، وتحديد", "أحد المسؤولين", "في آن واحد",
                                  "تسعة من مواطنيها", "كازاخستان 2024", "الرقم 5",
                                  "كأس العالم 2018 لكرة القدم", "آلاف المحتجين", "مقعد واحد للفرد"])
def test_not_figures(text):
    assert find_figures(text) == []


def test_dates_passed_as_skip_spans_are_not_figures():
    assert find_figures("في 23 يوليو 2025 قتل 3 أشخاص", 0, [(3, 16)])[0].value == 3.0


@pytest.mark.parametrize(("digits", "value"), [("1.5", 1.5), ("1,500", 1500.0), ("٢٢٫٦", 22.6), ("1,5", 1.5),
                                               ("1,500,000", 1.5e6), ("١٬٢٠٠", 1200.0)])
def test_parse_digits(digits, value):
    assert parse_digits(digits) == value


_FIGURE_CHARS = list("0123456789٠١٫.,% مليوناردولفيائةسبعتحشخصًاوألفـ$٪")


@given(st.text(alphabet=st.sampled_from(_FIGURE_CHARS), max_size=60))
def test_never_raises_and_spans_index_the_text(text):
    for f in find_figures(text, 2):
        assert text[f.start:f.end] == f.text
        assert f.kind in ("percent", "money", "count") and f.paragraph == 2


@given(st.from_regex(r"\d{1,4}(?:[.,٫٬]\d{1,4}){0,4}", fullmatch=True))
def test_parse_digits_never_raises(digits):
    assert parse_digits(digits) >= 0


@pytest.mark.parametrize(("text", "expected"), [
    ("بين 600- 700 دولار أميركي", [("600", 600.0, "USD", None), ("700 دولار أميركي", 700.0, "USD", None)]),
    ("بين 17 و 21 درجة", [("17", 17.0, None, "درجة"), ("21 درجة", 21.0, None, "درجة")]),
    ("من 2 إلى 3 ملايين دولار", [("2", 2e6, "USD", None), ("3 ملايين دولار", 3e6, "USD", None)]),
    ("بنسب ما بين 10 و20 في المئة", [("10", 10.0, "%", None), ("20 في المئة", 20.0, "%", None)]),
    ("ب سبعة إلى 8%", [("سبعة", 7.0, "%", None), ("8%", 8.0, "%", None)]),
])
def test_ranges_give_both_ends_with_the_unit_of_the_second(text, expected):
    assert [(f.text, f.value, f.unit, f.counted) for f in find_figures(text)] == expected


@pytest.mark.parametrize("text", ["في الدقيقتين 11 و82 وأضاف", "فاز 3-1 على", "خسارة بنتيجة 2-3 بالدوري"])
def test_lists_and_scores_are_no_ranges(text):
    assert all(f.text not in ("11", "3", "2") for f in find_figures(text))


@pytest.mark.parametrize("text", ["عند الساعة 20:45 بتوقيت باريس", "في الدقيقة 17 عبر ريمي",
                                  "المصنف 53 عالميا", "بالفوز على إيران بأربعة لثلاثة",
                                  "والمغرب 48 والبحرين 56", "رئيس غينيا ألفا كوندي", "في المركز 453 عالميا"])
def test_times_ranks_and_labels_are_not_figures(text):
    assert find_figures(text) == []


@pytest.mark.parametrize(("text", "value", "unit", "counted"), [
    ("البالغ 13 مليونا حاليا", 1.3e7, None, None),  # after مليونا the counted noun is left out
    ("220 مليونا لشراء نيمار", 2.2e8, None, None),
    ("كفالة قدرها مليونا دولار", 2e6, "USD", None),  # the dual in construct: two million
    ("بنحو مليون شيكل", 1e6, "ILS", None),
    ("رقم 96 في المئة", 96.0, "%", None),  # a label word before a percentage does not matter
])
def test_scale_words_and_currencies(text, value, unit, counted):
    assert [(f.value, f.unit, f.counted) for f in find_figures(text)] == [(value, unit, counted)]


_UNITS = ["دولار", "في المائة", "شخص", "مليون دولار", "ألف يورو"]
_RANGES = ["من {a} إلى {b}", "بين {a} و{b}", "{a}- {b}", "{a} - {b}", "بين {a} و {b}"]


@given(st.integers(min_value=1, max_value=899), st.integers(min_value=1, max_value=99),
       st.sampled_from(_UNITS), st.sampled_from(_RANGES))
def test_a_range_has_two_ends_sharing_a_unit(a, width, unit, form):
    text = "ارتفع " + form.format(a=a, b=a + width) + f" {unit} هذا"
    found = find_figures(text)
    assert len(found) == 2 and found[0].value == pytest.approx(a * found[1].value / (a + width))
    assert found[0].unit == found[1].unit and found[0].kind == found[1].kind
    assert found[0].text == str(a) and all(text[f.start:f.end] == f.text for f in found)


def _units(paragraphs: list[str], **meta) -> list[str | None]:
    local = article_currencies(Article("", paragraphs, **meta))
    return [f.unit for i, p in enumerate(paragraphs) for f in find_figures(p, i, (), local)]


@pytest.mark.parametrize(("paragraphs", "meta", "units"), [
    (["غرامة قدرها 20 ألف دينار."], {}, ["DINAR"]),  # no country named: a dinar, no guess
    (["غرامة قدرها 20 ألف دينار."], {"outlet": "Jawhara FM"}, ["TND"]),
    (["غرامة قدرها 20 ألف دينار."], {"url": "https://www.example.com.tn/a/1"}, ["TND"]),
    (["غرامة قدرها 20 ألف دينار."], {"dateline": "عمّان - الأردن"}, ["JOD"]),
    (["قالت الحكومة الأردنية إن العجز بلغ 100 مليون دينار."], {"outlet": "Jawhara FM"}, ["JOD"]),
    (["مشروع بين الأردن والعراق بقيمة 100 مليون دينار."], {}, ["DINAR"]),  # two countries, a tie
    (["قررت الكويت رفع الرواتب.", "وبلغت الكلفة 300 مليون دينار."], {}, ["KWD"]),
    (["بلغ الدخل 100 دينار كويتي.", "ثم 50 دينارا."], {"outlet": "Jawhara FM"}, ["KWD", "KWD"]),
    (["أنفقت 16 مليون جنيه إسترليني، بمعدل 4000 جنيه يوميا."], {}, ["GBP", "GBP"]),
    (["انهيار الريال اليمني إلى 800 ريال للدولار."], {}, ["YER"]),
    (["بلغت الكلفة 30 مليون ريال."], {}, ["SAR"]),  # the word's usual country when none is named
])
def test_the_country_of_a_bare_currency_word_comes_from_its_article(paragraphs, meta, units):
    assert _units(paragraphs, **meta) == units


@pytest.mark.parametrize(("text", "expected"), [
    ("تراجع بنسبة 6ر0 بالمائة", ("6ر0 بالمائة", 0.6, "percent", "%", None)),
    ("لتصل إلى 9ر20567 مليون دينار", ("9ر20567 مليون دينار", 20567.9e6, "money", "DINAR", None)),
])
def test_decimals_printed_fraction_first(text, expected):
    assert _figures(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("بـ 04 مليون و254 ألف و367 دينار، إضافة", [("04 مليون و254 ألف و367 دينار", 4254367.0)]),
    ("بـ32 مليار و705 ملايين دينار أي", [("32 مليار و705 ملايين دينار", 32705e6)]),
    ("أكثر من مليون و700 الف دينار.", [("مليون و700 الف دينار", 1.7e6)]),
    ("1.5 مليون دولار و300 ألف يورو", [("1.5 مليون دولار", 1.5e6), ("300 ألف يورو", 3e5)]),
    ("قتل 3 ملايين و15 شخصا", [("3 ملايين", 3e6), ("15 شخصا", 15.0)]),  # not a part of the million
])
def test_parts_of_a_number_joined_by_and(text, expected):
    assert [(f.text, f.value) for f in find_figures(text)] == expected


@pytest.mark.parametrize("text", ["و68 تتعلق بالمترولوجيا", "القانون عدد 64 لسنة 1991", "بلغ 1 ليضمن التأهل"])
def test_a_verb_or_a_year_after_a_number_is_not_what_it_counts(text):
    assert _figures(text) == []


def test_a_year_before_an_amount_is_no_range():
    found = _figures("يتم النزول بميزانية 2016 الى 29 مليار دينار.")
    assert [(f[0], f[1]) for f in found] == [("29 مليار دينار", 29e9)]


@pytest.mark.parametrize(("text", "expected"), [
    ("(ما يعادل 39،7 مليون دينار)", [("39،7 مليون دينار", 39.7e6)]),  # the Arabic comma as decimal mark
    ("في ايران إلى 5،2 بالمائة نظرا", [("5،2 بالمائة", 5.2)]),
    ("بلغ سعرها 2،250 دينار", []),  # 2.250 (millimes) or 2,250: not said
    ("إلى 2،9 للجزائر", []),  # لل: a preposition and an article, never what is counted
])
def test_numbers_with_an_arabic_comma(text, expected):
    assert [(f.text, f.value) for f in find_figures(text)] == expected


def test_a_teen_number_with_a_glued_preposition():
    assert _figures("فاز بإحدى عشرة بطولة") == [("إحدى عشرة بطولة", 11.0, "count", None, "بطولة")]
    assert _figures("في أحد المستشفيات وبأحد الأحياء") == []


def test_sums_abbreviated_by_the_tunisian_news_agency():
    assert _units(["بلغ العجز 3970 م د.", "و50 أ د للبلدية."], outlet="Jawhara FM") == ["TND", "TND"]
    assert [(f.text, f.value) for f in find_figures("بعد أن بلغت 3ر747 م د، في افريل")] == [
        ("3ر747 م د", 747.3e6)]
    assert _figures("ركض 100 م في سباق") == []
