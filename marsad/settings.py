"""The one typed settings object, loaded at the edges (CLI, app factory) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path = field(default_factory=lambda: Path(os.environ.get("MARSAD_DB", "marsad.db")))
    # Token that POST /api/pages requires; ingest over HTTP is off while it is empty.
    ingest_token: str = field(default_factory=lambda: os.environ.get("MARSAD_INGEST_TOKEN", ""))
    # Largest request body POST /api/pages accepts, in bytes.
    max_ingest_bytes: int = field(
        default_factory=lambda: int(os.environ.get("MARSAD_MAX_INGEST_BYTES", str(20 * 1024 * 1024))))
    # Largest single page parse accepts, in bytes; larger inputs are refused with a clear message.
    max_page_bytes: int = field(
        default_factory=lambda: int(os.environ.get("MARSAD_MAX_PAGE_BYTES", str(50 * 1024 * 1024))))


def load(db: str | os.PathLike | None = None, **overrides) -> Settings:
    """Settings from the environment, with explicit values (CLI flags) on top."""
    base = Settings()
    values = {"db": Path(db) if db else base.db, **overrides}
    return Settings(**{**{k: getattr(base, k) for k in base.__slots__}, **values})
