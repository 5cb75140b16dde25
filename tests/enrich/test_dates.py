from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from marsad.enrich.dates import find_dates, hijri_to_gregorian
from marsad.enrich.lexicon import load


def _dates(text: str, published: str | None = "2025-10-09") -> list[tuple[str, str, bool]]:
    return [(d.text, d.iso, d.relative) for d in find_dates(text, 0, published)]


@pytest.mark.parametrize(("needle", "text", "iso", "relative"), [
    ("في ديسمبر (كانون الأول) 2024", "ديسمبر (كانون الأول) 2024", "2024-12", False),
    ("في يوليو (تموز) الماضي", "يوليو (تموز) الماضي", "2025-07", True),
    ("في أكتوبر (تشرين الأول) من العام الماضي", "أكتوبر (تشرين الأول) من العام الماضي", "2024-10", True),
    ("انطلقت الخميس", "الخميس", "2025-10-09", True),
    ("أكتوبر (تشرين الأول) 2023", "أكتوبر (تشرين الأول) 2023", "2023-10", False),
])
def test_page_dates(find_paragraph, needle, text, iso, relative):
    article, i, paragraph = find_paragraph(needle)
    found = {(d.text, d.iso, d.relative) for d in find_dates(paragraph, i, article.published)}
    assert (text, iso, relative) in found


def test_caption_date(shared):
    text = (shared / "fixtures" / "aawsat-page-2025.txt").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "23 يوليو 2025" in x)
    assert ("23 يوليو 2025", "2025-07-23", False) in _dates(line, None)


def test_today_with_weekday_is_the_publication_day(find_paragraph):
    article, i, paragraph = find_paragraph("اليوم (الأربعاء)")
    found = find_dates(paragraph, i, article.published)
    assert [(d.text, d.iso) for d in found] == [("اليوم (الأربعاء)", "2025-12-03")]
    assert paragraph[found[0].start:found[0].end] == "اليوم (الأربعاء)"


def test_bare_weekday_is_the_latest_such_day_on_or_before_publication():
    assert _dates("وصل الاثنين إلى", "2025-10-09") == [("الاثنين", "2025-10-06", True)]
    assert _dates("الخميس الماضي", "2025-10-09") == [("الخميس الماضي", "2025-10-02", True)]
    assert _dates("والجمعة المقبلة", "2025-10-09") == [("الجمعة المقبلة", "2025-10-10", True)]


# Published on Thursday 9 October 2025: the coming Sunday is the 12th, the last one the 5th.
@pytest.mark.parametrize(("text", "iso"), [
    ("سيزور الرئيس موسكو الأحد", "2025-10-12"),
    ("وسوف يصل الوفد إلى العاصمة الأحد", "2025-10-12"),
    ("يعقد المجلس اجتماعه الأحد في", "2025-10-12"),
    ("فيما تناقش قمة رؤساء دول الرابطة الأحد إنجازاتها", "2025-10-12"),
    ("ومن المقرر أن يصل الوفد الأحد", "2025-10-12"),
    ("ويلتقي الفريقان يوم الأحد", "2025-10-12"),
    ("يعقد المجلس اجتماعه الخميس", "2025-10-09"),  # the day of publication itself
    # Past: a past verb, كان/لم before the present, a clause of its own, or nothing at all.
    ("قال الوزير الأحد إن", "2025-10-05"),
    ("وكان من المقرر أن يبدأ المهرجان الأحد", "2025-10-05"),
    ("لم يعقد المجلس اجتماعه الأحد", "2025-10-05"),
    ("يحاكم الرجل الذي اعتقل الأحد", "2025-10-05"),
    ("يقول إنه وصل الأحد", "2025-10-05"),
    ("يعقد المجلس، الأحد، اجتماعه", "2025-10-05"),
    ("اعتقلت الشرطة رجلا يبلغ من العمر 21 عاما الأحد", "2025-10-05"),
    ("انطلقت الأحد", "2025-10-05"),
])
def test_a_bare_weekday_is_a_coming_day_when_its_clause_speaks_of_the_future(text, iso):
    assert [d[1] for d in _dates(text, "2025-10-09")] == [iso]


