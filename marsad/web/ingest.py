"""POST /api/pages: parse, enrich and store pages sent over HTTP, behind a token and a size limit.

The body is either JSON ``{"pages": [{"name", "content" | "html" | "text", ...metadata}]}`` (one page may
also be sent as the object itself) or one raw page whose Content-Type says what it is.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from marsad.errors import Forbidden, InputError, MarsadError, TooLarge
from marsad.model import Article, Failure

_BODY_KEYS = (("content", None), ("html", "text/html"), ("text", "text/plain"))
_META = ("id", "url", "outlet", "publisher", "section", "published")


def check_token(header: str | None, token: str) -> None:
    if not token:
        raise Forbidden("ingest over HTTP is off: set MARSAD_INGEST_TOKEN")
    given = (header or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Forbidden("a valid ingest token is required (Authorization: Bearer …)")


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


Item = tuple[str, bytes, str | None, dict]  # name, bytes, content type, metadata


def pages_from_body(body: bytes, content_type: str, name: str | None) -> list[Item]:
    """(name, bytes, content type, metadata) for each page in the request."""
    kind = content_type.split(";")[0].strip().lower()
    if kind != "application/json":
        return [(name or "page", body, content_type or None, {})]
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise InputError(f"the JSON body does not parse: {e}") from None
    items = doc.get("pages", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError('expected {"pages": [{"name", "content"|"html"|"text"}]}')
    return [_json_page(i, item) for i, item in enumerate(items)]


def _json_page(i: int, item: Any) -> Item:
    if not isinstance(item, dict):
        raise InputError(f"pages[{i}] is not an object")
    for key, ctype in _BODY_KEYS:
        if isinstance(item.get(key), str):
            meta = {k: str(item[k]) for k in _META if item.get(k)}
            return str(item.get("name") or f"page-{i}"), item[key].encode("utf-8"), ctype, meta
    raise InputError(f'pages[{i}] has no "content", "html" or "text"')


def parse_pages(items: list[Item], max_page_bytes: int) -> tuple[list[Article], list[Failure]]:
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


def store(pool, items: list[Item]) -> dict[str, Any]:
    from marsad.archive import open_archive

    articles, failed = parse_pages(items, pool.settings.max_page_bytes)
    with pool.write_lock, open_archive(pool.settings.db) as arc:
        report = arc.put(articles)
    report.failed = failed + report.failed
    return {"ids": report.ids, "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            "failed": [{"source": f.source, "stage": f.stage, "reason": f.reason} for f in report.failed]}


async def handle(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    check_token(request.headers.get("authorization"), settings.ingest_token)
    body = await read_limited(request, settings.max_ingest_bytes)
    items = pages_from_body(body, request.headers.get("content-type", ""), request.query_params.get("name"))
    return await run_in_threadpool(store, request.app.state.pool, items)
