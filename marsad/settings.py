"""The one typed settings object, loaded at the edges (CLI, app factory) and passed down."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# A server database: postgresql://user:password@host:port/dbname (postgres:// as libpq also takes it).
_SERVER_URL = re.compile(r"postgres(ql)?://", re.IGNORECASE)

Database = Path | str  # an archive file's path, or a server database's URL


def database(value: str | os.PathLike) -> Database:
    """An archive given on the command line or in MARSAD_DB: a server database's URL stays as it is
    (a Path would fold its "//"), anything else is a file path."""
    text = os.fspath(value)
    return text if is_server(text) else Path(text)


def is_server(db: Database | str) -> bool:
    """Whether ``db`` names a server database rather than an archive file."""
    return isinstance(db, str) and bool(_SERVER_URL.match(db))


def public_name(db: Database) -> str:
    """What readers may learn of the archive: a file's name (not the folders it is in), or a server
    URL without its password."""
    return display(db) if is_server(db) else Path(db).name


def display(db: Database) -> str:
    """The archive for messages to its operator: a file's path, or a server URL without its password."""
    if not is_server(db):
        return str(db)
    parts = urlsplit(db)
    if parts.password is None:
        return db
    user = f"{parts.username}@" if parts.username else ""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = user + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How ``marsad watch`` fetches: politeness towards each outlet, and the limits of one fetch."""
    # Where an outlet's webmaster learns who is fetching (sent in the User-Agent).
    contact_url: str = field(default_factory=lambda: os.environ.get(
        "MARSAD_CONTACT_URL", "https://github.com/marsad-news/marsad"))
    host_interval: float = field(default_factory=lambda: _env_float("MARSAD_HOST_INTERVAL", 1.0))  # seconds
    timeout: float = field(default_factory=lambda: _env_float("MARSAD_FETCH_TIMEOUT", 20.0))  # seconds
    max_bytes: int = field(default_factory=lambda: int(os.environ.get("MARSAD_FETCH_MAX_BYTES",
                                                                      str(10 * 1024 * 1024))))
    max_redirects: int = 5
    retries: int = 2  # more tries after a 5xx answer, a timeout or a dropped connection
    backoff: float = 2.0  # seconds before the first retry, doubled before each next one
    # When daily alert digests go out: the first round after this hour (UTC) each day.
    digest_hour: int = field(default_factory=lambda: int(os.environ.get("MARSAD_DIGEST_HOUR", "6")))
    connections: int = 32  # requests in flight at once, all hosts together (one per host at most)


@dataclass(frozen=True, slots=True)
class MailSettings:
    """The SMTP server that alert emails go through (``marsad alerts … --email``)."""
    host: str = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_HOST", ""))
    port: int = field(default_factory=lambda: int(os.environ.get("MARSAD_SMTP_PORT", "587")))
    user: str = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_USER", ""))
    password: str = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_PASSWORD", ""))
    starttls: bool = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_STARTTLS", "1") != "0")
    sender: str = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_FROM", "marsad@localhost"))


@dataclass(frozen=True, slots=True)
class Settings:
    db: Database = field(default_factory=lambda: database(os.environ.get("MARSAD_DB") or "marsad.db"))
    # Token that POST /api/pages requires; ingest over HTTP is off while it is empty.
    ingest_token: str = field(default_factory=lambda: os.environ.get("MARSAD_INGEST_TOKEN", ""))
    # Largest request body POST /api/pages accepts, in bytes.
    max_ingest_bytes: int = field(
        default_factory=lambda: int(os.environ.get("MARSAD_MAX_INGEST_BYTES", str(20 * 1024 * 1024))))
    # Largest single page parse accepts, in bytes; larger inputs are refused with a clear message.
    max_page_bytes: int = field(
        default_factory=lambda: int(os.environ.get("MARSAD_MAX_PAGE_BYTES", str(50 * 1024 * 1024))))
    # Where reader links in alert emails and feeds point (the reader's public address).
    base_url: str = field(default_factory=lambda: os.environ.get("MARSAD_BASE_URL", "http://127.0.0.1:8000"))
    watch: WatchSettings = field(default_factory=lambda: WatchSettings())
    mail: MailSettings = field(default_factory=lambda: MailSettings())


def load(db: str | os.PathLike | None = None, **overrides) -> Settings:
    """Settings from the environment, with explicit values (CLI flags) on top."""
    base = Settings()
    values = {"db": database(db) if db else base.db, **overrides}
    return Settings(**{**{k: getattr(base, k) for k in base.__slots__}, **values})