def test_a_weekday_before_the_day_of_the_month_is_left_to_the_date():
    assert _dates("إضراب يوم الخميس 23 فيفري 2017", "2017-02-14") == [("23 فيفري 2017", "2017-02-23", False)]
    assert _dates("قتل الجمعة 4 أشخاص", "2018-03-24") == [("الجمعة", "2018-03-23", True)]


def test_tomorrow_with_the_article_and_saturdays():
    assert _dates("بداية من الغد الثلاثاء", "2014-03-31") == [("الغد الثلاثاء", "2014-04-01", True)]
    assert _dates("تفتح المكاتب أيام السبت", "2016-11-20") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("نفذتها منظمة أيلول الأسود", []),
    ("أحداث أيلول الأسود عام 1970", [("عام 1970", "1970")]),
    ("بعد ثورة 25 يناير", []),
    ("ذكرى هجمات 11 سبتمبر", []),
    ("منذ حرب أكتوبر", []),
    ("نكسة حزيران", []),
    ("حرب أكتوبر 1973", [("أكتوبر 1973", "1973-10")]),
    ("في 25 يناير", [("25 يناير", "2026-01-25")]),
])
def test_events_named_after_a_month_are_no_dates(text, expected):
    assert [d[:2] for d in _dates(text)] == expected


@pytest.mark.parametrize(("text", "iso"), [
    ("في 5 غشت 2024", "2024-08-05"), ("3 جوان 2023", "2023-06-03"), ("12 يوليوز 2022", "2022-07-12"),
    ("1 يونيه 2021", "2021-06-01"), ("4 يوليه 2020", "2020-07-04"), ("10 كانون الثاني 2025", "2025-01-10"),
    ("7 تشرين الأول 2023", "2023-10-07"), ("٢٣ يوليو ٢٠٢٥", "2025-07-23"), ("10/12/2024", "2024-12-10"),
    ("2 شباط 2019", "2019-02-02"), ("أبريل 2020", "2020-04"), ("ابريل 2020", "2020-04"),
])
def test_month_names_of_every_region(text, iso):
    assert [d[1] for d in _dates(text, None)] == [iso]


def test_relative_words():
    assert _dates("أمس", "2025-10-09") == [("أمس", "2025-10-08", True)]
    assert _dates("أول أمس", "2025-10-09") == [("أول أمس", "2025-10-07", True)]
    assert _dates("العام الماضي", "2025-10-09") == [("العام الماضي", "2024", True)]
    assert _dates("الشهر المقبل", "2025-12-09") == [("الشهر المقبل", "2026-01", True)]
    assert _dates("هذا العام", "2025-12-09") == [("هذا العام", "2025", True)]


def test_relative_dates_need_a_publication_date():
    assert _dates("انطلقت الخميس أمس والعام الماضي", None) == []
    assert _dates("في 23 يوليو 2025", None) == [("23 يوليو 2025", "2025-07-23", False)]


def test_a_bare_month_is_the_nearest_one_to_publication():
    assert _dates("في ديسمبر (كانون الأول).", "2025-10-09") == [("ديسمبر (كانون الأول)", "2025-12", True)]
    assert _dates("في يوليو حداً", "2025-12-02") == [("يوليو", "2025-07", True)]


def test_ambiguous_month_words_need_a_day_year_or_gloss():
    assert _dates("مارس الرياضة", "2025-10-09") == []
    assert _dates("في 3 مارس 2024", None) == [("3 مارس 2024", "2024-03-03", False)]


def test_hijri_dates():
    found = find_dates("في 15 رمضان 1446 وفي 1446هـ", 0, None)
    assert [(d.text, d.iso, d.calendar) for d in found] == [
        ("15 رمضان 1446", "2025-03-15", "hijri"), ("1446هـ", "2025", "hijri")]


