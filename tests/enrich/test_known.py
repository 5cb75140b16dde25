"""Known names of the alias table, merged with the tagger's mentions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.enrich.known import find_known, merge_known


def _mention(paragraph: str, text: str, kind: str, index: int = 0, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = paragraph.index(text, start + 1)
    return (index, start, start + len(text), kind, text)


def _names(raw) -> list[tuple[str, str]]:
    return [(text, kind) for *_, kind, text in raw]


def test_a_known_name_the_tagger_missed_is_added_with_its_clitic():
    p = "عقد اللقاء في دوشانبي بين موسكو وباكو."
    assert _names(merge_known([], [p])) == [("دوشانبي", "LOC"), ("موسكو", "LOC"), ("وباكو", "LOC")]


def test_a_mention_grows_to_the_known_name_around_it():
    p = "وإلى جانب رئيس طاجكستان إمام علي رحمون الذي استضافت بلاده القمة"
    merged = merge_known([_mention(p, "رحمون", "MISC")], [p])
    assert ("إمام علي رحمون", "PERS") in _names(merged)
    assert ("رحمون", "MISC") not in _names(merged)


def test_two_known_names_run_together_are_split():
    p = "وكان آخر اجتماع بين بوتين وعلييف وجهاً لوجه"
    merged = merge_known([_mention(p, "بوتين وعلييف", "PERS")], [p])
    assert _names(merged) == [("بوتين", "PERS"), ("وعلييف", "PERS")]


def test_a_known_name_inside_a_longer_mention_stays_part_of_it():
    p = "اعتقلت السلطات موظفين في مكتب وكالة سبوتنيك أذربيجان"
    mention = _mention(p, "سبوتنيك أذربيجان", "ORG")
    assert merge_known([mention], [p]) == [mention]


def test_an_exact_known_name_takes_the_table_type():
    p = "ردت بيونغ يانغ على التجربة"
    assert _names(merge_known([_mention(p, "بيونغ يانغ", "PERS")], [p])) == [("بيونغ يانغ", "LOC")]
    q = "وصل الوفد إلى دوشانبي أمس، ويأتي لقاء دوشنباي بين الرئيسين"
    merged = merge_known([_mention(q, "دوشنباي", "ORG")], [q])
    assert _names(merged) == [("دوشانبي", "LOC"), ("دوشنباي", "LOC")]


def test_a_place_the_tagger_calls_an_organization_stays_one():
    p = "فاز روما على ضيفه، وتقدم روما إلى المركز الثالث"
    raw = [_mention(p, "روما", "ORG"), _mention(p, "روما", "ORG", nth=1)]
    assert _names(merge_known(raw, [p])) == [("روما", "ORG"), ("روما", "ORG")]


def test_an_ambiguous_name_needs_the_tagger_to_find_the_entity():
    p = "استقبل الجمهور الفريق بحماس كبير"
    assert merge_known([], [p]) == []
    q = "قالت حماس إن الوفد غادر، واستقبل الجمهور الوفد بحماس"
    assert len(merge_known([_mention(q, "حماس", "ORG")], [q])) == 2


def test_currency_names_are_no_entities():
    p = "بلغ التبادل 1.5 مليار دولار، أي نحو مليار يورو"
    raw = [_mention(p, "دولار", "MISC"), _mention(p, "يورو", "MISC")]
    assert merge_known(raw, [p]) == []


def test_each_paragraph_is_searched_on_its_own():
    paragraphs = ["لا أسماء هنا", "وصل الوفد إلى للصين أمس"]
    assert [(k[0], k[4]) for k, _ in find_known(paragraphs[1], 1)] == [(1, "للصين")]
    assert _names(merge_known([], paragraphs)) == [("للصين", "LOC")]


_WORDS = ["بوتين", "وعلييف", "في", "موسكو", "دوشنبه", "قال", "الرئيس", "للصين", "رابطة", "الدول", "المستقلة",
          "سبوتنيك", "أذربيجان", "،", "دولار"]


_SPANS = st.tuples(st.integers(0, 13), st.integers(1, 3), st.sampled_from(["PERS", "LOC", "ORG", "MISC"]))


@given(st.lists(st.sampled_from(_WORDS), max_size=14), st.lists(_SPANS, max_size=4))
def test_merged_mentions_index_the_paragraph_and_never_overlap(words, spans):
    p = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    raw, taken = [], set()
    for first, size, kind in spans:
        idx = range(first, min(first + size, len(words)))
        if not idx or taken & set(idx):
            continue
        taken |= set(idx)
        s, e = starts[idx[0]], starts[idx[-1]] + len(words[idx[-1]])
        raw.append((0, s, e, kind, p[s:e]))
    merged = merge_known(sorted(raw), [p])
    for (_, s, e, _, text) in merged:
        assert p[s:e] == text
    for a, b in zip(merged, merged[1:], strict=False):
        assert a[2] <= b[1]


def test_a_town_that_reads_like_a_person_is_a_place():
    p = "وصلت القافلة إلى بن قردان ثم إلى سيدي بوزيد."
    merged = merge_known([_mention(p, "بن قردان", "PERS"), _mention(p, "سيدي بوزيد", "PERS")], [p])
    assert _names(merged) == [("بن قردان", "LOC"), ("سيدي بوزيد", "LOC")]


def test_a_title_run_into_a_known_place_leaves_the_place_and_the_name_after_it():
    p = "وأكد والي بن عروس أن معتمد بن قردان محمد الحاج وصل."
    raw = [_mention(p, "والي بن عروس", "PERS"), _mention(p, "معتمد بن قردان محمد الحاج", "PERS")]
    assert _names(merge_known(raw, [p])) == [("بن عروس", "LOC"), ("بن قردان", "LOC"), ("محمد الحاج", "PERS")]


def test_a_person_whose_name_holds_no_known_place_is_left_alone():
    p = "وقال الوزير محمد بن علي إن الوضع صعب."
    merged = merge_known([_mention(p, "الوزير محمد بن علي", "PERS")], [p])
    assert _names(merged) == [("الوزير محمد بن علي", "PERS")]
