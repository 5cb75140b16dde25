"""The JSON record reader: CNN Arabic's exported bodies end with other articles' leads, which are dropped
from the body (and kept apart), while the article's own closing paragraphs stay."""

from __future__ import annotations

import json
import lzma

import pytest

from marsad.parse.records import record_to_article


@pytest.fixture(scope="module")
def cnn(shared) -> dict[str, dict]:
    wanted = {"CN-middleEast-1435-20181007", "CN-middleEast-1432-20181007", "CN-middleEast-1111-20180604",
              "CN-middleEast-1198-20180814"}
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
    # Turkey's inquiry's story, so the cut stops there: the op-ed's own last paragraph is never reached
    # (it holds every term of the headline: on the article's subject, however many words of its own).
    op_ed = record_to_article(cnn["CN-middleEast-1432-20181007"])
    assert [x[:5] for x in op_ed.extra["appended_leads"]] == ["أعلنت", "ادعى ", "شبه ا", "اعتبر"]
    assert op_ed.paragraphs[-2].startswith("لا أراهن")


def test_a_paragraph_longer_than_a_strip_lead_is_the_articles_own(cnn):
    # «عام على الأزمة الخليجية.. كيف بدأت وتصاعدت؟»: a timeline whose paragraphs each open as a lead and
    # share few terms with the headline; the export cuts a strip's leads at 240 characters, and these run
    # to 250-520, so the whole timeline stays (its last five paragraphs were cut before).
    a = record_to_article(cnn["CN-middleEast-1111-20180604"])
    assert len(a.paragraphs) == 7 and "appended_leads" not in a.extra
    assert a.paragraphs[-1].startswith("الأزمة مستمرة")


def test_a_lead_holding_some_of_the_headlines_names_is_still_foreign(cnn):
    # «بومبيو يشكر السعودية في مكالمة مع محمد بن سلمان»: the strip's last lead (a video of the crown
    # prince) names half of the headline's terms, not most of them: the five leads still go.
    a = record_to_article(cnn["CN-middleEast-1198-20180814"])
    assert len(a.paragraphs) == 3 and len(a.extra["appended_leads"]) == 5
    assert a.extra["appended_leads"][-1].startswith("تداول ناشطون")


def test_only_outlets_known_to_append_leads(cnn):
    rec = dict(cnn["CN-middleEast-1435-20181007"], outlet="Sky News Arabia", source="SK", url="")
    a = record_to_article(rec)
    assert "appended_leads" not in a.extra and len(a.paragraphs) == 9


def test_a_short_record_is_left_whole():
    rec = {"title": "عنوان", "text": "فقرة أولى من الخبر.\nفقرة ثانية.", "outlet": "CNN Arabic"}
    a = record_to_article(rec)
    assert a.paragraphs == ["فقرة أولى من الخبر.", "فقرة ثانية."] and "appended_leads" not in a.extra