@pytest.mark.parametrize(("hijri", "gregorian"), [
    ((1446, 9, 1), date(2025, 3, 1)),  # Umm al-Qura: 1 Ramadan 1446 = 1 March 2025
    ((1445, 10, 1), date(2024, 4, 10)),  # Eid al-Fitr 1445 (Umm al-Qura: 10 April 2024)
    ((1, 1, 1), date(622, 7, 19)),  # the civil epoch (16 July 622 Julian)
])
def test_tabular_hijri_conversion(hijri, gregorian):
    assert abs((hijri_to_gregorian(*hijri) - gregorian).days) <= 1


def test_years_after_year_words():
    assert _dates("عام 2024", None) == [("عام 2024", "2024", False)]
    assert _dates("في 2025،", None) == [("2025", "2025", False)]


_DATE_CHARS = list("0123456789٠١٢ يوليو(تموز)الماضيأمسالخميسعام/هـ.،")


@given(st.text(alphabet=st.sampled_from(_DATE_CHARS), max_size=80))
def test_never_raises_and_spans_index_the_text(text):
    for d in find_dates(text, 3, "2025-10-09"):
        assert text[d.start:d.end] == d.text
        assert d.paragraph == 3
        assert len(d.iso) in (4, 7, 10)


@pytest.mark.parametrize("text", ["في أمس الحاجة إليه", "فيلم «غيت آوت»", "في الأمس القريب",
                                  "العام في المنطقة"])
def test_words_that_only_look_like_dates(text):
    assert _dates(text) == []


def test_day_before_yesterday_with_min():
    assert _dates("أول من أمس", "2025-10-09") == [("أول من أمس", "2025-10-07", True)]


@pytest.mark.parametrize(("text", "published", "expected"), [
    # A gloss after a slash or a space keeps its year or its الماضي/المقبل.
    ("و آب/اغسطس 2017 في", "2018-02-21", [("آب/اغسطس 2017", "2017-08", False)]),
    ("في منتصف ايلول/سبتمبر المنصرم", "2018-02-21", [("ايلول/سبتمبر المنصرم", "2017-09", True)]),
    ("في 11 تشرين الثاني/نوفمبر المقبل", "2018-03-10",
     [("11 تشرين الثاني/نوفمبر المقبل", "2018-11-11", True)]),
    ("في شهر سبتمبر أيلول.", "2018-07-22", [("سبتمبر أيلول", "2018-09", True)]),
    ("في 20 كانون الثاني يناير 2017", None, [("20 كانون الثاني يناير 2017", "2017-01-20", False)]),
    ("في 16 من أكتوبر/تشرين أول الجاري", "2018-10-14",
     [("16 من أكتوبر/تشرين أول الجاري", "2018-10-16", True)]),
    # «من العام الماضي» names the year, not the nearest past month.
    ("في يناير من العام السابق.", "2018-03-02", [("يناير من العام السابق", "2017-01", True)]),
    ("التي دارت في جانفي الفارط في القاهرة", "2017-06-10", [("جانفي الفارط", "2017-01", True)]),  # Tunisian
])
def test_glosses_and_years_stay_with_their_month(text, published, expected):
    assert _dates(text, published) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("في الأول من يوليو", ("الأول من يوليو", "2025-07-01")),
    ("في السابع والعشرين من أبريل المقبل", ("السابع والعشرين من أبريل المقبل", "2026-04-27")),
    ("في الرابع عشر من تموز/يوليو", ("الرابع عشر من تموز/يوليو", "2025-07-14")),
    ("في غرة جويلية القادم", ("غرة جويلية القادم", "2026-07-01")),
    ("في الـ 14 من حزيران / يونيو 1946", ("الـ 14 من حزيران / يونيو 1946", "1946-06-14")),
    ("في 14 من الشهر الحالي", ("14 من الشهر الحالي", "2025-10-14")),
    ("منذ مطلع الشهر", ("مطلع الشهر", "2025-10")),
    ("بحلول نهاية العام", ("نهاية العام", "2025")),
    ("مطلع العام الماضي", ("العام الماضي", "2024")),
])
def test_ordinal_days_and_positions(text, expected):
    assert [d[:2] for d in _dates(text)] == [expected]


