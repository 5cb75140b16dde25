from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich.dates import find_dates, hijri_to_gregorian


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
