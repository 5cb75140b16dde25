"""PostgreSQL failures a user can meet, as one-line ArchiveErrors, and the URL shown in them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import PoolTimeout

from marsad.errors import ArchiveError

SCHEMES = ("postgresql://", "postgres://")


def is_url(text: str) -> bool:
    """Whether an archive name is a PostgreSQL URL rather than an SQLite file."""
    return text.startswith(SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and cache keys."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}@{host}"))


@contextmanager
def translate_errors(name: str) -> Iterator[None]:
    """Turn the database errors a user can meet into one-line ArchiveErrors about archive ``name``."""
    try:
        yield
    except PoolTimeout as e:
        raise ArchiveError(f"no connection to archive {name} came free or could be made in time ({e})") from e
    except psycopg.Error as e:
        raise ArchiveError(explain(name, e)) from e


def explain(name: str, error: psycopg.Error) -> str:
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    lowered = str(error).lower()
    parts = urlsplit(name)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    database = parts.path.lstrip("/") or parts.username or "the default database"
    if isinstance(error, pgerrors.ReadOnlySqlTransaction):
        return f"archive {name} is open for reading only"
    if isinstance(error, pgerrors.InsufficientPrivilege):
        return f"archive {name}: the database user may not do this ({text})"
    if isinstance(error, pgerrors.LockNotAvailable):
        return f"archive {name} is locked by another process; try again when it has finished"
    if isinstance(error, pgerrors.DiskFull):
        return f"no space left for archive {name}; nothing of the failed batch was stored"
    if isinstance(error, pgerrors.QueryCanceled):
        return f"archive {name}: the database stopped a statement that ran too long ({text})"
    if isinstance(error, psycopg.ProgrammingError) and "invalid" in lowered and "option" in lowered:
        return f"not a valid PostgreSQL URL: {name} ({text})"
    if "connection refused" in lowered:
        return f"cannot connect to archive {name}: no PostgreSQL server answers at {where} (refused)"
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"cannot connect to archive {name}: the server refused the user name or password"
    if "does not exist" in lowered and "database" in lowered:
        return (f"no database {database!r} on the PostgreSQL server at {where}; "
                f"create it (CREATE DATABASE {database}) or fix the URL")
    if "role" in lowered and "does not exist" in lowered:
        return f"cannot connect to archive {name}: the server knows no user {parts.username!r}"
    if "translate host name" in lowered or "name or service not known" in lowered:
        return f"cannot connect to archive {name}: unknown host {parts.hostname!r}"
    if "timeout expired" in lowered:
        return f"cannot connect to archive {name}: no answer from {where} in time"
    if isinstance(error, pgerrors.AdminShutdown | pgerrors.CannotConnectNow) or "closed" in lowered \
            or "terminating connection" in lowered or "consuming input failed" in lowered:
        return (f"lost the connection to archive {name} ({text}); "
                "nothing of the unfinished batch was stored, run the command again")
    if isinstance(error, psycopg.OperationalError):
        return f"cannot use archive {name}: {text}"
    return f"archive {name}: {text}"