def test_an_ordinal_after_week_or_half_is_no_day():
    assert _dates("في الأسبوع الأول من يوليو") == [("يوليو", "2025-07", True)]


@pytest.mark.parametrize(("text", "iso"), [
    ("الأسبوع الماضي", "2025-10-02"), ("الأسبوع المقبل", "2025-10-16"), ("هذا الأسبوع", "2025-10-09"),
    ("منذ ثلاثة أيام", "2025-10-06"), ("قبل يومين", "2025-10-07"), ("منذ نحو أسبوع", "2025-10-02"),
    ("قبل ستة أشهر", "2025-04"), ("منذ شهر", "2025-09"), ("قبل 36 عاما", "1989"), ("منذ سنتين", "2023"),
    ("غداً", "2025-10-10"), ("أمس", "2025-10-08"), ("يوم غد الجمعة", "2025-10-10"),
    ("غدا الجمعة", "2025-10-10"),
])
def test_relative_expressions(text, iso):
    assert _dates(text) == [(text, iso, True)]


@pytest.mark.parametrize("text", ["قبل يومين من الانتخابات", "منذ عام 2014", "منذ أيام"])
def test_counts_back_only_from_publication(text):
    assert not any(d[0].startswith(("منذ", "قبل")) for d in _dates(text))


def test_since_the_year_is_the_year():
    assert _dates("منذ عام 2014،") == [("عام 2014", "2014", False)]


@pytest.mark.parametrize(("text", "expected"), [
    ("من 10 إلى 12 يوليو 2025", [("10", "2025-07-10"), ("12 يوليو 2025", "2025-07-12")]),
    ("بين 16 وحتى 19 من مارس الجاري", [("16", "2025-03-16"), ("19 من مارس الجاري", "2025-03-19")]),
    ("يومي 23 و24 نوفمبر الجاري", [("23", "2025-11-23"), ("24 نوفمبر الجاري", "2025-11-24")]),
    ("بين 2020 و2023", [("2020", "2020"), ("2023", "2023")]),
    ("في 2007-2008،", [("2007", "2007"), ("2008", "2008")]),
    ("بين عامي 2000 و 2008", [("2000", "2000"), ("2008", "2008")]),
    ("موسم 2018/2019 الكروي", [("2018", "2018"), ("2019", "2019")]),
])
def test_ranges_give_both_ends(text, expected):
    assert [d[:2] for d in _dates(text)] == expected


def test_a_range_of_other_numbers_is_no_range_of_years():
    assert _dates("بين 1900 و2000 شخص") == []
    assert _dates("القضية عدد 2016/1234") == []


def test_hijri_year_word():
    assert [(d.text, d.iso, d.calendar) for d in find_dates("لموسم 1437 هجري،", 0, None)] == [
        ("1437 هجري", "2016", "hijri")]


_PUB = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(_PUB, st.integers(min_value=2, max_value=30))
def test_days_ago_count_back_from_publication(pub, n):
    (found,) = find_dates(f"وقع الهجوم منذ {n} أيام.", 0, pub)
    assert found.iso == (pub - timedelta(days=n)).isoformat() and found.text == f"منذ {n} أيام"


@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=12),
       st.integers(min_value=1, max_value=25), st.integers(min_value=1, max_value=3))
def test_a_day_range_gives_both_days(year, month, first, width):
    name = next(k for k, v in load("months.json")["gregorian"].items() if v == month)
    text = f"من {first} إلى {first + width} {name} {year}"
    found = find_dates(text, 0, None)
    assert [d.iso for d in found] == [date(year, month, first).isoformat(),
                                      date(year, month, first + width).isoformat()]
    assert all(text[d.start:d.end] == d.text for d in found)


@given(st.sampled_from(sorted(load("months.json")["ordinal_days"].items())), st.integers(1, 12),
       st.integers(min_value=1900, max_value=2100))
