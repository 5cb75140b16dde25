"""Entity mentions scored against a gold list."""

from __future__ import annotations

from marsad.enrich.scoring import score_entities
from marsad.model import Article, EntityMention


def test_entity_scoring_counts_matches_misses_and_groups():
    article = Article("", paragraphs=["لقاء بوتين وماكرون في باريس"], entities=[
        EntityMention("بوتين", "PERS", 5, 10, 0, "فلاديمير بوتين"),
        EntityMention("وماكرون", "PERS", 11, 18, 0, "فلاديمير بوتين"),
        EntityMention("لقاء", "MISC", 0, 4, 0, "لقاء")])
    gold = {"entities": [[0, "بوتين", "PERS", "Putin"], [0, "ماكرون", "PERS", "Macron"],
                         [0, "باريس", "LOC", "Paris"]], "optional_entities": [[0, "لقاء", "MISC"]]}
    result = score_entities([article], [gold])
    assert (result.matched, result.found, result.gold) == (2, 2, 3)
    assert result.missed == [(0, 0, "باريس", "LOC")] and not result.wrong
    assert result.merged == [(0, "فلاديمير بوتين", ["Macron", "Putin"])]
