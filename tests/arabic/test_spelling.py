"""Spelling variants are one term, look-alike words are not: the issue's examples, and the pairs
mined from ant-multisource for ``bench/spelling.py`` (analyzer level; the bench runs them
through ingest and search)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.arabic.tokenize import detach_hamza_proclitics
from marsad.search.analyze import DEFAULT_SCHEME, words

PAIRS = Path(__file__).resolve().parents[2] / "bench/data/spelling_pairs.tsv"


def terms(text: str) -> set[str]:
    """Every index term a word gets, under each analyzer of the default scheme."""
    return {a.term(w) for a in DEFAULT_SCHEME.analyzers for w in words(text)}


def same_term(a: str, b: str) -> bool:
    return any(x.term(u) == x.term(v) for x in DEFAULT_SCHEME.analyzers
               for u, v in zip(words(a), words(b), strict=True))


@pytest.mark.parametrize("a, b", [("سوريا", "سورية"), ("سوريا", "السورية"), ("لإيران", "إيران"),
                                  ("بآسيا", "آسيا"), ("وبأوروبا", "أوروبا"), ("إيران", "ايران"),
                                  ("مسؤول", "مسئول"), ("ترامب", "ترمب"), ("لبنان", "اللبنانية")])
def test_variants_share_a_term(a, b):
    assert same_term(a, b)


@pytest.mark.parametrize("a, b", [("عمان", "عم"), ("عمان", "عمها"), ("عمان", "عمة"), ("عمان", "بالعمى"),
                                  ("لبنان", "لبن"), ("البحرين", "البحر"), ("مالي", "المال"),
                                  ("كأس", "أس"), ("بأسعار", "بأس")])
def test_lookalikes_share_no_term(a, b):
    assert not terms(a) & terms(b)


def test_hamza_proclitic_detached_only_where_it_is_one():
    assert detach_hamza_proclitics("لإيران وبآسيا كأول") == "إيران آسيا أول"
    assert detach_hamza_proclitics("كأس العالم وكأسها لا بأس") == "كأس العالم وكأسها لا بأس"
    assert detach_hamza_proclitics("تلإيران") == "تلإيران"  # not at the start of a word


@given(st.text(st.sampled_from(list("لبكوفأإآاسي ن.")), max_size=30))
def test_detaching_is_idempotent_and_never_lengthens(text):
    once = detach_hamza_proclitics(text)
    assert len(once) <= len(text) and detach_hamza_proclitics(once) == once


def _pairs() -> list[dict]:
    with open(PAIRS, encoding="utf-8") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


def test_mined_lists_are_big_enough_and_split():
    pairs = _pairs()
    kinds = {k: [p for p in pairs if p["kind"] == k] for k in ("variant", "distinct")}
    assert len(kinds["variant"]) >= 100 and len(kinds["distinct"]) >= 100
    assert all({p["split"] for p in ps} == {"dev", "held"} for ps in kinds.values())


def test_mined_variants_share_a_term():
    # Transliterated names held out from the spelling table are not expected to match (no rule finds them).
    pairs = [p for p in _pairs()
             if p["kind"] == "variant" and (p["category"] != "name" or p["split"] == "dev")]
    missed = [(p["a"], p["b"]) for p in pairs if not same_term(p["a"], p["b"])]
    assert not missed


def test_mined_lookalikes_share_no_term():
    pairs = [p for p in _pairs() if p["kind"] == "distinct"]
    merged = [(p["a"], p["b"]) for p in pairs if terms(p["a"]) & terms(p["b"])]
    assert not merged
