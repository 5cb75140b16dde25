"""Word clusters for NER features, learned from unlabelled news text.

Counts word/context co-occurrences in a ±2 window, weights them by positive PMI, reduces
them with a truncated SVD and groups the word vectors by k-means at several granularities.
The result is a small table ``folded word → cluster id per granularity`` that ships with
the package. Training-time only: needs scipy, which the runtime never imports.
"""

from __future__ import annotations

import gzip
import json
import lzma
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from marsad.enrich.nerfeatures import fold, tokenize

NEWS = ("news/ant-multisource/articles.jsonl.xz", "news/ant-jawharafm/articles.jsonl.xz")
SIZES = (64, 256, 1024)


def news_sentences(shared: Path) -> Iterator[list[str]]:
    """Folded tokens of every title and paragraph of the news corpora."""
    for rel in NEWS:
        with lzma.open(shared / "data" / rel, "rt", encoding="utf-8") as fh:
            for line in fh:
                art = json.loads(line)
                for para in [art.get("title") or "", *(art.get("text") or "").split("\n")]:
                    toks = [fold(t) for _, _, t in tokenize(para)]
                    if toks:
                        yield toks


def _corpus_ids(sents: Iterable[list[str]]) -> tuple[list[str], np.ndarray]:
    """(words, flat id array) in one pass; -1 separates sentences so windows never cross them."""
    ids: dict[str, int] = {}
    flat = array("i")
    for toks in sents:
        flat.extend(ids.setdefault(t, len(ids)) for t in toks)
        flat.append(-1)
    return list(ids), np.frombuffer(flat, dtype=np.int32)


def _cooccurrence(w: np.ndarray, c: np.ndarray, n_words: int, n_contexts: int):
    from scipy import sparse

    rows, cols = [], []
    for off in (1, 2):
        for a, b in ((w[:-off], c[off:]), (w[off:], c[:-off])):
            keep = (a >= 0) & (b >= 0)
            rows.append(a[keep])
            cols.append(b[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    m = sparse.coo_matrix((np.ones(len(r), np.float32), (r, c)), shape=(n_words, n_contexts))
    return m.tocsr()


def _ppmi(m):
    total = m.sum()
    row = np.asarray(m.sum(axis=1)).ravel()
    col = np.asarray(m.sum(axis=0)).ravel() ** 0.75
    col = col / col.sum()
    m = m.tocoo()
    pmi = np.log(m.data * 1.0 / total) - np.log(row[m.row] / total) - np.log(col[m.col])
    keep = pmi > 0
    from scipy import sparse

    return sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)


def _kmeans(x: np.ndarray, k: int, seed: int = 0, iters: int = 25) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = x[rng.choice(len(x), k, replace=False)]
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        labels = np.argmax(x @ centers.T, axis=1)  # cosine: rows are unit vectors
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c = members.sum(axis=0)
                centers[j] = c / (np.linalg.norm(c) or 1.0)
    return labels


def build_clusters(
    shared: Path, out: Path, n_words: int = 60000, n_contexts: int = 8000, dim: int = 100
) -> int:
    """Learn the cluster table from the news corpora and write it as gzipped TSV; returns #words."""
    from scipy.sparse.linalg import svds

    words, flat = _corpus_ids(news_sentences(shared))
    counts = np.bincount(flat[flat >= 0], minlength=len(words))
    order = np.argsort(-counts, kind="stable")[:n_words]
    order = order[counts[order] >= 5]
    rank = np.full(len(words) + 1, -1, dtype=np.int32)  # index -1 (separator) stays -1
    rank[order] = np.arange(len(order), dtype=np.int32)
    w = rank[flat]
    c = np.where(w < n_contexts, w, -1)
    ppmi = _ppmi(_cooccurrence(w, c, len(order), min(n_contexts, len(order))))
    ranked = [words[i] for i in order]
    u, s, _ = svds(ppmi, k=dim, random_state=0)
    vec = u * np.sqrt(s)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-9
    labels = [_kmeans(vec, k, seed=k) for k in SIZES]
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        for i, w in enumerate(ranked):
            fh.write(w + "\t" + "\t".join(str(int(lab[i])) for lab in labels) + "\n")
    return len(ranked)


def load_clusters(path: Path) -> dict[str, tuple[str, ...]]:
    """folded word → (cluster id per granularity..., frequency band); the table is in frequency order."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = (line.rstrip("\n").split("\t") for line in fh)
        return {w: (*ids, str((rank + 1).bit_length())) for rank, (w, *ids) in enumerate(rows)}
