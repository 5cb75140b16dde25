"""One check of every article at the model boundary, whatever route it came by.

Files, JSONL records, ``{"articles": [...]}`` documents and HTTP all end in
:func:`validate_article` (parse calls it, and the archive again before storing), so
no stored value can break a page or a later stage. Each field is coerced to its
type or refused: a refused optional field becomes None (its raw value kept in
``extra`` as ``<field>_raw``) with a warning on the article; an article without a
headline as text is refused with :class:`InputError`. Validating twice changes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from marsad import model
from marsad.arabic.hygiene import CONTROLS
from marsad.errors import InputError
from marsad.model import DateMention, EntityMention, Figure, Image, Quote, RelatedItem

_STR_FIELDS = ("deck", "author", "dateline", "id", "url", "outlet", "publisher", "section", "language",
               "source")
_KINDS = ("news", "opinion")
_ENTITY_TYPES = ("PERS", "LOC", "ORG", "MISC")
# C0 controls but tab and line ends, DEL, and lone surrogates: never part of a printed text.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_PARTIAL_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def validate_article(article) -> list[str]:
    """Coerce or refuse each field of ``article`` in place; returns the new warnings, which are also
    added to ``article.warnings``. Raises InputError when the article has no headline text."""
    warnings: list[str] = []
    headline = _text(article.headline, "headline", warnings)
    if headline is None:
        raise InputError("article has no headline")
    article.headline = headline
    for name in _STR_FIELDS:
        setattr(article, name, _text(getattr(article, name), name, warnings))
    if article.kind not in _KINDS:
        warnings.append(f"kind {_show(article.kind)} is not news or opinion: taken as news")
        article.kind = "news"
    article.extra = _extra(article.extra, warnings)
    article.published = _published(article, warnings)
    article.paragraphs = _paragraphs(article.paragraphs, warnings)
    article.images = _records(article.images, Image, "images", warnings)
    article.related = _records(article.related, RelatedItem, "related", warnings)
    _enrichment(article, warnings)
    article.warnings = _list(article.warnings)
    _long_body(article, warnings)
    article.warnings.extend(warnings)
    return warnings


def _long_body(article, warnings: list[str]) -> None:
    """Say when search and relate read only the start of a huge body (see Article.analyzed_body)."""
    size = article.body_chars()
    if size > model.ANALYZED_CHARS:
        note = (f"body: {size:,} characters, stored whole; search and related articles read its first "
                f"{model.ANALYZED_CHARS:,}")
        if note not in article.warnings:
            warnings.append(note)


def valid_iso_date(value: Any) -> bool:
    """True for a real calendar date or date-time in ISO form: YYYY, YYYY-MM, YYYY-MM-DD[Thh:mm...]."""
    if not isinstance(value, str) or _BAD_CHARS.search(value):
        return False
    m = _PARTIAL_ISO.match(value)
    if m:
        return _real_date(*(int(x) if x else 1 for x in m.groups()))
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def date_argument(name: str, value: str | None) -> str | None:
    """A date filter as given (YYYY, YYYY-MM or YYYY-MM-DD, a real date); InputError otherwise."""
    if value is None or (_PARTIAL_ISO.match(value) and valid_iso_date(value)):
        return value
    raise InputError(f"{name} {value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2018-06-01")


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any, name: str, warnings: list[str]) -> str | None:
    """A clean string, a number as its string, or None for anything else (with a warning)."""
    if isinstance(value, str):
        if _BAD_CHARS.search(value):
            if _SURROGATES.search(value):
                warnings.append(f"{name}: invalid characters (lone surrogates) replaced")
                value = _SURROGATES.sub("\ufffd", value)
            value = CONTROLS.sub("", value)
        return value
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        warnings.append(f"{name}: the number {value!r} taken as text")
        return str(value)
    warnings.append(f"{name}: a {type(value).__name__} is not text; dropped")
    return None


def _published(article, warnings: list[str]) -> str | None:
    """An ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as given, a date-time or a date in another usual
    form (RFC 822) as an ISO date-time, or None with a warning."""
    from marsad.parse.htmlmeta import iso_datetime

    value = article.published
    if value is None or value == "":
        return None
    if isinstance(value, str) and not _BAD_CHARS.search(value):
        m = _PARTIAL_ISO.match(value)
        if m and _real_date(*(int(x) if x else 1 for x in m.groups())):
            return value
        iso = None if m else iso_datetime(value)
        if iso:
            return iso
    warnings.append(f"published {_show(value)} is not a valid date: left empty")
    if _jsonable(value):
        article.extra.setdefault("published_raw", value)
    return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _paragraphs(value: Any, warnings: list[str]) -> list[str]:
    if isinstance(value, str):
        warnings.append("paragraphs: one text given, taken as one paragraph a line")
        value = [line for line in value.split("\n") if line.strip()]
    out = []
    for p in _list(value):
        text = _text(p, "paragraph", warnings)
        if text is not None:
            out.append(text)
    return out


def _records(items: Any, cls: type, name: str, warnings: list[str]) -> list:
    """Items of a list of Image or RelatedItem (dicts are read as such); bad items are dropped."""
    out = []
    for item in _list(items):
        try:
            record = cls(**item) if isinstance(item, dict) else item
            if not isinstance(record, cls):
                raise TypeError(f"a {type(item).__name__}")
            _check_record(record)
        except (TypeError, ValueError) as e:
            warnings.append(f"{name}: an item is not valid ({e}); dropped")
            continue
        out.append(record)
    return out


def _check_record(record) -> None:
    """Text fields of an Image or RelatedItem: the first required, the others optional."""
    first, *rest = record.__dataclass_fields__
    for key in (first, *rest):
        value = getattr(record, key)
        if key == "lead":
            record.lead = bool(value)
        elif key == "after_paragraph":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"after_paragraph {_show(value)}")
        elif value is not None or key == first:
            if not isinstance(value, str):
                raise ValueError(f"{key} is not text")
            setattr(record, key, CONTROLS.sub("", _SURROGATES.sub("\ufffd", value)))


def _extra(value: Any, warnings: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        warnings.append("extra: not an object; kept under 'value'")
        value = {"value": value}
    if not _jsonable(value):
        warnings.append("extra: values that JSON cannot hold were dropped")
        value = {str(k): v for k, v in value.items() if _jsonable(v)}
    return value


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError):
        return False
    return True


_MENTIONS = {"entities": EntityMention, "dates": DateMention, "figures": Figure, "quotes": Quote}


def _enrichment(article, warnings: list[str]) -> None:
    """Enrichment lists keep the mentions whose fields have their types and whose offsets index into
    the article's text; the others are dropped with one warning per list."""
    for key, cls in _MENTIONS.items():
        items = getattr(article, key)
        if items is None:
            continue
        kept = [m for m in (_mention(cls, x) for x in _list(items)) if m is not None and _fits(article, m)]
        if len(kept) < len(_list(items)) or not isinstance(items, list):
            warnings.append(f"{key}: {len(_list(items)) - len(kept)} invalid item(s) dropped")
        setattr(article, key, kept)


