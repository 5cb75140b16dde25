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
    dateline_places: frozenset[str]  # places a dateline may name with no source: "لندن: …", "بيروت - …"
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
        dateline_places=frozenset(raw["dateline_places"]),
        sections=tuple(sorted(raw["sections"], key=len, reverse=True)),
    )


_SENTENCE_PUNCT = frozenset(".:؛;,،")
_CLOSERS = " »«\"'”’)]}"  # closing marks that may follow a sentence's last stop
_PUNCT = re.compile(r"[.:؛;,،!؟?«»\"()\d]")
# "جدة ـ الرياض: «الشرق الأوسط»", "- هونغ كونغ: »الشرق الأوسط«" (print text keeps guillemets in visual
# order), "بيروت: كارولين عاكوم", "واشنطن: علي بردى عواصم: »الشرق الأوسط«".
_WORD_CHAR = r"[^\s:«»()\d.،,!?؟\"]"
_WORD = _WORD_CHAR + "+"
_PLACE = rf"(?P<place>[^\W\d_]{_WORD_CHAR}*(?:\s(?:[ـ-]\s)?{_WORD}){{0,4}})"
_QUOTE = r"[«»][^«»]{1,40}[«»]"
_QUOTED = re.compile(r"[«»]([^«»]{1,40})[«»]")
# "place: source" (a quoted source, or a reporter's name of up to three words), or "place - «source»".
_NAME = rf"{_WORD}(?:\s{_WORD}){{0,2}}"
_PART = rf"{_PLACE.replace('?P<place>', '')}(?:\s*:\s*(?:{_QUOTE}|{_NAME})|\s+[-–ـ]\s+{_QUOTE})"
_DATELINE_LINE = re.compile(rf"(?:[-–]\s*)?{_PART}(?:\s+{_PART})*")
_DATELINE_LEAD = re.compile(
    rf"(?:[-–]\s*)?{_PLACE}(?:\s*:\s*|\s+[-–ـ]\s+)(?P<src>{_QUOTE})\s*[-–:]?\s*(?P<rest>\S.*)$", re.S)
_PLACE_LEAD = re.compile(rf"(?:[-–]\s*)?{_PLACE}(?:\s*:\s*|\s+[-–ـ]\s+)(?P<rest>[^\W\d_«»].*)$", re.S)
_RELATED_SOURCE = re.compile(r"(?P<src>[«»]?[^«»()]{1,40}?[«»]?)\s*\((?P<place>[^()]{1,40})\)")


def ends_sentence(line: str) -> bool:
    """True when the line closes like a sentence or a clause: "…جداً»." or "قال:"."""
    return line.rstrip(_CLOSERS)[-1:] in _SENTENCE_PUNCT


def words(line: str) -> int:
    return line.count(" ") + 1


def is_title(line: str) -> bool:
    """A headline-like line: short and not closed like a sentence."""
    return words(line) <= 24 and not ends_sentence(line)


def is_name(line: str) -> bool:
    """A person's name as printed in a byline: a few words, no punctuation or digits."""
    return words(line) <= 5 and not _PUNCT.search(line.replace("د.", ""))


def caption_parts(line: str) -> tuple[str, str, str] | None:
    """(caption, credit, agency) of a photo caption standing alone: a line that is not a sentence,
    ending in a credit in parentheses (known, or short and credit-like)."""
    parts = split_credit(line, known_only=False)
    if parts is None or words(parts[0]) > 45 or ends_sentence(parts[0]):
        return None
    return parts


def is_caption(line: str) -> bool:
    return caption_parts(line) is not None


def _source_ok(src: str) -> bool:
    name = src.strip("«» ")
    return name in page_data().dateline_sources or agency_of(name) is not None


def dateline_line(line: str) -> str | None:
    """The whole line when it is only a dateline."""
    if (words(line) <= 12 and _DATELINE_LINE.fullmatch(line)
            and all(_source_ok(src) for src in _QUOTED.findall(line))):
        return line.lstrip("-– ")
    return None


def split_dateline(paragraph: str) -> tuple[str, str] | None:
    """(dateline, rest) when a paragraph opens with ``place: «source»`` (a known source), or with a
    known place alone: ``لندن: …``, ``بيروت - …``."""
    m = _DATELINE_LEAD.match(paragraph)
    if m and _source_ok(m["src"]):
        return paragraph[: m.start("rest")].rstrip(" -–:").lstrip("-– "), m["rest"]
    m = _PLACE_LEAD.match(paragraph)
    if m and m["place"] in page_data().dateline_places:
        return m["place"], m["rest"]
    return None


def related_source(line: str) -> tuple[str, str] | None:
    """(source, dateline city) of a related item's ``«الشرق الأوسط» (كييف)`` line."""
    m = _RELATED_SOURCE.fullmatch(line)
    if not m or words(line) > 8 or not _source_ok(m["src"]) or split_credit(line) is not None:
        return None
    return m["src"].strip("«» "), m["place"].strip()


def split_section(caption: str, shared: frozenset[str] = frozenset()) -> tuple[str | None, str]:
    """Split a section name glued before a caption: ``أوروبا حريق في …`` → (أوروبا, حريق في …)."""
    for name in (*page_data().sections, *sorted(shared, key=len, reverse=True)):
        if caption.startswith(name + " "):
            return name, caption[len(name) + 1:].lstrip()
    return None, caption
