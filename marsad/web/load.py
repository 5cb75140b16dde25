"""What each page shows, loaded from the archive as plain data.

Every function here feeds one HTML page and its JSON twin; handlers only pick
the output format. Relate, search and enrichment are called through their
public functions so the reader shows whatever those stages know.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import fields, replace
from typing import Any

from marsad import relate
from marsad.errors import NotFound
from marsad.model import Article, EntitySummary, Image, SearchResult, Story
from marsad.search import budget
from marsad.search import facets as faceting
from marsad.web.cache import cached

ENTITY_TYPES = {"PERS": "شخص", "LOC": "مكان", "ORG": "منظمة", "MISC": "أخرى"}
PER_PAGE = 10
ENTITY_FACET = 12  # entities the search page's facet offers
HOME_STORIES = 24
# Stories scanned for one home page when filtering by section.
_SCAN_LIMIT = 400


def plain(record) -> dict[str, Any]:
    """A dataclass record's fields as a dict, values shared (``asdict`` deep-copies: slower, and
    nothing here changes them)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def facets(arc) -> dict[str, list[tuple[str, int]]]:
    return cached(arc, "facets", arc.facets)


def all_stories(arc) -> list[Story]:
    """Every story, newest first."""
    return cached(arc, "stories", lambda: sorted(relate.stories(arc), key=_story_key, reverse=True))


def public(article: dict[str, Any]) -> dict[str, Any]:
    """An article's JSON for readers: ``source`` keeps a URL or an API page name, and of a file on the
    server's disk only its name (and record number), never the folders it sits in."""
    source = article.get("source")
    if source and not re.match(r"(https?|api):", source):
        path, sep, record = source.partition("#")
        article["source"] = re.split(r"[/\\]", path)[-1] + sep + record
    return article


def summary(a: Article) -> dict[str, Any]:
    """The few fields a list of articles shows."""
    lead = a.deck or (a.paragraphs[0] if a.paragraphs else "")
    return {"id": a.id, "headline": a.headline, "outlet": a.outlet, "section": a.section,
            "published": a.published, "url": a.url, "lead": _clip(lead, 220)}


def summaries(arc, ids: list[str]) -> list[dict[str, Any]]:
    """List fields of many articles, read at once (no article decoded whole), oldest first."""
    found = [{**plain(s), "lead": _clip(s.lead, 220)} for s in arc.store.summaries(ids)]
    return sorted(found, key=lambda x: x["published"] or "")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "…"


def _story_key(s: Story) -> str:
    return s.last_seen or s.first_seen or ""


def home(arc, section: str | None = None, outlet: str | None = None) -> dict[str, Any]:
    """Latest stories (newest first) with their lead report, and the latest articles beside them."""
    stories = all_stories(arc)
    if outlet:
        stories = [s for s in stories if outlet in s.outlets]
    stories = stories[:_SCAN_LIMIT]
    leads = {x["id"]: x for x in summaries(arc, [s.articles[0] for s in stories])}
    shown = [s for s in stories
             if s.articles[0] in leads and (not section or leads[s.articles[0]]["section"] == section)]
    picked = [{"story": plain(s), "lead": leads[s.articles[0]]} for s in shown[:HOME_STORIES]]
    latest = [summary(a) for a in arc.latest(limit=HOME_STORIES, section=section, outlet=outlet)]
    return {"stories": picked, "latest": latest, "facets": facets(arc),
            "section": section, "outlet": outlet}


def body_blocks(a: Article) -> list[tuple[str, Any]]:
    """Paragraphs with the inline photos where they stood: ('p', text) and ('img', Image)."""
    inline: dict[int, list[Image]] = {}
    for img in a.images:
        if not img.lead and img.after_paragraph is not None:
            inline.setdefault(img.after_paragraph, []).append(img)
    blocks: list[tuple[str, Any]] = []
    for i, p in enumerate(a.paragraphs):
        blocks.extend(("img", img) for img in inline.get(i, []))
        blocks.append(("p", p))
    blocks.extend(("img", img) for img in inline.get(len(a.paragraphs), []))
    return blocks


def entity_margin(a: Article) -> list[dict[str, Any]]:
    """The article's entities, one per canonical name, most mentioned first; ids are the keys
    enrichment gave the mentions."""
    counts: Counter[tuple[str | None, str, str]] = Counter()
    for m in a.entities or []:
        counts[(m.key, m.canonical or m.text, m.type)] += 1
    return [{"id": key, "name": name, "type": typ, "type_label": ENTITY_TYPES.get(typ, typ),
             "mentions": n} for (key, name, typ), n in counts.most_common()]


