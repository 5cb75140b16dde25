"""The search postings on PostgreSQL in blocks: per term, rows of packed arrays read whole.

A row of ``search_blocks`` holds one term's postings for up to :data:`CAP` articles, sorted by key:
the keys (int8), the articles' lengths (int4) and the term's count in each index column (int2, one
run of columns per article), all big-endian, so that SQL (``int8send``) and numpy read and write the
same bytes. A query reads a term in a few rows, however common it is, and scores them in numpy.

Each indexed batch adds a block per term it holds (append-only: concurrent ingesters never touch the
same row). Blocks are merged as they accumulate, by size class (a level per factor of :data:`FANOUT`):
when a term holds FANOUT blocks of one level, they are merged into one of a higher level, and merged
blocks are cut at CAP articles. A posting is so rewritten a few times at most, and a term holds at
most FANOUT - 1 blocks per level beside its full ones. Taking an article out rewrites the blocks that
hold its terms. Merges and removals take one transaction-scoped advisory lock, so that two of them
never lock the same blocks in different orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg

BLOCKS = "search_blocks"
CAP, FANOUT = 4096, 8  # articles per full block; blocks of one level merged at once
FULL = 4  # the level of a full block (CAP = FANOUT ** FULL): never merged
_KEY, _DL, _COUNT = np.dtype(">i8"), np.dtype(">i4"), np.dtype(">i2")
_MAX_COUNT = 32767  # a term's count in one column of one article is kept as an int2
_MERGE_LOCK = 0x6D61_726D  # the advisory lock key of merging and rewriting blocks ("marm")
_COLUMNS = "term, lo, hi, n, level, keys, dls, counts"
_TYPES = ["text", "int8", "int8", "int4", "int2", "bytea", "bytea", "bytea"]


def create_sql() -> str:
    return f"""
CREATE TABLE {BLOCKS} (
    id bigserial PRIMARY KEY, term text COLLATE "C" NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL,
    n integer NOT NULL, level smallint NOT NULL, keys bytea NOT NULL, dls bytea NOT NULL,
    counts bytea NOT NULL);
CREATE INDEX {BLOCKS}_term ON {BLOCKS} (term, lo) INCLUDE (hi, level);
"""


def convert_sql(columns: tuple[str, ...]) -> str:
    """Move the postings of the former one-row-per-posting table into blocks, then drop it."""
    counts = " || ".join(f"int2send({c})" for c in columns)
    level = f"CASE WHEN count(*) >= {CAP} THEN {FULL} ELSE floor(log({FANOUT}, count(*)))::int END"
    return f"""
INSERT INTO {BLOCKS} ({_COLUMNS})
SELECT term, min(key), max(key), count(*), {level},
       string_agg(int8send(key), ''::bytea ORDER BY key), string_agg(int4send(dl), ''::bytea ORDER BY key),
       string_agg({counts}, ''::bytea ORDER BY key)
FROM (SELECT *, (row_number() OVER (PARTITION BY term ORDER BY key) - 1) / {CAP} AS part
      FROM search_postings) p
GROUP BY term, part;
DROP TABLE search_postings;
"""


def _level(n: int) -> int:
    return FULL if n >= CAP else (n.bit_length() - 1) // 3  # log8 of n, FANOUT being 2 ** 3


@dataclass(slots=True)
class Postings:
    """Postings of one or more terms: keys (sorted within each term), lengths, counts (n × columns)."""

    keys: np.ndarray
    dls: np.ndarray
    counts: np.ndarray

    @classmethod
    def of_rows(cls, rows: list[tuple], ncols: int) -> Postings:
        """From rows of (keys, dls, counts) bytes of blocks."""
        keys = np.frombuffer(b"".join(r[0] for r in rows), _KEY).astype(np.int64)
        dls = np.frombuffer(b"".join(r[1] for r in rows), _DL).astype(np.int64)
        counts = np.frombuffer(b"".join(r[2] for r in rows), _COUNT).astype(np.int64).reshape(-1, ncols)
        return cls(keys, dls, counts)

    def take(self, which: np.ndarray) -> Postings:
        return Postings(self.keys[which], self.dls[which], self.counts[which])


@dataclass(slots=True)
class Terms:
    """Postings of several terms: term i's are ``postings`` from ``bounds[i]`` to ``bounds[i + 1]``,
    sorted by key."""

    names: list[str]
    postings: Postings
    bounds: list[int]

    @classmethod
    def of(cls, parts: dict[str, Postings]) -> Terms:
        """From each term's postings (sorted by key)."""
        bounds = np.cumsum([0, *(len(p.keys) for p in parts.values())]).tolist()
        empty = Postings(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.int64))
        ps = list(parts.values()) or [empty]
        joined = Postings(*(np.concatenate([getattr(p, f) for p in ps]) for f in ("keys", "dls", "counts")))
        return cls(list(parts), joined, bounds)


