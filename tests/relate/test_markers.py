"""The time a report's text states, and the stories it keeps apart: the same people at another time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.relate.cluster import cluster
from marsad.relate.markers import clashes, hijri_year, markers


def test_lead_weekdays_and_current_years():
    assert markers("فوز تبون", "أعلنت السلطة الوطنية للانتخابات، الأحد، فوز الرئيس") == {"w6"}
    assert markers("", "قال رئيس اللجنة العليا للانتخابات في تركيا الإثنين 15 أيار") == {"w0"}
    assert markers("", "أمر الرئيس يوم الثلاثاء بدراسة الالتماس") == {"w1"}
    assert markers("", "أثناء أداء فريضة الحج لهذا العام 1444 هجرية") == {"y2023"}
    assert markers("", "لهذا العام ١٤٤٤ هـ، وهذا العام ٢٠٢٤") == {"y2023", "y2024"}  # Arabic-Indic digits
    assert markers("", "عدد وفيات الحجاج خلال أداء مناسك الحج العام الحالي 2024 بمكة") == {"y2024"}


def test_one_of_and_background_years_are_no_markers():
    # «أحد» is "one of" as often as Sunday; a year of background is not the report's own.
    assert markers("", "السيطرة على القصر، أحد أهم رموز السيادة") == frozenset()
    assert markers("", "يقضي عقوبة بالسجن صدر الحكم بها في ديسمبر 2021، وولد عام 1982") == frozenset()
    assert markers("", "x" * 400 + " وقال الخميس إن") == frozenset()  # past the lead


def test_hijri_years_fall_in_the_gregorian_year_of_their_hajj():
    assert [hijri_year(y) for y in (1439, 1444, 1445, 1446)] == [2018, 2023, 2024, 2025]


def test_clashes_only_where_a_date_is_missing():
    assert clashes(frozenset({"w1"}), {"w0"}, None, None, None) == 1
    assert clashes(frozenset({"w1", "y2023"}), {"w0", "y2024"}, None, None, None) == 2
    assert clashes(frozenset({"w1"}), {"w0", "w1"}, None, None, None) == 0
    assert clashes(frozenset({"w1"}), {"w0"}, 19000, 19000, 19001) == 0  # both dated: the window decides
    assert clashes(frozenset({"w1"}), {"w0"}, 19000, None, None) == 0  # a dated report's: perhaps its own day
    assert clashes(frozenset(), {"y2024"}, 19000, None, None) == 1  # a report of 8 January 2022
    assert clashes(frozenset(), {"y2022"}, 19000, None, None) == 0


@given(st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي 0123456789٠١٢٣٤٥٦٧٨٩،.", max_size=300))
def test_markers_are_weekdays_and_plausible_years(text):
    for m in markers("", text):
        assert m[0] in "wy" and (m[0] == "w" and 0 <= int(m[1:]) <= 6 or 1900 <= int(m[1:]) <= 2100)


def test_same_people_at_another_time_stay_apart(records, docs):
    """Undated reports of Tebboune's re-election in 2024 (announced on a Sunday) and of his first win in
    2019 (on a Thursday); of Erdoğan's runoff win (Sunday) and the first round's count (Monday); of the
    2024 Hajj heatwave deaths and of the 1444 (2023) season's deaths: each distractor opens a story."""
    events = ("2024-09-tebboune-reelected-algeria", "2023-05-erdogan-wins-turkey-runoff",
              "2024-06-hajj-heatwave-deaths", "2025-09-sisi-pardons-alaa-abd-el-fattah")
    distractors = ("distractor-5", "distractor-11", "distractor-6", "distractor-9")
    ids = sorted(i for i, r in records.items() if r["event"] in events + distractors)
    ids.sort(key=lambda i: records[i]["event"].startswith("distractor"))  # the events' reports first
    story = {i: frozenset(s) for s in cluster(docs[i] for i in ids) for i in s}
    for i in ids:
        if records[i]["event"] in distractors:
            assert story[i] == {i}, records[i]["event"]
    assert sum(len(story[i]) >= 3 for i in ids if records[i]["event"] in events) >= 15

