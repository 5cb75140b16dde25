"""Issue 17: entities across the archive (merges with stable ids) and analysts' corrections."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from marsad.archive import open_archive
from marsad.cli import main
from marsad.errors import NotFound
from marsad.model import EntityMention
from tests.archive.conftest import make_article


def mention(text: str, type: str = "PERS", canonical: str | None = None) -> EntityMention:
    return EntityMention(text=text, type=type, start=0, end=len(text), paragraph=0,
                         canonical=canonical or text)


def article(i: int, *names, **changes):
    return make_article(i, entities=[mention(*n) if isinstance(n, tuple) else mention(n) for n in names],
                        dates=[], figures=[], quotes=[], **changes)


def listing(arc) -> dict[str, tuple[str, str, int]]:
    return {e.id: (e.name, e.type, e.articles) for e in arc.entities(limit=100)}


def context(i: int) -> tuple:
    """Names that a story about North Korea names beside its leader."""
    return (("سنغافورة", "LOC"), ("بيونغ يانغ", "LOC"), ("سيول", "LOC"), (f"قمة {i % 2}", "MISC"))


def test_spellings_and_lone_names_of_one_person_merge_across_the_archive(new_db):
    with open_archive(new_db("a.db")) as arc:
        arc.put([article(i, "كيم يو يونغ", *context(i)) for i in range(4)]
                + [article(20 + i, "كيم يو جونغ", *context(i)) for i in range(6)]
                + [article(30 + i, "سكريبال", ("سالزبري", "LOC")) for i in range(3)]
                + [article(40 + i, "سيرغي سكريبال", ("سالزبري", "LOC")) for i in range(5)]
                + [article(50 + i, "ماريا غارسيا", ("مدريد", "LOC")) for i in range(3)]
                + [article(60 + i, "ماريا جارسيا", ("ليما", "LOC")) for i in range(2)]
                + [article(80 + i, ("رويترز", "ORG"), ("سالزبري", "LOC")) for i in range(4)]
                + [article(90 + i, ("رويترز هيلث", "ORG"), ("سالزبري", "LOC")) for i in range(2)]
                + [article(100 + i, ("باريس سان جرمان", "LOC"), ("نيمار", "PERS")) for i in range(3)]
                + [article(110 + i, ("باريس سان جيرمان", "ORG"), ("نيمار", "PERS")) for i in range(5)]
                + [article(120 + i, "غولن", ("أنقرة", "LOC")) for i in range(4)]
                + [article(130 + i, "فتح الله غولن", ("أنقرة", "LOC")) for i in range(2)]
                + [article(140 + i, ("العربية", "ORG"), ("القاهرة", "LOC")) for i in range(2)]
                + [article(150 + i, ("جامعة الدول العربية", "ORG"), ("القاهرة", "LOC")) for i in range(4)])
        merged = dict(arc.consolidate_entities())
        top = listing(arc)
        assert merged["كيم-يو-يونغ"] == "كيم-يو-جونغ"
        assert top["كيم-يو-جونغ"] == ("كيم يو جونغ", "PERS", 10)
        assert merged["سكريبال"] == "سيرغي-سكريبال" and top["سيرغي-سكريبال"][2] == 8
        assert "ماريا-جارسيا" in top and "ماريا-غارسيا" in top  # other contexts: two people
        assert "رويترز" not in merged  # more often named alone than in full: its own name
        assert merged["غولن"] == "فتح-الله-غولن"  # but a surname printed alone more often is the person
        assert merged["باريس-سان-جرمان"] == "باريس-سان-جيرمان"  # a club its tagger also called a place
        assert top["باريس-سان-جيرمان"][1:] == ("ORG", 8)
        assert "العربيه" not in merged  # a word with ال names a body of its own (the channel)
        # the old id leads to the merged entity, and new articles naming it go there too
        assert arc.entity("كيم-يو-يونغ")["id"] == "كيم-يو-جونغ"
        arc.put([article(70, "كيم يو يونغ", *context(0))])
        assert listing(arc)["كيم-يو-جونغ"][2] == 11


def test_analysts_corrections_survive_re_enrichment_and_travel_as_a_file(new_db):
    first = [article(1, "مايك بنس", ("بريكست", "PERS")), article(2, "مايك", "بنس"),
             article(3, ("مايك بومبيو", "PERS", "مايك")), article(4, ("الحكومة", "ORG"))]
    with open_archive(new_db("a.db")) as arc:
        arc.put(first)
        assert arc.correct_entity("merge", ["مايك-بنس", "بنس"]) == "مايك-بنس"
        new = arc.correct_entity("split", ["مايك", "مايك بومبيو", "مايك بومبيو"])
        assert new == "مايك-بومبيو"
        arc.correct_entity("retype", ["بريكست", "MISC"])
        arc.correct_entity("rename", ["مايك-بنس", "مايك بنس (نائب الرئيس)"])
        before = listing(arc)
        assert before["مايك-بنس"] == ("مايك بنس (نائب الرئيس)", "PERS", 2)
        assert before["مايك-بومبيو"] == ("مايك بومبيو", "PERS", 1) and before["مايك"][2] == 1
        assert before["بريكست"][1] == "MISC"
        # enriched again: the tagger says the same things, the corrections still hold
        arc.put([article(1, "مايك بنس", ("بريكست", "PERS"), headline="جديد"),
                 article(2, "مايك", "بنس", headline="جديد"),
                 article(3, ("مايك بومبيو", "PERS", "مايك"), headline="جديد")])
        assert listing(arc) == before
        exported = arc.export_entity_corrections()
    assert exported.count("\n") == 5  # a header and four corrections
    with open_archive(new_db("b.db")) as other:
        other.put(first)
        assert other.import_entity_corrections(exported) == (4, [])
        assert listing(other) == before


def test_a_correction_of_an_unknown_entity_is_refused(new_db):
    with open_archive(new_db("a.db")) as arc:
        arc.put([article(1, "مايك بنس")])
        with pytest.raises(NotFound):
            arc.correct_entity("merge", ["مايك-بنس", "لا-احد"])
        assert arc.import_entity_corrections("merge\tمايك-بنس\tلا-احد\n")[0] == 0


def test_the_entity_page_shows_which_articles_each_variant_came_from(new_db):
    with open_archive(new_db("a.db")) as arc:
        arc.put([article(1, ("بوتين", "PERS", "فلاديمير بوتين")), article(2, "فلاديمير بوتين")])
        found = arc.entity("فلاديمير-بوتين")
    assert {v: [a["id"] for a in arts] for v, arts in found["variant_articles"].items()} == {
        "بوتين": ["art-1"], "فلاديمير بوتين": ["art-2"]}


def test_cli_merges_and_exports(new_db):
    db = new_db("a.db")
    with open_archive(db) as arc:
        arc.put([article(1, "مايك بنس"), article(2, "بنس")])
    runner = CliRunner()
    done = runner.invoke(main, ["entities", "merge", "مايك-بنس", "بنس", "--db", db])
    assert done.exit_code == 0, done.output
    assert "2 articles" in done.output
    out = runner.invoke(main, ["entities", "--db", db, "export"])
    assert out.output.splitlines()[1] == "merge\tمايك-بنس\tبنس"
    bad = runner.invoke(main, ["entities", "retype", "لا-احد", "LOC", "--db", db])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    listed = runner.invoke(main, ["entities", "--db", db])
    assert listed.output.split() == ["2", "PERS", "مايك", "بنس", "[مايك-بنس]"]


def test_a_word_the_archive_mostly_prints_untagged_leaves_the_lists(new_db):
    """Lower-case-like: الاتفاق ('the agreement') tagged in 2 of the 30 articles that print it."""
    printed = ["وقع الطرفان الاتفاق أمس في سالزبري."]
    with open_archive(new_db("a.db")) as arc:
        arc.put([article(i, ("الاتفاق", "ORG"), ("سالزبري", "LOC"), paragraphs=printed) for i in range(2)]
                + [article(10 + i, ("سالزبري", "LOC"), paragraphs=printed) for i in range(28)])
        arc.consolidate_entities()
        assert set(listing(arc)) == {"سالزبري"}
        assert arc.entity("الاتفاق")["articles"] == 2  # still there for whoever asks for it


def test_rebuilding_the_entity_tables_keeps_corrections(new_db):
    with open_archive(new_db("a.db")) as arc:
        arc.put([article(1, "مايك بنس"), article(2, "بنس"), article(3, ("بريكست", "PERS"))])
        arc.correct_entity("merge", ["مايك-بنس", "بنس"])
        arc.correct_entity("retype", ["بريكست", "MISC"])
        before = listing(arc)
        arc.rebuild_entities()
        assert listing(arc) == before


def test_a_name_of_the_alias_table_keeps_its_type_in_the_archive(new_db):
    with open_archive(new_db("a.db")) as arc:  # enriched by an older tagger that called it a person
        arc.put([article(i, ("سانا", "PERS")) for i in range(3)] + [article(9, ("بوتين", "LOC"))])
        top = listing(arc)
    assert top["الوكاله-العربيه-السوريه-للانباء"][1] == "ORG"
    assert top["فلاديمير-بوتين"][1] == "PERS"


def test_a_word_the_tagger_doubted_and_the_archive_mostly_prints_untagged_leaves_the_lists(new_db):
    """Tagged in 5 of the 20 articles that print it: a name when the tagger was sure, a common word
    when it doubted it (its confidence stored on each mention)."""
    printed = ["وقع الطرفان الاتفاق أمس في سالزبري."]

    def put(arc, score: float) -> None:
        doubted = EntityMention("الاتفاق", "ORG", 12, 19, 0, "الاتفاق", score=score)
        named = [doubted, mention("سالزبري", "LOC")]
        arc.put([make_article(i, entities=named, dates=[], figures=[], quotes=[], paragraphs=printed)
                 for i in range(5)]
                + [article(10 + i, ("سالزبري", "LOC"), paragraphs=printed) for i in range(15)])
        arc.consolidate_entities()

    with open_archive(new_db("sure.db")) as arc:
        put(arc, 0.97)
        assert set(listing(arc)) == {"سالزبري", "الاتفاق"}
    with open_archive(new_db("doubted.db")) as arc:
        put(arc, 0.4)
        assert set(listing(arc)) == {"سالزبري"}
