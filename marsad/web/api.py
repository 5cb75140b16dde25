"""The JSON API under /api: the twin of every page, plus ingest of pages over HTTP.

As the pages do (:mod:`marsad.web.views`), handlers read the archive on worker threads."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request

from marsad.web import ingest, load
from marsad.web import schema as m
from marsad.web.deps import off_loop, read
from marsad.web.schema import answers
from marsad.web.views import HomeData, SearchData, TrendsData

router = APIRouter(prefix="/api", tags=["api"])
MAX_OFFSET = 1_000_000  # past any archive's end; larger offsets are refused, not passed to SQLite


@router.get("/search", responses=answers(m.SearchOut, 404, 429),
            summary="Search the archive (same JSON as `marsad search --json`)")
async def search(data: SearchData):
    return data["result"].to_dict()


@router.get("/home", responses=answers(m.HomeOut),
            summary="The home page: latest stories and latest articles, with filters")
async def home(data: HomeData):
    return data


@router.get("/articles", responses=answers(m.ArticlesOut), summary="Latest articles, newest first")
async def articles(request: Request, limit: int = Query(20, ge=1, le=200),
                   offset: int = Query(0, ge=0, le=MAX_OFFSET),
                   section: str | None = None, outlet: str | None = None):
    def latest(arc):
        found = arc.latest(limit=limit, offset=offset, section=section, outlet=outlet)
        return {"total": arc.count(), "articles": [load.summary(a) for a in found]}

    return await read(request, latest)


@router.get("/articles/{id}", responses=answers(m.ArticleOut, 404), summary="One article with its enrichment")
async def article(request: Request, id: str):
    return load.public(await read(request, lambda arc: arc.get(id).to_dict()))


@router.get("/articles/{id}/related", responses=answers(m.RelatedOut, 404),
            summary="Related articles, the article's story and its copies")
async def related(request: Request, id: str):
    data = await read(request, lambda arc: load.article(arc, id))
    return {key: data[key] for key in ("related", "story", "story_reports", "copies")}


@router.get("/stories", responses=answers(m.StoriesOut),
            summary="Stories (reports of one event across outlets), newest first")
async def stories(request: Request, limit: int = Query(50, ge=1, le=500),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET), since: str | None = None):
    return await off_loop(request, lambda arc: load.stories(arc, limit, offset, since))


@router.get("/stories/{id}", responses=answers(m.StoryOut, 404),
            summary="One story with its reports, oldest first")
async def story(request: Request, id: str):
    return await read(request, lambda arc: load.story(arc, id))


@router.get("/entities", responses=answers(m.EntitiesOut), summary="Canonical entities by number of articles")
async def entities(request: Request, limit: int = Query(100, ge=1, le=1000),
                   type: str | None = Query(None, pattern="^(PERS|LOC|ORG|MISC)$")):
    found = await read(request, lambda arc: arc.entities(limit=limit, type=type))
    return {"entities": [asdict(e) for e in found]}


@router.get("/entities/{id}", responses=answers(m.EntityOut, 404),
            summary="One entity: variants, monthly timeline, co-mentions, latest articles")
async def entity(request: Request, id: str):
    return await read(request, lambda arc: load.entity(arc, id))


@router.get("/trends", responses=answers(m.TrendsOut),
            summary="What is rising: entities, stories or alerts (`marsad trends --json`)")
async def trends(data: TrendsData):
    return data


@router.post("/pages", responses=answers(m.IngestOut, 403, 413), openapi_extra=m.PAGES_BODY,
            summary="Ingest one page or a batch (needs the ingest token)")
async def pages(request: Request):
    """Send `Authorization: Bearer <MARSAD_INGEST_TOKEN>` and either JSON
    `{"pages": [{"name", "content" | "html" | "text", "url", "outlet", "section", "published", "id"}]}`
    or one raw page with its Content-Type (`?name=` names it). Returns the stored ids and the failures;
    bodies over MARSAD_MAX_INGEST_BYTES are refused with 413."""
    return await ingest.handle(request)