def write(cur: psycopg.Cursor, terms: Terms) -> None:
    """Store each term's postings as blocks of at most CAP articles."""
    p = terms.postings
    keys, dls, counts = p.keys.astype(_KEY).tobytes(), p.dls.astype(_DL).tobytes(), p.counts.astype(_COUNT)
    width, counts = counts.shape[1] * 2 if counts.ndim == 2 else 0, counts.tobytes()
    at = p.keys.tolist()
    with cur.copy(f"COPY {BLOCKS} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_TYPES)
        for i, term in enumerate(terms.names):
            end = terms.bounds[i + 1]
            for s in range(terms.bounds[i], end, CAP):
                e = min(s + CAP, end)
                copy.write_row((term, at[s], at[e - 1], e - s, _level(e - s), keys[s * 8:e * 8],
                                dls[s * 4:e * 4], counts[s * width:e * width]))


def batch(docs: list[tuple[int, int, dict[str, list[int]]]], ncols: int) -> Terms:
    """The postings of a batch of articles, per term: ``docs`` are (key, length, term → its count in
    each column)."""
    terms: dict[str, int] = {}
    tids, keys, dls, counts = [], [], [], []
    for key, dl, per_term in docs:
        tids.extend([terms.setdefault(term, len(terms)) for term in per_term])
        keys.extend([key] * len(per_term))
        dls.extend([dl] * len(per_term))
        for row in per_term.values():
            counts.extend(row)
    tid = np.array(tids, np.int64)
    key = np.array(keys, np.int64)
    order = np.lexsort((key, tid))
    capped = np.minimum(np.array(counts, np.int64).reshape(-1, ncols), _MAX_COUNT)
    tid = tid[order]
    starts = np.flatnonzero(np.diff(tid)) + 1
    names = list(terms)
    return Terms([names[t] for t in tid[np.concatenate(([0], starts))].tolist()] if len(tid) else [],
                 Postings(key[order], np.array(dls, np.int64)[order], capped[order]),
                 [0, *starts.tolist(), len(tid)] if len(tid) else [0])


def read(cur: psycopg.Cursor, lo: str, hi: str | None, ncols: int,
         keys: tuple[int, int] | None = None) -> Postings:
    """The postings of the term ``lo`` (``hi`` None), or of every term from ``lo`` up to ``hi``
    (a prefix), of articles with keys in the range ``keys`` if given."""
    where, params = ("term = %s", [lo]) if hi is None else ("term >= %s AND term < %s", [lo, hi])
    if keys is not None:
        where, params = where + " AND hi >= %s AND lo <= %s", [*params, *keys]
    rows = cur.execute(f"SELECT keys, dls, counts FROM {BLOCKS} WHERE {where}", params, binary=True)
    p = Postings.of_rows(rows.fetchall(), ncols)
    if keys is not None:
        p = p.take((p.keys >= keys[0]) & (p.keys <= keys[1]))
    return p


def merge(cur: psycopg.Cursor, terms: list[str], ncols: int) -> None:
    """Merge the blocks of each of ``terms`` that hold FANOUT or more blocks of one level; skipped
    when another transaction merges or rewrites blocks (its own terms are merged next time)."""
    found = cur.execute(f"SELECT term, level FROM {BLOCKS} WHERE term = ANY(%s) AND level < {FULL}"
                        f" GROUP BY term, level HAVING count(*) >= {FANOUT}", (terms,)).fetchall()
    if not found or not cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (_MERGE_LOCK,)).fetchone()[0]:
        return
    rows = cur.execute(f"DELETE FROM {BLOCKS} b USING unnest(%s::text[], %s::int2[]) AS g(term, level)"
                       f" WHERE b.term = g.term AND b.level = g.level"
                       f" RETURNING b.term, b.keys, b.dls, b.counts",
                       ([t for t, _ in found], [v for _, v in found]), binary=True).fetchall()
    write(cur, Terms.of(_regroup(rows, ncols)))


def _regroup(rows: list[tuple], ncols: int) -> dict[str, Postings]:
    """Rows of (term, keys, dls, counts) as each term's postings, sorted by key."""
    by_term: dict[str, list[tuple]] = {}
    for term, *arrays in rows:
        by_term.setdefault(term, []).append(arrays)
    out = {}
    for term, parts in by_term.items():
        p = Postings.of_rows(parts, ncols)
        out[term] = p.take(np.argsort(p.keys, kind="stable"))
    return out


def remove(cur: psycopg.Cursor, pairs: list[tuple[str, int]], ncols: int) -> None:
    """Take the postings of (term, key) ``pairs`` out of the blocks that hold them."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MERGE_LOCK,))
    rows = cur.execute(
        f"DELETE FROM {BLOCKS} b WHERE b.id IN (SELECT b2.id FROM {BLOCKS} b2 JOIN unnest(%s::text[],"
        f" %s::bigint[]) AS g(term, key) ON b2.term = g.term AND g.key BETWEEN b2.lo AND b2.hi)"
        f" RETURNING b.term, b.keys, b.dls, b.counts",
        ([t for t, _ in pairs], [k for _, k in pairs]), binary=True).fetchall()
    gone = np.array(sorted({k for _, k in pairs}), np.int64)
    kept = {}
    for term, p in _regroup(rows, ncols).items():
        p = p.take(~np.isin(p.keys, gone))
        if len(p.keys):
            kept[term] = p
    write(cur, Terms.of(kept))
