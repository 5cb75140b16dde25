"""The credit table: printed photo credits and their agency codes."""

from __future__ import annotations

import pytest

from marsad.parse.credits import agency_of, split_credit


@pytest.mark.parametrize(("credit", "agency"), [
    ("رويترز", "reuters"), ("أ.ف.ب", "afp"), ("أ ف ب", "afp"), ("ا ف ب", "afp"),
    ("إ.ب.أ", "epa"), ("أ.ب", "ap"), ("ا.ب", "ap"), ("غيتي", "getty"), ("غيتي إيماجز", "getty"),
    ("أرشيفية", "archive"), ("الشرق الأوسط", "other"), ("د.ب.أ", "other"), ("وام", "other"),
    ("واس", "other"), ("سانا", "other"), ("AFP", "afp"),
])
def test_known_credits(credit: str, agency: str) -> None:
    assert agency_of(credit) == agency


def test_compound_credit_prefers_the_wire() -> None:
    assert agency_of("أ.ف.ب - أرشيفية") == "afp"
    assert agency_of("أرشيفية / رويترز") == "reuters"
    assert agency_of("الشرق الأوسط - تصوير: بشير صالح") == "other"


def test_split_credit() -> None:
    assert split_credit("بوتين ورحمون (أ.ف.ب)") == ("بوتين ورحمون", "أ.ف.ب", "afp")
    assert split_credit("  حريق في منطقة ستافروبول (أرشيفية) ") == ("حريق في منطقة ستافروبول", "أرشيفية",
                                                                    "archive")


@pytest.mark.parametrize("line", [
    "قال الرئيس اليوم (الأربعاء)",
    "بلغت حصتها 22.6 في المائة (مقابل نحو 22 في المائة للصين)",
    "لا أقواس هنا",
    "",
])
def test_not_a_credit(line: str) -> None:
    assert split_credit(line) is None


def test_unknown_credit_only_when_asked() -> None:
    line = "الرئيس خلال استقبال الوفد (وزارة الدفاع الروسية)"
    assert split_credit(line) is None
    caption, credit, agency = split_credit(line, known_only=False)
    assert (caption, credit, agency) == ("الرئيس خلال استقبال الوفد", "وزارة الدفاع الروسية", "other")
    for not_credit in ("اجتماع في ديسمبر (كانون الأول)", "قمة اليوم (الأربعاء)", "القرار رقم (2254)"):
        assert split_credit(not_credit, known_only=False) is None
