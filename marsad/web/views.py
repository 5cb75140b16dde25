"""HTML pages. Each handler loads its data from :mod:`marsad.web.load` and renders one template.

Handlers are ``async`` and read the archive on a worker thread (:mod:`marsad.web.deps`): pages with
:func:`deps.read`, and the two whose cost is not bounded by a page, search (what the reader typed) and
the home page (the story list, built again after every change of the archive), with
:func:`deps.off_loop`, whose few threads a slow search cannot take from the pages.
Templates render on the event loop: a few milliseconds of CPU, no blocking call.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from marsad.search.budget import WEB, OverBudget, check_text
from marsad.web import load, throttle
from marsad.web.deps import off_loop, read
from marsad.web.svg import timeline_svg

router = APIRouter(include_in_schema=False)
_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"  # YYYY, YYYY-MM or YYYY-MM-DD (empty: no limit)


def _page(request: Request, template: str, data: dict):
    return request.app.state.templates.TemplateResponse(request, template, data)


def _opt(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


async def home_data(request: Request, section: str | None = None, outlet: str | None = None) -> dict:
    # Off the event loop: after an ingest's commit, the story list is built again (a second or so).
    return await off_loop(request, lambda arc: load.home(arc, _opt(section), _opt(outlet)))


async def search_data(request: Request, q: str = Query("", max_length=WEB.max_chars),
                      page: int = Query(1, ge=1, le=1000),
                      outlet: str | None = None, section: str | None = None,
                      since: str | None = Query(None, pattern=_DATE),
                      until: str | None = Query(None, pattern=_DATE),
                      entity: str | None = None,
                      fold: bool = Query(True, description="false: every copy as its own hit")) -> dict:
    # What the reader typed decides what a search costs: a query over the budget is refused here, on
    # the event loop, for the price of parsing it; the rest runs on a worker thread under the budget.
    # A refused or costly search is a strike against its client (marsad.web.throttle).
    cpu = [0.0]

    def searched(arc) -> dict:
        start = time.thread_time()
        try:
            return load.search(arc, q.strip(), page, _opt(outlet), _opt(section), _opt(since),
                               _opt(until), _opt(entity), fold)
        finally:
            cpu[0] = time.thread_time() - start

    strikes, client = request.app.state.strikes, throttle.client_of(request.scope)
    try:
        check_text(q.strip())
        return await off_loop(request, searched)
    except OverBudget:
        cpu[0] = math.inf  # one strike, counted below
        raise
    finally:
        if cpu[0] > throttle.COSTLY:
            strikes.strike(client)


async def trends_data(request: Request, window: str = Query("1d", pattern="^(1h|1d)$"),
                      kind: str = Query("entity", pattern="^(entity|story|alert)$"),
                      now: str | None = Query(None, max_length=40, description="end of the window (ISO)"),
                      clock: str = Query("published", pattern="^(published|ingested)$")) -> dict:
    from marsad.watch.trends import parse_now, rising

    when = parse_now(_opt(now))

    def load_trends(arc) -> dict:
        data = asdict(rising(arc, kind, window, when, clock=clock))
        newest = arc.latest(limit=1) if not data["articles"] else []
        data["newest"] = newest[0].published if newest else None  # where an archive of past news ends
        return data

    return await read(request, load_trends)


HomeData = Annotated[dict, Depends(home_data)]
SearchData = Annotated[dict, Depends(search_data)]
TrendsData = Annotated[dict, Depends(trends_data)]


@router.get("/")
async def home_page(request: Request, data: HomeData):
    return _page(request, "home.html", data)


@router.get("/articles/{id}")
async def article_page(request: Request, id: str):
    return _page(request, "article.html", await read(request, lambda arc: load.article(arc, id)))


@router.get("/search")
async def search_page(request: Request, data: SearchData):
    return _page(request, "search.html", data)


@router.get("/entities")
async def entities_page(request: Request, type: str | None = Query(None, pattern="^(PERS|LOC|ORG|MISC)?$")):
    found = await read(request, lambda arc: arc.entities(limit=150, type=_opt(type)))
    return _page(request, "entities.html",
                 {"entities": found, "type": _opt(type), "types": load.ENTITY_TYPES})


@router.get("/entities/{id}")
async def entity_page(request: Request, id: str):
    data = await read(request, lambda arc: load.entity(arc, id))
    return _page(request, "entity.html", {**data, "chart": timeline_svg(data["timeline"])})


@router.get("/stories/{id}")
async def story_page(request: Request, id: str):
    return _page(request, "story.html", await read(request, lambda arc: load.story(arc, id)))


@router.get("/sources")
async def sources_page(request: Request):
    from marsad.web.health import sources

    return _page(request, "sources.html", await read(request, sources))


@router.get("/trends")
async def trends_page(request: Request, data: TrendsData):
    return _page(request, "trends.html", {**data, "type_labels": load.ENTITY_TYPES})
