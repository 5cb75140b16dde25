"""Text helpers for templates: bidi isolation of Latin runs inside Arabic, dates, snippets."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Template
from jinja2.utils import url_quote
from markupsafe import Markup, escape

# A run of Latin words (with digits and inner punctuation) inside Arabic text.
_LATIN_RUN = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F0-9'’&.\-]*"
                        r"(?:[ ]+[A-Za-z\u00C0-\u024F0-9][A-Za-z\u00C0-\u024F0-9'’&.\-]*)*")
MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
              "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
_WEB_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2}))?")


# C0 controls but tab and line ends, DEL, C1 controls: never text a reader should see (NUL and \x02
# came in titles of real exports), and some break what a browser does with the page.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PrintableTemplate(Template):
    """A template whose pages hold no control character, whatever the data held: one pass over the
    page costs less than a look at each value printed."""

    def render(self, *args, **kwargs) -> str:
        return _CONTROLS.sub("", super().render(*args, **kwargs))


# Outlet names and facet labels come back on every page. Typed: a Markup is not escaped again, a str is.
@lru_cache(maxsize=4096, typed=True)
def isolate_latin(text: str | None) -> Markup:
    """Escape ``text`` and wrap each Latin run in ``<bdi>`` so it keeps its own direction."""
    if not text:
        return Markup("")
    out: list[str] = []
    pos = 0
    for m in _LATIN_RUN.finditer(text):
        out.append(str(escape(text[pos:m.start()])))
        out.append(f"<bdi>{escape(m.group())}</bdi>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def arabic_date(iso: str | None, with_time: bool = False) -> str:
    """'2025-10-09T14:05:00+00:00' -> '9 أكتوبر 2025' (and the time when asked)."""
    m = _ISO_DATE.match(iso or "")
    if not m:
        return iso or ""
    year, month, day, hour, minute = m.groups()
    text = f"{MONTHS_AR[int(month) - 1]} {year}"
    if day:
        text = f"{int(day)} {text}"
    if with_time and hour:
        text = f"{text}، {hour}:{minute}"
    return text


def month_label(ym: str) -> str:
    """'2018-03' -> 'مارس 2018'."""
    return arabic_date(ym)


def safe_snippet(snippet: str) -> Markup:
    """Search snippets are already escaped with only <mark> tags added; re-check that before trusting."""
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    if "<" in plain or ">" in plain:
        return Markup(escape(snippet))
    return Markup(snippet)


def with_param(params: dict, key: str, value) -> dict:
    """Query parameters for a link: ``params`` with ``key`` set (page resets), empty values dropped."""
    out = {k: v for k, v in params.items() if v and k not in (key, "page")}
    out[key] = value
    return out


def without_param(params: dict, key: str) -> dict:
    return {k: v for k, v in params.items() if v and k not in (key, "page")}


def query_with(query: str, key: str, value) -> str:
    """An urlencoded ``query`` with ``key=value`` added last, encoded as Jinja's ``urlencode`` encodes a
    dict: ``params | dict_without(key) | urlencode | query_with(key, value)`` is
    ``params | dict_with(key, value) | urlencode``, with the common part encoded once for many values."""
    pair = f"{url_quote(key, for_qs=True)}={_query_value(value)}"
    return f"{query}&{pair}" if query else pair


@lru_cache(maxsize=4096, typed=True)  # facet values come back on every page
def _query_value(value) -> str:
    return url_quote(value, for_qs=True)


@cache
def _data(name: str) -> dict:
    return json.loads((Path(__file__).parent / "data" / name).read_text(encoding="utf-8"))


def section_label(section: str | None) -> str:
    """An outlet's section key as an Arabic label ('middleEast' -> 'الشرق الأوسط'); unknown keys as given."""
    return _data("sections.json").get(section or "", section or "")


def counted(n: int, noun: str) -> str:
    """A number with its noun in Arabic agreement: 1 'مقال واحد', 2 'مقالان', 5 '5 مقالات', 20 '20 مقالاً'."""
    one, two, few, many = _data("counted.json")[noun]
    if n in (1, 2):
        return one if n == 1 else two
    return f"{n} {few if 3 <= n % 100 <= 10 else many}"


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s); anything else (javascript:, data:) is never made a link."""
    return url if url and _WEB_URL.match(url) else None
