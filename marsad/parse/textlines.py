"""What one line of a crawler text dump is: a caption, a title, a name, a dateline, boilerplate.

Pure functions over single lines, shared by the article and listing readers in
``marsad.parse.text``. Site knowledge (logo lines, markers, sections, dateline
sources) is data in ``marsad/data/textpage.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from marsad.parse.credits import agency_of, split_credit


@dataclass(frozen=True, slots=True)
class PageData:
    logo_lines: frozenset[str]
    listen_markers: frozenset[str]
    boilerplate: frozenset[str]  # lines that are never content, listen buttons included
    related_markers: frozenset[str]
    dateline_sources: frozenset[str]
    sections: tuple[str, ...]  # longest first, so "العالم العربي" wins over "العالم"


@cache
def page_data() -> PageData:
    raw = json.loads(resources.files("marsad.data").joinpath("textpage.json").read_text("utf-8"))
    listen = frozenset(raw["listen_markers"])
    return PageData(
        logo_lines=frozenset(raw["logo_lines"]),
        listen_markers=listen,
        boilerplate=listen | frozenset(raw["boilerplate_lines"]),
        related_markers=frozenset(raw["related_markers"]),
        dateline_sources=frozenset(raw["dateline_sources"]),
        sections=tuple(sorted(raw["sections"], key=len, reverse=True)),
    )


_SENTENCE_END = re.compile(r"[.:؛;,،]\W*$")
_PUNCT = re.compile(r"[.:؛;,،!؟?«»\"()\d]")
# "جدة ـ الرياض: «الشرق الأوسط»", "- هونغ كونغ: »الشرق الأوسط«", "بيروت: كارولين عاكوم".
_PLACE = r"(?:[-–]\s*)?(?P<place>[^\W\d_][^:«»()\d.،,!?؟\"]{0,40}?)"
_DATELINE_LINE = re.compile(_PLACE + r"\s*:\s*(?P<src>[«»][^«»]{1,40}[«»]|[^\s:«»().،,]+(?:\s[^\s:«»().،,]+){0,3})")
_DATELINE_LEAD = re.compile(_PLACE + r"\s*:\s*(?P<src>[«»][^«»]{1,40}[«»])\s*[-–:]?\s*(?P<rest>\S.*)$", re.S)
_RELATED_SOURCE = re.compile(r"(?P<src>[«»]?[^«»()]{1,40}?[«»]?)\s*\((?P<place>[^()]{1,40})\)")


def words(line: str) -> int:
    return line.count(" ") + 1


def is_title(line: str) -> bool:
    """A headline-like line: short and not closed like a sentence."""
    return words(line) <= 24 and not _SENTENCE_END.search(line)


def is_name(line: str) -> bool:
    """A person's name as printed in a byline: a few words, no punctuation or digits."""
    return words(line) <= 5 and not _PUNCT.search(line.replace("د.", ""))


def is_caption(line: str) -> bool:
    """A photo caption standing alone: a short line ending in a known credit, not a sentence."""
    parts = split_credit(line)
    return parts is not None and words(parts[0]) <= 45 and not _SENTENCE_END.search(parts[0])


def _place_ok(place: str) -> bool:
    return 1 <= words(place.strip()) <= 5


def _source_ok(src: str) -> bool:
    name = src.strip("«» ")
    return name in page_data().dateline_sources or agency_of(name) is not None


def dateline_line(line: str) -> str | None:
    """The whole line when it is only a dateline."""
    m = _DATELINE_LINE.fullmatch(line)
    if m and _place_ok(m["place"]) and words(line) <= 10:
        return line.lstrip("-– ")
    return None


def split_dateline(paragraph: str) -> tuple[str, str] | None:
    """(dateline, rest) when a paragraph opens with ``place: «source»``; the source must be known."""
    m = _DATELINE_LEAD.match(paragraph)
    if not (m and _place_ok(m["place"]) and _source_ok(m["src"])):
        return None
    dateline = paragraph[: m.start("rest")].rstrip(" -–:").lstrip("-– ")
    return dateline, m["rest"]


def related_source(line: str) -> tuple[str, str] | None:
    """(source, dateline city) of a related item's ``«الشرق الأوسط» (كييف)`` line."""
    m = _RELATED_SOURCE.fullmatch(line)
    if not m or words(line) > 8 or split_credit(line) is not None:
        return None
    return m["src"].strip("«» "), m["place"].strip()


def split_section(caption: str, shared: frozenset[str] = frozenset()) -> tuple[str | None, str]:
    """Split a section name glued before a caption: ``أوروبا حريق في …`` → (أوروبا, حريق في …)."""
    for name in (*page_data().sections, *sorted(shared, key=len, reverse=True)):
        if caption.startswith(name + " "):
            return name, caption[len(name) + 1:].lstrip()
    return None, caption
