"""The time a report's text states, and the stories it keeps apart: the same people at another time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.relate.cluster import cluster
from marsad.relate.markers import clashes, hijri_year, markers


def test_lead_weekdays_and_current_years():
    assert markers("فوز تبون", "أعلنت السلطة الوطنية للانتخابات، الأحد، فوز الرئيس") == {"w6"}
    assert markers("", "قال رئيس اللجنة العليا للانتخابات في تركيا الإثنين 15 أيار") == {"w0", "d135"}
    assert markers("", "أمر الرئيس يوم الثلاثاء بدراسة الالتماس") == {"w1"}
    assert markers("", "أثناء أداء فريضة الحج لهذا العام 1444 هجرية") == {"y2023"}
    assert markers("", "لهذا العام ١٤٤٤ هـ، وهذا العام ٢٠٢٤") == {"y2023", "y2024"}  # Arabic-Indic digits
    assert markers("", "عدد وفيات الحجاج خلال أداء مناسك الحج العام الحالي 2024 بمكة") == {"y2024"}


def test_one_of_and_background_years_are_no_markers():
    # «أحد» is "one of" as often as Sunday; a year of background is not the report's own.
    assert markers("", "السيطرة على القصر، أحد أهم رموز السيادة") == frozenset()
    assert markers("", "يقضي عقوبة بالسجن صدر الحكم بها في ديسمبر 2021، وولد عام 1982") == frozenset()
    assert markers("", "x" * 400 + " وقال الخميس إن") == frozenset()  # past the lead


def test_days_of_the_month_the_lead_states():
    # «13 أيار/مايو» is day 133 of a common year, «2019/02/03» day 34; a weekday beside it counts too.
    assert markers("", "رئيس الدولة الذي انتقل إلى جوار ربه اليوم الجمعة 13 ايار/مايو") == {"w4", "d133"}
    rumour = "2019/02/03 يتداول رواد مواقع التواصل أنباء غير مؤكدة"
    assert markers("وفاة خليفة بن زايد تشعل مواقع التواصل", rumour) == {"d34"}
    # A page's stamp on a line of its own is the day it was printed, not the event's.
    assert markers("", "الأحد 19 أيار 2024\n\nاستشهاد مراسلة الجزيرة شيرين أبو عاقلة") == {"w6"}
    # A date to come is another event's (the vote), and a day naming an event is no date.
    assert markers("", "أعلن إجراء انتخابات مبكرة في 24 حزيران/يونيو المقبل") == frozenset()
    assert markers("", "في ذكرى ثورة 25 يناير وهجمات 11 سبتمبر") == frozenset()


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
    # Days of the month: a report dated 3 February 2019 against a story of «13 مايو», and near days.
    assert clashes(frozenset(), {"w4", "d133"}, 17930, None, None) == 1
    assert clashes(frozenset({"d134"}), {"d133"}, None, None, None) == 0
    assert clashes(frozenset({"d1"}), {"d364"}, None, None, None) == 0  # across New Year
    assert clashes(frozenset({"d140"}), {"d133"}, None, 19000, 19001) == 1


@given(st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي 0123456789٠١٢٣٤٥٦٧٨٩،.", max_size=300))
def test_markers_are_weekdays_and_plausible_years(text):
    for m in markers("", text):
        low, high = {"w": (0, 6), "d": (1, 365), "y": (1900, 2100)}[m[0]]
        assert low <= int(m[1:]) <= high


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



def test_a_rumour_of_another_year_stays_apart(records, docs):
    """«وفاة خليفة بن زايد تشعل مواقع التواصل» (a rumour, 3 February 2019) against the undated reports of
    his death «اليوم الجمعة 13 ايار/مايو» (2022): the day of the month each states keeps them apart."""
    ids = sorted(i for i, r in records.items() if r["event"] == "2022-05-uae-president-khalifa-death")
    story = {i: frozenset(s) for s in cluster(docs[i] for i in [*ids, "dev-113"]) for i in s}
    assert records["dev-113"]["event"] == "distractor-1" and story["dev-113"] == {"dev-113"}
    assert len(story[ids[0]]) >= 3
