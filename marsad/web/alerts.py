"""The alerts on the reader: a page listing them, a page of each alert's matches over time, and each
alert's matches as an Atom feed (``/alerts/{name}.atom``, newest first), which feed readers poll.

Readers see what :meth:`marsad.model.Alert.public` gives: never a webhook address, a secret or an email
address. Links in the feed are absolute, from ``settings.base_url``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request, Response

from marsad.web import load, text
from marsad.web.deps import read
from marsad.web.svg import timeline_svg

router = APIRouter(include_in_schema=False)
FEED_ENTRIES = 100
PAGE_MATCHES = 50
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 does not allow (an archive's text may hold them; a feed with one is not XML).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def listing(arc) -> dict[str, Any]:
    """Every alert with its number of matches and its latest match time."""
    from marsad.watch.alerts import overview

    return {"alerts": [row for _, row in overview(arc)]}


def matches(arc, name: str, limit: int) -> dict[str, Any]:
    """One alert, its matches per day and its latest ``limit`` matches (newest first) with their
    articles; NotFound for an unknown alert."""
    state = arc.backend.alerts
    alert = state.get(name)
    found = state.matches(name, limit=limit)
    listed = {s["id"]: s for s in load.summaries(arc, [i for i, _ in found])}
    items = [{**listed[i], "matched_at": when} for i, when in found if i in listed]
    days = state.match_days(name)
    return {"alert": alert.public(), "items": items, "days": days, "total": sum(n for _, n in days)}


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + quote(path)


def _add(parent: ET.Element, tag: str, value: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if value is not None:
        node.text = _NOT_XML.sub("", value)
    return node


def atom(data: dict[str, Any], base: str) -> bytes:
    """The Atom document of an alert's matches (:func:`matches`), newest first."""
    ET.register_namespace("", ATOM)
    alert = data["alert"]
    page = _url(base, f"/alerts/{alert['name']}")
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "ar"})
    _add(feed, "id", page + ".atom")
    _add(feed, "title", f"مرصد — تنبيه: {alert['name']}")
    _add(feed, "subtitle", alert["query"])
    _add(feed, "updated", data["items"][0]["matched_at"] if data["items"] else alert["created"])
    _add(feed, "link", rel="self", type="application/atom+xml", href=page + ".atom")
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    _add(_add(feed, "author"), "name", "مرصد")
    _add(feed, "generator", "marsad")
    for item in data["items"]:
        entry = _add(feed, "entry")
        reader = _url(base, f"/articles/{item['id']}")
        _add(entry, "id", reader)
        _add(entry, "title", item["headline"] or item["id"])
        _add(entry, "updated", item["matched_at"])
        if item["published"] and _RFC3339.match(item["published"]):
            _add(entry, "published", item["published"])
        _add(entry, "link", rel="alternate", type="text/html", href=reader)
        if text.web_url(item["url"]):
            _add(entry, "link", rel="related", type="text/html", href=item["url"])
        if item["outlet"]:
            _add(_add(entry, "author"), "name", item["outlet"])
        if item["lead"]:
            _add(entry, "summary", item["lead"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@router.get("/alerts")
async def alerts_page(request: Request):
    data = await read(request, listing)
    return request.app.state.templates.TemplateResponse(request, "alerts.html", data)


@router.get("/alerts/{name}.atom")
async def alert_feed(request: Request, name: str):
    data = await read(request, lambda arc: matches(arc, name, FEED_ENTRIES))
    body = atom(data, request.app.state.settings.base_url)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/alerts/{name}")
async def alert_page(request: Request, name: str):
    data = await read(request, lambda arc: matches(arc, name, PAGE_MATCHES))
    chart = timeline_svg(data["days"], title="ما طابقه التنبيه يومياً")
    return request.app.state.templates.TemplateResponse(request, "alert.html", {**data, "chart": chart})
