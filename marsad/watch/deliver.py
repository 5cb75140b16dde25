"""Webhook deliveries of alerts, and the article records every delivery carries.

A webhook call is one ``POST`` of ``application/json`` (UTF-8)::

    {"alert": NAME, "query": QUERY,
     "articles": [{"id", "headline", "url", "outlet", "published", "snippet"}, ...]}

with the headers ``X-Marsad-Delivery`` (the delivery's id: the same on every retry, so that a receiver
can drop a repeat) and, when the alert has a secret, ``X-Marsad-Signature: sha256=HEX``: the
HMAC-SHA256 of the exact body bytes under the secret, in lower-case hex. A receiver checks it by
computing the same over the body it read and comparing in constant time. Any 2xx answer is
success; anything else (another status, a redirect, a timeout, a refused connection) is a failure,
retried with backoff (:mod:`marsad.watch.alerts`).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from typing import TYPE_CHECKING, Any

import httpx

from marsad import __version__
from marsad.errors import NotFound
from marsad.search import snippet_matcher
from marsad.search.snippet import snippet

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.model import Alert
    from marsad.settings import Settings

SIGNATURE = "X-Marsad-Signature"
DELIVERY = "X-Marsad-Delivery"
_LEAD = 300  # characters of an article's lead given when the query marks nothing in it


def reader_url(settings: Settings, path: str) -> str:
    """A link to the reader's page at ``path`` (/articles/ID, /alerts/NAME), from ``settings.base_url``."""
    from urllib.parse import quote

    return settings.base_url.rstrip("/") + quote(path)


def articles(arc: Archive, alert: Alert, ids: list[str], settings: Settings) -> list[dict[str, Any]]:
    """The records of the stored articles ``ids`` (those gone since are left out), each with a plain-
    text snippet around the alert's words and ``reader``, its page on the reader."""
    match = snippet_matcher(alert.query, arc.backend.index.scheme) if alert.kind == "search" else None
    out = []
    for id_ in ids:
        try:
            a = arc.get(id_)
        except NotFound:
            continue
        marked = snippet(a.body or a.headline, match) if match else ""
        text = html.unescape(marked.replace("<mark>", "").replace("</mark>", "")) if marked else \
            (a.deck or (a.paragraphs[0] if a.paragraphs else ""))[:_LEAD]
        out.append({"id": id_, "headline": a.headline, "url": a.url, "outlet": a.outlet,
                    "published": a.published, "snippet": text,
                    "reader": reader_url(settings, f"/articles/{id_}")})
    return out


def body(alert: Alert, items: list[dict[str, Any]]) -> bytes:
    """The JSON body of a webhook call."""
    fields = ("id", "headline", "url", "outlet", "published", "snippet")
    payload = {"alert": alert.name, "query": alert.query,
               "articles": [{k: a[k] for k in fields} for a in items]}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def sign(secret: str, data: bytes) -> str:
    """The ``X-Marsad-Signature`` value of a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


def post(url: str, alert: Alert, items: list[dict[str, Any]], delivery: int, *,
         timeout: float = 20.0) -> str | None:
    """POST one webhook call; None on a 2xx answer, else the reason it failed (one line)."""
    data = body(alert, items)
    headers = {"Content-Type": "application/json; charset=utf-8", DELIVERY: str(delivery),
               "User-Agent": f"marsad/{__version__} (alerts)"}
    if alert.secret:
        headers[SIGNATURE] = sign(alert.secret, data)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            answer = client.post(url, content=data, headers=headers)
    except httpx.TimeoutException:
        return f"webhook {url}: no answer within {timeout:g} s"
    except (httpx.HTTPError, httpx.InvalidURL) as e:
        return f"webhook {url}: {type(e).__name__}: {e}".splitlines()[0]
    if 200 <= answer.status_code < 300:
        return None
    return f"webhook {url}: HTTP {answer.status_code} {answer.reason_phrase}".rstrip()
