"""Entity mentions of enriched articles against a hand-made gold list (as the example page's gold file
writes it), for tests and benchmarks.

A gold article lists ``entities`` as [paragraph, name, type, entity] and ``optional_entities`` as
[paragraph, name, type]. A found mention matches a gold one of its paragraph and type whose name (or
one of ``a|b``) is the mention's name without glued clitics; optional mentions are neither right
nor wrong. ``entity`` labels the real-world entity, to check that its mentions share one canonical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from marsad.enrich.canonical import strip_clitics
from marsad.model import Article


@dataclass
class EntityScore:
    matched: int = 0
    found: int = 0
    gold: int = 0
    # (article, paragraph, name, type) found but not in gold, and in gold but not found
    wrong: list[tuple] = field(default_factory=list)
    missed: list[tuple] = field(default_factory=list)
    # (article, entity, its canonicals) and (article, canonical, its entities): more than one each
    split: list[tuple] = field(default_factory=list)
    merged: list[tuple] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0


def score_entities(articles: Sequence[Article], gold: Sequence[dict]) -> EntityScore:
    """Precision, recall and canonical grouping of the mentions of ``articles`` against ``gold``."""
    out = EntityScore()
    for k, (article, g) in enumerate(zip(articles, gold, strict=True)):
        optional = {tuple(o) for o in g["optional_entities"]}
        found = [(m.paragraph, strip_clitics(m.text, m.type)[1], m.type, m.canonical)
                 for m in article.entities]
        found = [f for f in found if f[:3] not in optional]
        out.found += len(found)
        out.gold += len(g["entities"])
        owners: dict[str, set[str]] = {}
        for p, name, kind, entity in g["entities"]:
            hit = next((f for f in found if (f[0], f[2]) == (p, kind) and f[1] in name.split("|")), None)
            if hit is None:
                out.missed.append((k, p, name, kind))
                continue
            found.remove(hit)
            out.matched += 1
            owners.setdefault(entity, set()).add(hit[3])
        out.wrong += [(k, *f[:3]) for f in found]
        out.split += [(k, e, sorted(c)) for e, c in owners.items() if len(c) > 1]
        by_canonical: dict[str, set[str]] = {}
        for e, cs in owners.items():
            for c in cs:
                by_canonical.setdefault(c, set()).add(e)
        out.merged += [(k, c, sorted(es)) for c, es in by_canonical.items() if len(es) > 1]
    return out
