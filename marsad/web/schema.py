"""The shapes the JSON API answers with, for its OpenAPI document.

They document and are checked by the API fuzz tests (``tests/web/test_fuzz.py``); handlers still return
plain dicts, so no response pays for validation. Errors are declared as they are sent: 400 (never
FastAPI's 422) for a bad request, 404, 503 while the archive is unavailable.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

Text = str | None


class _Error(BaseModel):
    code: str
    message: str
    status: int


class ErrorBody(BaseModel):
    error: _Error


class Hit(BaseModel):
    id: str
    url: Text
    title: str
    outlet: Text
    published: Text
    score: float
    snippet: str
    copies: int


class SearchOut(BaseModel):
    total: int
    hits: list[Hit]


class Summary(BaseModel):
    id: str
    headline: str
    outlet: Text
    section: Text
    published: Text
    url: Text
    lead: str


class ArticlesOut(BaseModel):
    total: int
    articles: list[Summary]


class StoryM(BaseModel):
    id: str
    title: str
    articles: list[str]
    outlets: list[str]
    first_seen: Text
    last_seen: Text


class StoriesOut(BaseModel):
    total: int
    stories: list[StoryM]


class StoryOut(BaseModel):
    story: StoryM
    reports: list[Summary]
    thread: list[StoryM] = []  # the other stories of its storyline (follow-ups, related events), oldest first


class EntityM(BaseModel):
    id: str
    name: str
    type: str
    articles: int


class TrendM(BaseModel):
    kind: str
    id: str
    name: str
    count: int
    share: float
    baseline: float
    expected: float
    z: float
    rising: bool
    type: Text
    outlets: int
    new_outlets: int
    breaking: bool


class TrendsOut(BaseModel):
    kind: str
    window: str
    now: str
    clock: str
    articles: int
    baseline_windows: int
    items: list[TrendM]
    newest: Text  # publication time of the newest article, when the window has none


class EntitiesOut(BaseModel):
    entities: list[EntityM]


class EntityOut(EntityM):
    type_label: str
    variants: list[str]
    timeline: list[tuple[str, int]]  # (YYYY-MM, articles)
    co_mentioned: list[EntityM]
    latest: list[Summary]


class RelatedHit(BaseModel):
    id: str
    title: str
    outlet: Text
    published: Text
    score: float
    reason: str


class RelatedOut(BaseModel):
    related: list[RelatedHit]
    story: StoryM | None
    story_reports: list[Summary]
    copies: list[str]


class ArticleOut(BaseModel):
    """The article as `marsad parse --json` gives it, with its metadata and enrichment."""

    model_config = ConfigDict(extra="allow")
    headline: str
    paragraphs: list[str]
    id: str
    source: Text = None  # where it came from: a URL, an API page name or a file name, never a server path


class Lead(BaseModel):
    story: StoryM
    lead: Summary


class HomeOut(BaseModel):
    stories: list[Lead]
    latest: list[Summary]
    facets: dict[str, list[tuple[str, int]]]
    section: Text
    outlet: Text


class _Failure(BaseModel):
    source: str
    stage: str
    reason: str


class IngestOut(BaseModel):
    ids: list[str]
    new: int
    updated: int
    unchanged: int
    failed: list[_Failure]


_PAGE_FIELDS = ("name", "content", "html", "text", "id", "url", "outlet", "publisher", "section", "published")
PAGES_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["pages"], "properties": {"pages": {
        "type": "array", "minItems": 1, "items": {"type": "object", "properties": {
            k: {"type": ["string", "null"]} for k in _PAGE_FIELDS}}}}}},
    "text/html": {"schema": {"type": "string"}},
    "text/plain": {"schema": {"type": "string"}}}}}

_WHY = {400: "A bad request: a parameter out of range, a query over the search budget, a body that does "
             "not parse", 403: "No valid ingest token", 404: "No such record", 413: "The body is too large",
        429: "Too many searches over the budget from this address: search again after Retry-After seconds",
        503: "The archive is unavailable"}


def answers(model: type[BaseModel], *errors: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: ``model`` on success, the error shape for each status in ``errors``
    (400 and 503 on every route)."""
    out: dict[int | str, dict[str, Any]] = {200: {"model": model}}
    for status in sorted({400, 503, *errors}):
        out[status] = {"model": ErrorBody, "description": _WHY[status]}
    return out


def install(app: FastAPI) -> None:
    """The app's OpenAPI document without the 422 responses FastAPI declares but this API never sends."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
            for ops in spec.get("paths", {}).values():
                for op in ops.values():
                    op.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                spec.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
