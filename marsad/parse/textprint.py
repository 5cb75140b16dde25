"""Print-edition page text: the page furniture at its top, and a headline run into the body.

Text taken from a print page (a PDF, a press reader) opens with furniture: the issue number, the
page number and section, the date line and the paper's name in Arabic and Latin letters, either on
lines of their own or run into the first line of text. Justified body text stretches its words with
tatweel while headlines do not, so on a line where everything runs together the unstretched words
before the first stretched one are the headline. The furniture words are data
(``print_furniture`` in ``marsad/data/textpage.json``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from marsad.parse.detatweel import TATWEEL, is_stretched

# Three words in a row that are not furniture: the page's own text has begun.
_TEXT_RUN = 3
# Furniture run into the first line of text has at least this many items (an issue number alone may be
# a headline's "العدد 300").
_RUN_IN_TOKENS = 5
# A headline has a few words; fewer before the first stretched word is not a headline.
_MIN_HEADLINE = 3
_MAX_HEADLINE = 40  # an overline and a headline together
_SENTENCE_MARKS = re.compile("[.،؛,;]")
_MARKS = "\u064b-\u0652\u0670"
_LEADING_MARKS = re.compile(f"^[{_MARKS}\\s]+")  # a stray tanween the extraction put first


@cache
def _furniture() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a furniture token at a position, the mark of a print page: an issue number)."""
    raw = json.loads(resources.files("marsad.data").joinpath("textpage.json").read_text("utf-8"))
    data = raw["print_furniture"]
    names = sorted((*data["paper_names"], *data["words"]), key=len, reverse=True)
    known = "|".join(re.escape(n) for n in names)
    token = re.compile(rf"\s*(?:(?P<known>{known})(?!\w)|(?P<latin>[A-Za-z][\w.-]*)|(?P<num>[\d/.]+)|"
                       rf"(?P<dash>[-–|])|(?P<other>\S+))")
    return token, re.compile(data["issue"], re.I)


def strip_furniture(lines: list[str]) -> list[str] | None:
    """The page's lines without the print furniture at its top; None when it opens with none."""
    token, issue = _furniture()
    k = 0
    while k < len(lines) and _furniture_end(lines[k], token) == len(lines[k]):
        k += 1
    found = any(issue.search(s) for s in lines[:k])
    rest = lines[k:]
    if rest:
        end = _furniture_end(rest[0], token)
        prefix = rest[0][:end]
        # Run into the text, the furniture is a string of items: "4 لبنان NEWS Issue 17241 - العدد …".
        if issue.search(prefix) and len(token.findall(prefix)) >= _RUN_IN_TOKENS:
            rest[0] = _LEADING_MARKS.sub("", rest[0][end:])
            found = True
    return rest if found else None


def _furniture_end(line: str, token: re.Pattern[str]) -> int:
    """Where the furniture opening ``line`` ends (0 when none): after the last furniture token before
    the first run of words that are not furniture (a section name of one or two words may sit inside)."""
    end = pos = plain = 0
    while pos < len(line) and plain < _TEXT_RUN:
        m = token.match(line, pos)
        if m is None or m.end() == pos:
            break
        if m["other"] and pos == 0:
            return 0  # furniture opens the line, or there is none
        pos = m.end()
        if m["other"]:
            plain += 1
        else:
            end, plain = pos, 0
    return end


def split_heading(line: str) -> tuple[str, str] | None:
    """(headline, body) of a print line that runs an unstretched headline into stretched body text."""
    words = line.split(" ")
    first = next((k for k, w in enumerate(words) if TATWEEL in w and is_stretched(w)), None)
    if first is None or not _MIN_HEADLINE <= first <= _MAX_HEADLINE:
        return None
    heading = " ".join(words[:first])
    # Body text that merely starts unstretched carries a sentence's commas or full stops.
    if _SENTENCE_MARKS.search(heading.replace("...", "").replace("…", "")):
        return None
    return heading, " ".join(words[first:])