def quotes(a: Article) -> list[dict[str, Any]]:
    return [{"text": q.text, "speaker": q.speaker, "speaker_id": q.key} for q in a.quotes or []]


def related(arc, id: str, limit: int = 6) -> list[dict[str, Any]]:
    hits = cached(arc, ("related", id, limit), lambda: relate.related(arc, id, limit=limit))
    return [plain(r) for r in hits]


def article(arc, id: str) -> dict[str, Any]:
    """One article as its page shows it: body, related box, the story's other reports, entities."""
    a = arc.get(id)
    story = relate.story_of(arc, id)
    others = summaries(arc, [x for x in story.articles if x != id][:12]) if story else []
    lead = next((img for img in a.images if img.lead), None)
    return {"article": a, "lead_image": lead, "blocks": body_blocks(a),
            "related": related(arc, id),
            "story": plain(story) if story else None, "story_reports": others,
            "copies": [plain(c) for c in relate.copies(arc, id)],
            "entities": entity_margin(a), "quotes": quotes(a)}


def search(arc, q: str, page: int = 1, outlet: str | None = None, section: str | None = None,
           since: str | None = None, until: str | None = None, entity: str | None = None,
           fold: bool = True) -> dict[str, Any]:
    """One page of search hits with the filters around them, and facets counting the hits."""
    entity_name, query = None, q
    if entity:
        found = arc.entity(entity)
        entity_name = found["name"]
        query = f"{q} {entity_query(found)}".strip()
    result, counts, people = SearchResult(total=0), facets(arc), None
    if query.strip():
        filters = {"since": since, "until": until, "outlet": outlet, "section": section}
        with arc.backend.index.deadline(budget.WEB.seconds):
            budget.check(arc, q)  # what the reader typed; an entity's spellings are the archive's
            result = cached(arc, ("search", query, page, fold, *filters.values()), lambda: arc.search(
                query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, fold=fold, **filters))
            found = cached(arc, ("facets", query, q, *filters.values()),
                           lambda: _search_facets(arc, q, query, filters))
            counts, people = found.counts(), found.entities if q.strip() else None
    pages = max(1, -(-(result.total - result.folded) // PER_PAGE))
    return {"q": q, "result": result, "page": page, "pages": pages, "facets": counts, "fold": fold,
            **_entity_facet(arc, people), "outlet": outlet, "section": section,
            "since": since, "until": until, "entity": entity, "entity_name": entity_name}


def _search_facets(arc, q: str, query: str, filters: dict[str, str | None]) -> faceting.Facets:
    """The facets of ``query``, the words ``q`` and a chosen entity's spellings: one pass over its
    results. The entity facet counts the results of the words alone, the chosen entity aside: a
    second pass, when an entity is chosen."""
    if query == q:
        return faceting.facets(arc, q, entities=ENTITY_FACET, **filters)
    found = faceting.facets(arc, query, **filters)
    if q.strip():
        found = replace(found, entities=faceting.facets(arc, q, entities=ENTITY_FACET, **filters).entities)
    return found


def entity_query(found: dict[str, Any], most: int = 12) -> str:
    """Any spelling of the entity, as quoted phrases joined by OR (search has no entity filter)."""
    names = dict.fromkeys([found["name"], *found["variants"]])
    return " OR ".join('"' + n.replace('"', " ") + '"' for n in list(names)[:most])


def _entity_facet(arc, top: list[EntitySummary] | None) -> dict[str, Any]:
    """The entity facet: ``top``, the entities the results mention most, else the archive's."""
    if top is None:
        top = cached(arc, "top-entities", lambda: arc.entities(limit=12))
    return {"entity_facet": [(e.id, e.articles) for e in top], "entity_labels": {e.id: e.name for e in top}}


def entity(arc, id: str) -> dict[str, Any]:
    d = arc.entity(id)
    return {**d, "type_label": ENTITY_TYPES.get(d["type"], d["type"]),
            "latest": [summary(a) for a in d["latest"]],
            "co_mentioned": [plain(e) for e in d["co_mentioned"]]}


def story(arc, id: str) -> dict[str, Any]:
    """A story's reports across outlets, oldest first, and the other stories of its thread."""
    s = relate.story(arc, id)
    if s is None:
        raise NotFound(f"no story {id!r}")
    reports = summaries(arc, s.articles)
    return {"story": plain(s), "reports": reports, "thread": [plain(t) for t in relate.thread(arc, id)]}


def stories(arc, limit: int = 50, offset: int = 0, since: str | None = None) -> dict[str, Any]:
    if since:
        found = sorted(relate.stories(arc, since=since), key=_story_key, reverse=True)
    else:
        found = all_stories(arc)
    return {"total": len(found), "stories": [plain(s) for s in found[offset:offset + limit]]}
