"""Fitting the weights of the speaker choice (``marsad.enrich.speakerchoice``) on the labelled quote set.

Each quote found with its gold span gives a group of candidates, those that are one of its gold
speakers being right; the weights maximise the probability of the right ones under a softmax over
the group (a conditional logit, L2-penalised), by gradient descent with numpy. Folds are cut by a
hash of the article id, so that one article's quotes never sit on both sides; the penalty and the
margin an override needs are chosen by cross-validated accuracy. Only run to refit
(``python3 bench/quotes.py --fit``); enrichment reads the weights it wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marsad.enrich import enrich_article
from marsad.enrich.quotes import scored_candidates
from marsad.enrich.quotescoring import norm_quote, same_speaker, set_articles
from marsad.enrich.speakerchoice import FEATURES

_FOLDS = 5
_STEPS = 600
_RATE = 0.1


@dataclass
class Group:
    article: str
    x: np.ndarray  # candidates × features
    right: np.ndarray  # which candidates are a gold speaker
    rule: int  # the rule's pick, -1 when it gave none

    def fold(self) -> int:
        return int(hashlib.sha1(self.article.encode()).hexdigest(), 16) % _FOLDS


def groups(rows: Sequence[dict], news: Path) -> list[Group]:
    """A group of candidates for each gold quote of ``rows`` that the quote finder finds."""
    articles = set_articles(news, rows)
    found = {}
    for i, article in articles.items():
        entities = [e for e in enrich_article(article).entities if e.paragraph >= 0]
        found[i] = scored_candidates(article.paragraphs, entities)
    out = []
    for row in rows:
        pool = [(q, c) for q, c in found[row["id"]] if q.paragraph == row["paragraph"]]
        for gold in row["quotes"]:
            hit = next(((q, c) for q, c in pool if norm_quote(q.text) == norm_quote(gold["text"])), None)
            if hit is None or not hit[1]:
                continue
            cands = hit[1]
            x = np.array([c.vector() for c in cands], dtype=float)
            right = np.array([same_speaker((c.speaker.name, c.speaker.canonical), gold["speaker"])
                              for c in cands])
            rule = next((k for k, c in enumerate(cands) if c.f.get("rule")), -1)
            out.append(Group(row["id"], x, right, rule))
    return out


def fit(train: list[Group], penalty: float) -> np.ndarray:
    """Weights maximising the log-probability of the right candidates (groups with one)."""
    usable = [g for g in train if g.right.any() and len(g.right) > 1]
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("rule")] = 1.0
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, _STEPS + 1):
        grad = penalty * w
        for g in usable:
            s = g.x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * g.right
            q /= q.sum()
            grad -= (q - p) @ g.x / len(usable)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= _RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return w


def accuracy(groups_: list[Group], w: np.ndarray | None, margin: float = 0.0) -> float:
    """Share of groups whose chosen candidate is right (``w`` None: the rule's pick)."""
    right = 0
    for g in groups_:
        if w is None:
            k = g.rule
        else:
            s = g.x @ w
            k = int(s.argmax())
            if g.rule >= 0 and k != g.rule and s[k] - s[g.rule] < margin:
                k = g.rule
        right += bool(k >= 0 and g.right[k])
    return right / max(len(groups_), 1)


def cross_validate(all_groups: list[Group], penalty: float, margin: float) -> float:
    out = []
    for f in range(_FOLDS):
        test = [g for g in all_groups if g.fold() == f]
        w = fit([g for g in all_groups if g.fold() != f], penalty)
        out.append(accuracy(test, w, margin) * len(test))
    return sum(out) / len(all_groups)


def choose_and_fit(all_groups: list[Group], out: Path, log=print) -> dict:
    """Cross-validate penalties and margins, fit on everything with the best, write ``out``."""
    log(f"{len(all_groups)} quotes; rule {accuracy(all_groups, None):.3f}; "
        f"a right candidate among them {sum(g.right.any() for g in all_groups) / len(all_groups):.3f}")
    best = (-1.0, 0.0, 0.0)
    for penalty in (0.001, 0.01, 0.1):
        for margin in (0.0, 0.5, 1.0):
            acc = cross_validate(all_groups, penalty, margin)
            log(f"penalty {penalty} margin {margin}: cross-validated {acc:.3f}")
            best = max(best, (acc, penalty, margin))
    w = fit(all_groups, best[1])
    data = {"_comment": "Weights of the speaker choice (marsad.enrich.speakerchoice), fitted by "
                        "marsad.enrich.speakerfit on the quote set's development draws; "
                        f"cross-validated accuracy {best[0]:.3f} over {len(all_groups)} quotes.",
            "weights": {k: round(float(x), 4) for k, x in zip(FEATURES, w, strict=True)},
            "margin": best[2]}
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data
