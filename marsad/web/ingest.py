"""POST /api/pages: parse, enrich and store pages sent over HTTP, behind a token and a size limit.

The body is either JSON ``{"pages": [{"name", "content" | "html" | "text", ...metadata}]}`` (one page may
also be sent as the object itself) or one raw page whose Content-Type says what it is.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any

from fastapi import Request

from marsad.errors import ArchiveError, Forbidden, InputError, MarsadError, TooLarge
from marsad.model import Article, Failure
from marsad.settings import Database

_BODY_KEYS = (("content", None), ("html", "text/html"), ("text", "text/plain"))
_META = ("id", "url", "outlet", "publisher", "section", "published")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_token(header: str | None, token: str) -> None:
    if not token:
        raise Forbidden("ingest over HTTP is off: set MARSAD_INGEST_TOKEN")
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("a valid ingest token is required (Authorization: Bearer …)")


async def spool(request: Request, limit: int):
    """The request body in a temporary file (memory stays flat however large the body), refused with 413
    past ``limit`` bytes, read from its start."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body is over the limit of {limit} bytes")
    # A named file: the ingest process opens it by its name. Handed to the caller, who closes it.
    body, size = tempfile.NamedTemporaryFile(prefix="marsad-post-"), 0  # noqa: SIM115
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"the request body is over the limit of {limit} bytes")
            body.write(chunk)
    except BaseException:
        body.close()
        raise
    if not size:
        body.close()
        raise InputError("the request has no body: send a page, or JSON {\"pages\": […]}")
    body.flush()
    body.seek(0)
    return body


Item = tuple[str, bytes, str | None, dict]  # name, bytes, content type, metadata


def pages_from_body(body: IO[bytes], content_type: str, name: str | None) -> Iterator[Item]:
    """(name, bytes, content type, metadata) for each page in the request, one at a time."""
    kind = content_type.split(";")[0].strip().lower()
    if kind != "application/json":
        yield name or "page", body.read(), content_type or None, {}
        return
    items = _json_pages(body)
    for i in range(len(items)):
        yield _json_page(i, items[i])
        items[i] = None  # its text is parsed: let it go before the next page's


def _json_pages(body: IO[bytes]) -> list:
    try:
        doc = json.load(body, object_pairs_hook=_no_surrogates)
    except RecursionError:
        raise InputError("the JSON body nests too deeply") from None
    except ValueError as e:  # UnicodeDecodeError included
        raise InputError(f"the JSON body does not parse: {e}") from None
    items = doc.get("pages", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError('expected {"pages": [{"name", "content"|"html"|"text"}]}')
    return items


def _no_surrogates(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object, refused when a key or text value holds a lone surrogate (escaped as \\ud800):
    no UTF-8 text can hold one, so no page or field could be stored."""
    for key, value in pairs:
        if _SURROGATE.search(key) or (isinstance(value, str) and _SURROGATE.search(value)):
            raise InputError(f"the JSON field {key!r} holds a lone surrogate escape, which is not text")
    return dict(pairs)


def _json_page(i: int, item: Any) -> Item:
    if not isinstance(item, dict):
        raise InputError(f"pages[{i}] is not an object")
    wrong = next((k for k in ("name", *_META, *dict(_BODY_KEYS)) if item.get(k) is not None
                  and not isinstance(item[k], str)), None)
    if wrong:
        raise InputError(f"pages[{i}].{wrong} must be a string")
    for key, ctype in _BODY_KEYS:
        if isinstance(item.get(key), str):
            meta = {k: item[k] for k in _META if item.get(k)}
            return str(item.get("name") or f"page-{i}"), item[key].encode("utf-8"), ctype, meta
    raise InputError(f'pages[{i}] has no "content", "html" or "text"')


def parse_pages(items: Iterable[Item], max_page_bytes: int) -> tuple[list[Article], list[Failure]]:
    """Parse and enrich every page; a bad page is reported and the rest go on."""
    from marsad.enrich import enrich_article
    from marsad.parse import parse_bytes

    articles, failed = [], []
    for name, data, ctype, meta in items:
        try:
            page = parse_bytes(data, name, ctype, max_bytes=max_page_bytes)
        except MarsadError as e:
            failed.append(Failure(name, "parse", e.message))
            continue
        for a in page.articles:
            for key, value in meta.items():
                if key != "id" or len(page.articles) == 1:  # one id cannot name several articles
                    setattr(a, key, getattr(a, key) or value)
            a.source = a.source or f"api:{name}"
            articles.append(enrich_article(a))
    return articles, failed


def store(db: Database, max_page_bytes: int, body: str, content_type: str,
          name: str | None) -> dict[str, Any]:
    """Parse, enrich and store the pages of a spooled request body; runs in the ingest process."""
    from marsad.archive import open_archive

    with open(body, "rb") as f:
        articles, failed = parse_pages(pages_from_body(f, content_type, name), max_page_bytes)
    with open_archive(db) as arc:
        report = arc.put(articles)
    report.failed = failed + report.failed
    return {"ids": report.ids, "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            "failed": [{"source": f.source, "stage": f.stage, "reason": f.reason} for f in report.failed]}


async def handle(request: Request) -> dict[str, Any]:
    """Parsing and enrichment hold Python's lock for seconds at a time: in the server's process they
    would slow every page it serves meanwhile. They run in a process of their own (one: it is also
    the only writer), which reads the body from its temporary file."""
    settings = request.app.state.settings
    check_token(request.headers.get("authorization"), settings.ingest_token)
    kind, name = request.headers.get("content-type", ""), request.query_params.get("name")
    pool = request.app.state.pool
    with await spool(request, settings.max_ingest_bytes) as body:
        try:
            job = pool.ingester().submit(store, settings.db, settings.max_page_bytes, body.name, kind, name)
            return await asyncio.wrap_future(job)
        except BrokenProcessPool:  # killed (out of memory?): the next request starts another
            pool.drop_ingester()
            raise ArchiveError("the ingest process stopped before storing these pages; send them again") \
                from None
