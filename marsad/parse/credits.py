"""Photo credits printed at the end of Arabic captions: ``caption (credit)``.

The table of credits and their agency codes is data (``marsad/data/credits.json``);
this module only finds the parenthesized tail and looks it up.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources

AGENCIES = ("reuters", "afp", "epa", "ap", "getty", "archive", "other")

# Compound credits: "أ.ف.ب - أرشيفية", "رويترز / أرشيفية", "الشرق الأوسط، تصوير: فلان".
_PARTS = re.compile(r"\s*(?:[-–—/|،,]|\s\+\s)\s*")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ـ": None, ".": None,
                       "-": None, " ": None, "«": None, "»": None, "\"": None, "'": None})
# A photographer's name is a credit of its own: "تصوير: فلان".
_PHOTOGRAPHER = re.compile(r"^(?:تصوير|عدسة|صورة|الصورة|photo)\s*[:：]?\s*\S", re.I)


def credit_key(credit: str) -> str:
    """The lookup key of a printed credit: hamza forms folded, dots and spaces dropped."""
    return credit.translate(_FOLD).lower()


@cache
def _raw() -> dict[str, list[str]]:
    return json.loads(resources.files("marsad.data").joinpath("credits.json").read_text("utf-8"))


@cache
def _table() -> dict[str, str]:
    return {credit_key(name): agency for agency in AGENCIES for name in _raw().get(agency, ())}


@cache
def _not_credits() -> frozenset[str]:
    return frozenset(credit_key(name) for name in _raw()["not_credits"])


def _credit_like(credit: str) -> bool:
    """An unknown tail that reads like a credit: a few words naming a source, no digits, no date words."""
    return (credit.count(" ") < 4 and not any(c.isdigit() for c in credit)
            and credit_key(credit) not in _not_credits())


@lru_cache(maxsize=1024)
def agency_of(credit: str) -> str | None:
    """Agency code of a printed credit, or None when it is not a known credit.

    In compound credits the wire agency wins over "archive": "أ.ف.ب - أرشيفية" is afp.
    """
    table = _table()
    found = []
    for part in _PARTS.split(credit.strip()):
        if not part:
            continue
        agency = table.get(credit_key(part))
        if agency is None and _PHOTOGRAPHER.match(part):
            agency = "other"
        if agency is None:
            return None
        found.append(agency)
    wires = [a for a in found if a != "archive"]
    if wires:
        return wires[0]
    return "archive" if found else None


def _tail(line: str) -> tuple[str, str] | None:
    """(caption, credit) of ``caption (credit)``: one last parenthesized group, maybe then "." or ":"."""
    s = line.rstrip()
    if s[-1:] in (".", ":"):
        s = s[:-1].rstrip()
    if not s.endswith(")"):
        return None
    opening = s.rfind("(", 0, len(s) - 1)
    credit = s[opening + 1:-1].strip()
    if opening < 0 or not 0 < len(credit) <= 60 or ")" in credit:
        return None
    return s[:opening].strip(), credit


# Pages print each caption several times (above and below the logo, in related boxes).
@lru_cache(maxsize=4096)
def split_credit(line: str, known_only: bool = True) -> tuple[str, str, str] | None:
    """Split ``caption (credit)`` into (caption, credit, agency).

    With ``known_only`` the credit must be in the table; otherwise a short credit-like tail that is
    not a date word ("(الرئاسة المصرية)", not "(الأربعاء)") is taken too, as agency "other". Use that
    only where the line is known to be a caption, or stands alone between paragraphs.
    """
    tail = _tail(line)
    if tail is None:
        return None
    agency = agency_of(tail[1])
    if agency is None and not known_only and _credit_like(tail[1]):
        agency = "other"
    if agency is None:
        return None
    return tail[0], tail[1], agency


_GROUP = re.compile(r"\s*\(([^()]{1,60})\)")


def split_inner_credit(caption: str) -> tuple[str, str, str] | None:
    """(caption, credit, agency) of a caption whose known credit sits mid-line, before a second clause:
    ``… السعودي (واس)، و صورة ضوئية …`` → (``… السعودي، و صورة ضوئية …``, واس, other)."""
    for m in reversed(list(_GROUP.finditer(caption))):
        agency = agency_of(m[1].strip())
        if agency is not None:
            return (caption[:m.start()] + caption[m.end():]).strip(), m[1].strip(), agency
    return None
