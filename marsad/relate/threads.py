"""Threads: the storyline a story belongs to, linked above stories and never merged with them.

A story is one event; a thread links the events of one storyline (a crisis reported over weeks, the
follow-ups of a vote: a recount, a new government). Two stories of at least two reports each are
linked when their centroids (their reports' summed term vectors) agree at least ``THREAD`` and they
lie within ``REACH`` days of each other. Stories close enough to be one event were merged already
(``cluster.MERGE``); what links here stays apart. Threads are found when asked, from the stored
stories, so they follow the stories as relating changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marsad.relate.features import cosine, norm
from marsad.relate.incremental import unpacked

if TYPE_CHECKING:
    from marsad.archive.relatestate import RelateState

THREAD = 0.45  # centroid cosine of two stories of one storyline
REACH = 30  # days between the stories of a thread


def linked(state: RelateState, story_id: str, first: int | None, last: int | None) -> list[str]:
    """Ids of the stories linked to ``story_id`` (of days ``first`` to ``last``; None: undated), best
    linked first, itself not included."""
    span = (None, None) if first is None or last is None else (first - REACH, last + REACH)
    rows = state.open_stories(*span, (), 1)
    mine = next((r for r in rows if r[0] == story_id), None)
    if mine is None:
        return []
    centroid, _ = unpacked(mine[3])
    mine_norm = norm(centroid)
    scored = []
    for sid, _, _, stored, _ in rows:
        other, _ = unpacked(stored)
        agree = cosine(centroid, other) / (mine_norm * norm(other))
        if sid != story_id and agree >= THREAD:
            scored.append((-agree, sid))
    return [sid for _, sid in sorted(scored)]