def _mention(cls: type, item: Any):
    try:
        m = cls(**item) if isinstance(item, dict) else item
    except TypeError:
        return None
    if not isinstance(m, cls) or not isinstance(m.text, str) or not _int(m.paragraph):
        return None
    names = (m.canonical, m.key) if cls in (EntityMention, Quote) else ()
    if not all(v is None or isinstance(v, str) for v in names):  # the archive stores them as text
        return None
    if cls is Quote:
        return m if m.speaker is None or isinstance(m.speaker, str) else None
    if not (_int(m.start) and _int(m.end)):
        return None
    if cls is EntityMention and m.type not in _ENTITY_TYPES:
        return None
    if cls is DateMention and not (valid_iso_date(m.iso) and len(m.iso) <= 10):
        return None
    if cls is Figure:
        if not isinstance(m.value, int | float) or isinstance(m.value, bool):
            return None
        m.value = float(m.value)
    return m


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fits(article, m) -> bool:
    """The mention's paragraph exists (-1: the headline) and its offsets lie within it."""
    if not -1 <= m.paragraph < len(article.paragraphs):
        return False
    if isinstance(m, Quote):
        return True
    return 0 <= m.start <= m.end <= len(article.text_at(m.paragraph))


def validate_page(page) -> None:
    """Validate every article of a parsed page; one that must be refused refuses the page, named."""
    for i, article in enumerate(page.articles, 1):
        try:
            validate_article(article)
        except InputError as e:
            where = f"article {i}: " if len(page.articles) > 1 else ""
            raise InputError(f"{where}{e.message}") from None


def validate_batch(batch: list, failed: list, warned: list) -> list:
    """The articles of ``batch`` fit to store; refused ones go to ``failed`` and every warning an
    article carries to ``warned`` (as :class:`marsad.model.Failure`)."""
    from marsad.model import Failure

    out = []
    for article in batch:
        source = article.source or (article.id if isinstance(article.id, str) else None) or "article"
        try:
            validate_article(article)
        except InputError as e:
            failed.append(Failure(source, "validate", e.message))
            continue
        warned.extend(Failure(source, "validate", w) for w in article.warnings)
        out.append(article)
    return out
