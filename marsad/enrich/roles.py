"""Office holders named by their role alone: ``الرئيس الروسي`` is فلاديمير بوتين in 2025.

The roles and who held them when are data (``roles.json``). A role is a mention of its holder
on the article's publication date; with no date, or when the role only introduces the name that
follows it (``الرئيس الروسي فلاديمير بوتين``), it is not a mention of its own.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from marsad.enrich.lexicon import fold, load, loose_alternation
from marsad.model import EntityMention

_SPACE = re.compile(r"\s*")


@cache
def _roles() -> tuple[re.Pattern, dict[str, list[tuple[date, date | None, str]]]]:
    holders: dict[str, list] = {}
    for role in load("roles.json")["roles"]:
        spans = [(date.fromisoformat(a), date.fromisoformat(b) if b else None, name)
                 for a, b, name in role["holders"]]
        for name in role["names"]:
            holders[" ".join(fold(w) for w in name.split())] = spans
    pattern = re.compile(rf"(?<!\w)[وف]?(?P<role>{loose_alternation(holders)})(?!\w)")
    return pattern, holders


def holder(role: str, on: date) -> str | None:
    """Who held a role (as printed in roles.json) on a date."""
    spans = _roles()[1].get(" ".join(fold(w) for w in role.split()), [])
    return next((name for a, b, name in spans if a <= on and (b is None or on < b)), None)


def find_roles(paragraph: str, index: int, published: date | None,
               taken: list[EntityMention]) -> list[EntityMention]:
    """Role mentions of one paragraph that no other mention covers or follows right after."""
    if published is None:
        return []
    out = []
    for m in _roles()[0].finditer(paragraph):
        start, end = m.span("role")
        after = _SPACE.match(paragraph, end).end()
        if any(e.start < end and start < e.end or e.start == after for e in taken):
            continue
        name = holder(m["role"], published)
        if name:
            out.append(EntityMention(m["role"], "PERS", start, end, index, name))
    return out