def test_every_ordinal_day_of_the_data(ordinal, month, year):
    word, day = ordinal
    assume(day <= 28)
    name = next(k for k, v in load("months.json")["gregorian"].items() if v == month)
    assert [d.iso for d in find_dates(f"في {word} من {name} {year}", 0, None)] == [
        date(year, month, day).isoformat()]


_SAME_MONTH = [(a, b, n) for a, n in load("months.json")["gregorian"].items()
               for b, k in load("months.json")["gregorian"].items() if n == k]


@given(st.sampled_from(_SAME_MONTH), st.sampled_from(["/", " / ", " ("]), st.integers(1900, 2100))
def test_a_gloss_never_changes_the_date(names, sep, year):
    first, second, month = names
    glossed = f"{first}{sep}{second}{')' if '(' in sep else ''} {year}"
    assert [d.iso for d in find_dates(f"في {glossed}.", 0, None)] == [f"{year}-{month:02d}"]


@pytest.mark.parametrize(("text", "expected"), [
    ("ارتفع في مارس لتتجاوز", [("مارس", "2026-03", True)]),  # the nearest March to publication
    ("دار بينهما في شهر جويلية في معتمدية", [("جويلية", "2025-07", True)]),
    ("مارس الرياضة منذ صغره", []),
])
def test_a_cue_word_makes_an_ambiguous_month_a_month(text, expected):
    assert _dates(text) == expected


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("قبل حلول شهر رمضان المبارك", "2018-05-16", ("رمضان", "2018-05")),
    ("في شهر رمضان الماضي", "2018-05-16", ("رمضان الماضي", "2017-06")),
    ("خلال شهر ذي الحجة", "2018-05-16", ("ذي الحجة", "2018-08")),
])
def test_a_hijri_month_without_a_year_is_the_nearest_one(text, published, expected):
    found = find_dates(text, 0, published)
    assert [(d.text, d.iso, d.calendar) for d in found] == [(*expected, "hijri")]


def test_a_name_that_is_a_hijri_month_is_no_date():
    assert _dates("محمد صلاح- رمضان صبحى") == []


@given(_PUB, st.sampled_from(sorted(load("months.json")["hijri"])))
def test_a_hijri_month_named_alone_is_within_half_a_year(pub, name):
    (found,) = find_dates(f"خلال شهر {name} هذا", 0, pub)
    year, month = map(int, found.iso.split("-"))
    assert abs((year - pub.year) * 12 + month - pub.month) <= 7 and found.calendar == "hijri"


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("في أواخر العام 2014", "2016-06-06", [("العام 2014", "2014")]),  # the year, not this one
    ("منذ الثاني عشر من ديسمبر", "2018-07-04", [("الثاني عشر من ديسمبر", "2017-12-12")]),  # since: past
    ("منذ يونيو", "2025-05-09", [("يونيو", "2024-06")]),
    ("في يونيو", "2025-05-09", [("يونيو", "2025-06")]),
    ("في 7 أكتوبر الماضي", "2025-10-09", [("7 أكتوبر الماضي", "2025-10-07")]),  # earlier this month
    ("في أكتوبر الماضي", "2025-10-09", [("أكتوبر الماضي", "2024-10")]),
])
def test_the_year_a_month_without_one_falls_in(text, published, expected):
    assert [d[:2] for d in _dates(text, published)] == expected


@pytest.mark.parametrize(("text", "published", "iso"), [
    ("في الانتخابات التي أجريت في سبتمبر", "2018-06-04", "2017-09"),  # a past verb: the last September
    ("إن حادث اعتداء مماثل وقع في أغسطس", "2018-03-17", "2017-08"),
    ("المباراة التي كان من المقرر أن تلعب في شهر مارس", "2017-01-20", "2017-03"),  # a plan: still to come
    ("الانتخابات المقررة في سبتمبر", "2018-06-04", "2018-09"),
])
def test_a_month_still_to_come_unless_a_past_verb_governs_it(text, published, iso):
    assert [d[1] for d in _dates(text, published)] == [iso]
