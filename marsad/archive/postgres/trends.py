"""Articles counted per time window on PostgreSQL: the statements of
:mod:`marsad.archive.sqlite.trends`, with this database's reading of a stored time.

``marsad_epoch(text)`` reads an ISO 8601 text as SQLite's ``strftime('%s', ...)`` does: an offset
is honoured, a time without one is UTC, a text that is no time is NULL (never an error, which would
stop the whole count).
"""

from __future__ import annotations

from marsad.archive.sqlite.trends import Dialect

MIGRATIONS: list[tuple[str, str]] = [
    ("trends-0001-ingested-index", r"""
CREATE INDEX articles_ingested ON articles(ingested_at);
CREATE FUNCTION marsad_epoch(t text) RETURNS bigint LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF t IS NULL OR t !~ '^\d{4}-\d\d-\d\d' THEN
        RETURN NULL;
    END IF;
    IF t ~ '[T ]\d\d:\d\d.*([Zz]|[+-]\d\d(:?\d\d)?)$' THEN
        RETURN floor(extract(epoch FROM t::timestamptz));
    END IF;
    RETURN floor(extract(epoch FROM t::timestamp AT TIME ZONE 'UTC'));
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
"""),
    # Its exception block is a subtransaction, which a parallel worker cannot start: never in parallel.
    ("trends-0002-epoch-not-parallel", "ALTER FUNCTION marsad_epoch(text) PARALLEL UNSAFE;"),
]

POSTGRES = Dialect("marsad_epoch({0})", "least")
