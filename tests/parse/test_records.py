"""The JSON record reader: CNN Arabic's exported bodies end with other articles' leads, which are dropped
from the body (and kept apart), while the article's own closing paragraphs stay."""

from __future__ import annotations

import json
import lzma

import pytest

from marsad.parse.records import record_to_article


@pytest.fixture(scope="module")
def cnn(shared) -> dict[str, dict]:
    wanted = {"CN-middleEast-1435-20181007", "CN-middleEast-1432-20181007"}
    out = {}
    path = shared / "data" / "news" / "ant-multisource" / "articles.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if any(i in line[:80] for i in wanted):
                rec = json.loads(line)
                out[rec["id"]] = rec
    assert set(out) == wanted
    return out


def test_other_articles_leads_leave_the_body(cnn):
    # «الأسد: اتفاق إدلب "مؤقت"..»: four paragraphs of its own, then the leads of Erdoğan on Khashoggi,
    # a photo of King Salman, Sadr's call to Abdul Mahdi, an op-ed on Sadat and the Saudi consulate's denial.
    a = record_to_article(cnn["CN-middleEast-1435-20181007"])
    assert len(a.paragraphs) == 4 and a.paragraphs[-1].startswith("في سياق متصل، رأى الأسد")
    leads = a.extra["appended_leads"]
    assert len(leads) == 5 and leads[0].startswith("أكد الرئيس التركي")
    assert "خاشقجي" not in " ".join(a.paragraphs)


def test_the_foot_is_cut_where_each_paragraph_is_a_story_apart(cnn):
    # «هل يشن الأسد السلام على إسرائيل؟»: the leads on Turkey's Khashoggi inquiry, Kerry on Mubarak, Sisi
    # on the October war and the IRGC on Hezbollah go. The Saudi consulate's denial before them shares
    # Turkey's inquiry's story, so the cut stops there: the op-ed's own last paragraph is never reached.
    op_ed = record_to_article(cnn["CN-middleEast-1432-20181007"])
    assert [x[:5] for x in op_ed.extra["appended_leads"]] == ["أعلنت", "ادعى ", "شبه ا", "اعتبر"]
    assert op_ed.paragraphs[-2].startswith("لا أراهن")


def test_only_outlets_known_to_append_leads(cnn):
    rec = dict(cnn["CN-middleEast-1435-20181007"], outlet="Sky News Arabia", source="SK", url="")
    a = record_to_article(rec)
    assert "appended_leads" not in a.extra and len(a.paragraphs) == 9


def test_a_short_record_is_left_whole():
    rec = {"title": "عنوان", "text": "فقرة أولى من الخبر.\nفقرة ثانية.", "outlet": "CNN Arabic"}
    a = record_to_article(rec)
    assert a.paragraphs == ["فقرة أولى من الخبر.", "فقرة ثانية."] and "appended_leads" not in a.extra
