"""Stories are events, on the ant-multisource reports the issue quoted: clustered as an ingest does (in the
file's order), over every outlet's reports of the days around them."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

from marsad.parse.records import record_to_article
from marsad.relate.cluster import cluster
from marsad.relate.features import make_doc

SUMMIT = "FR-internationalNews-1768-20180612"  # «قمة تاريخية بين ترامب وكيم جونغ أون…»
DEFECTOR = "AL-internationalNews-1543-20180609"  # «هارب من كوريا الشمالية يصف بلاده…»
GULF_AID_BAHRAIN = "AL-economy-898-20180627"  # «برنامج خليجي لدعم الإصلاحات واستقرار مالية البحرين»
IMF_EGYPT = "AL-economy-927-20180630"  # «صندوق النقد يعلن صرف ملياري دولار لمصر»


@pytest.fixture(scope="module")
def june(shared: Path) -> dict[str, dict]:
    """Every ant-multisource report published from 5 to 16 June 2018 and from 25 June to 2 July."""
    out = {}
    path = shared / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            day = rec["published"][:10]
            if "2018-06-05" <= day <= "2018-06-16" or "2018-06-25" <= day <= "2018-07-02":
                out[rec["id"]] = rec
    return out


@pytest.fixture(scope="module")
def stories(june: dict[str, dict]) -> dict[str, frozenset[str]]:
    found = cluster(make_doc(record_to_article(r)) for r in june.values())
    return {i: frozenset(s) for s in found for i in s}


def test_summit_story_holds_no_g7_report_nor_the_defector(june, stories):
    summit = stories[SUMMIT]
    assert len(summit) >= 5
    g7 = {i for i, r in june.items() if "السبع" in r["title"] and "كيم" not in r["title"]}
    assert len(g7) > 20 and not summit & g7
    assert DEFECTOR not in summit


def test_gulf_aid_to_bahrain_is_not_imf_money_for_egypt(stories):
    assert IMF_EGYPT not in stories[GULF_AID_BAHRAIN]
