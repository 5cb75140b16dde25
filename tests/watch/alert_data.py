"""Articles and settings the alert tests share: real texts of the bundled ant-multisource sample."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import marsad
from marsad.archive import open_archive
from marsad.model import Article
from marsad.parse.records import record_to_article
from marsad.settings import MailSettings, load
from marsad.watch import alerts

SAMPLE = Path(marsad.__file__).parent / "data" / "sample" / "ant-multisource-sample.jsonl.gz"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # the tests' clock: every call is given its time
BASE_URL = "https://reader.example.org/marsad"
OLD = 120  # the archive holds the sample's articles OLD to 200 before a round stores those after 200


@cache
def _records() -> tuple[dict, ...]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f)


def sample(start: int = 0, stop: int | None = None) -> list[Article]:
    """Articles of the sample, a fresh copy each time."""
    return [record_to_article(dict(r)) for r in _records()[start:stop]]


def settings(db: str, smtp_port: int = 1, **mail) -> object:
    """Settings for ``db`` whose links point at BASE_URL and whose mail goes to a local SMTP server."""
    options = {"host": "127.0.0.1", "port": smtp_port, "user": "", "password": "", "starttls": False,
               "sender": "marsad@example.org", **mail}
    return load(db, base_url=BASE_URL, mail=MailSettings(**options))


def archive_of_old(name: str) -> str:
    """``name`` made an archive of the sample's articles OLD to 200 (the later ones are a round's)."""
    with open_archive(name) as arc:
        arc.put(sample(OLD, 200))
    return name


def run_round(arc, conf, now=NOW, articles=None) -> dict:
    """Store a round's articles (by default the sample's after 200) and run the alerts."""
    articles = sample(200) if articles is None else articles
    arc.put(articles)
    return alerts.after_round(arc, [a.id for a in articles], now, conf)
