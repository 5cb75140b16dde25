"""The neural NER tagger at run time: numpy only.

Each token becomes a row of small integer ids (word and stem vectors learned from news text,
a word embedding learned from the train part, clitic prefix, stem affixes, shape, gazetteer
membership), the embeddings are concatenated and go through residual dilated convolutions;
a linear-chain CRF layer decodes. The same ``Encoder`` turns training text into ids, so the
training code (``ner.train.net``) and this module cannot drift apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from marsad.enrich.ner.features import (
    Gazetteer,
    fold,
    gazetteer_tags,
    shape,
    strip_prefix,
    strip_suffix,
    token_kinds,
)

TAGS = ("O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
NGRAMS = 8  # letter trigrams of a stem that are looked up (the first and last four of a long one)
# The network's inputs, concatenated: 'vec' and 'svec' (the stem's) are news vectors; the
# embeddings of a stem's letter trigrams are summed into 'gram'.
FIELDS = ("vec", "svec", "word", "pre", "p2", "p3", "s2", "s3", "shape", "tk", "gz", "gram")
COLUMNS = (*FIELDS[:-1], *(f"gram{i}" for i in range(NGRAMS)))  # the id columns of a token
KEY = len(COLUMNS)  # then the stem's hash, to find a name's other mentions,
SERIAL = KEY + 1  # and a number that only this word got from this encoder: same word, same ids
GZ = COLUMNS.index("gz")
# Consecutive sentences whose mentions of a name are pooled. 32 (with NetConfig.batch 1) scored
# 77.0 and 76.3 on the test file for seeds 0 and 1, against 77.0 and 75.6 at 16: within the seeds' spread.
BLOCK = 16
OWN_VOCAB = tuple(c for c in FIELDS if c not in ("svec", "gz"))  # svec shares vec's; gz is TAGS
_CACHE_SIZE = 200_000


class Encoder:
    """Tokens → an int matrix (tokens × COLUMNS, KEY, SERIAL); id 0 is 'unknown' in every column.

    Each word is looked up once: its row (with the gz column left 0) is kept in a growing table.
    """

    def __init__(self, vocabs: Mapping[str, Sequence[str]], gazetteer: Gazetteer):
        self.index = {c: {v: i for i, v in enumerate(vocabs[c])} for c in OWN_VOCAB}
        self.gazetteer = gazetteer
        self.token_kinds = token_kinds(gazetteer[0])
        self.gz_ids = {t: i for i, t in enumerate(TAGS)}
        self._clear()

    def _clear(self) -> None:
        # Serials go on counting across clears, so that one document never sees one reused.
        self._serial = getattr(self, "_serial", 0) + len(getattr(self, "_types", ()))
        self._types: dict[str, int] = {}
        self._folded: list[str] = []
        self._stems: list[str] = []
        self._table = np.zeros((1024, SERIAL + 1), dtype=np.int64)

    def _ids(self, word: str, f: str) -> tuple[int, ...]:
        """The word's ids in COLUMNS order (gz: 0), then its KEY (SERIAL is set by the caller)."""
        prefix, stem = strip_prefix(f)
        ix = self.index
        vec = ix["vec"].get(f) or ix["vec"].get(stem, 0)
        core = strip_suffix(stem)
        svec = ix["vec"].get(stem) or ix["vec"].get(core, 0)
        return (vec, svec, ix["word"].get(f, 0), ix["pre"].get(prefix, 0),
                ix["p2"].get(stem[:2], 0), ix["p3"].get(stem[:3], 0),
                ix["s2"].get(stem[-2:], 0), ix["s3"].get(stem[-3:], 0),
                ix["shape"].get(shape(word), 0),
                ix["tk"].get(self.token_kinds.get(f) or self.token_kinds.get(stem) or "", 0),
                0, *(ix["gram"].get(g, 0) for g in trigrams(stem)), zlib.crc32(core.encode()))

    def _type(self, word: str) -> int:
        n = len(self._types)
        if n == len(self._table):
            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
        f = fold(word)
        self._table[n, :SERIAL] = self._ids(word, f)
        self._table[n, SERIAL] = self._serial + n
        self._folded.append(f)
        self._stems.append(strip_prefix(f)[1])
        self._types[word] = n
        return n

    def sentence(self, tokens: Sequence[str]) -> np.ndarray:
        """The id matrix of one sentence."""
        if len(self._types) + len(tokens) > _CACHE_SIZE:
            self._clear()
        types = self._types
        if any(t not in types for t in tokens):
            for t in tokens:
                if t not in types:
                    self._type(t)
        rows = [types[t] for t in tokens]
        ids = self._table[rows]
        gz = gazetteer_tags([self._folded[r] for r in rows], self.gazetteer, [self._stems[r] for r in rows])
        ids[:, GZ] = [self.gz_ids[g] for g in gz]
        return ids


def field_of(column: str) -> str:
    return "gram" if column.startswith("gram") else column


def table_of(column: str) -> str:
    """The embedding table a column indexes: stems share the news vectors, trigrams one table."""
    return "vec" if column == "svec" else field_of(column)


def trigrams(stem: str) -> list[str]:
    """Exactly NGRAMS letter trigrams of ^stem$, padded with '' (unknown)."""
    s = f"^{stem}$"
    grams = [s[i:i + 3] for i in range(len(s) - 2)]
    if len(grams) > NGRAMS:
        grams = grams[:NGRAMS // 2] + grams[-(NGRAMS // 2):]
    return grams + [""] * (NGRAMS - len(grams))


def allowed_transitions() -> np.ndarray:
    """IOB2: I-X only after B-X or I-X (also not at the start of a sentence: row len(TAGS))."""
    ok = np.ones((len(TAGS) + 1, len(TAGS)), dtype=bool)
    for j, t in enumerate(TAGS):
        if t.startswith("I-"):
            ok[:, j] = False
            ok[TAGS.index("B-" + t[2:]), j] = ok[j, j] = True
    return ok


def load_net(path: Path) -> Ensemble:
    with np.load(path) as z:
        return Ensemble({k: z[k] for k in z.files})


class Ensemble:
    """Networks trained alike from different seeds (keys ``m0.``, ``m1.``, ...; the news vectors and
    vocabularies are shared): their tag scores and transitions are averaged. One network ships:
    on the test file two averaged (blocks of 32, seeds 0 and 1) scored 77.1 and four 77.2, against
    77.0 alone, and each costs about as much tagging time again, which enrichment cannot spare."""

    def __init__(self, weights: Mapping[str, np.ndarray]):
        shared = {k: _float32(v) for k, v in weights.items() if "." not in k}
        n = len({k.split(".")[0] for k in weights if "." in k})
        self.members = [Net({**shared, **{k.split(".", 1)[1]: v for k, v in weights.items()
                                          if k.startswith(f"m{i}.")}}) for i in range(n)]
        self.trans, self.start, self.end = (sum(getattr(m, a) for m in self.members) / n
                                            for a in ("trans", "start", "end"))

    def vocabs(self) -> dict[str, list[str]]:
        return self.members[0].vocabs()

    def tag(self, sents: Sequence[np.ndarray]) -> list[list[str]]:
        """Viterbi-decoded IOB2 tags, all sentences in step."""
        return self.tag_scored(sents, probabilities=False)[0]

    def tag_scored(self, sents: Sequence[np.ndarray], probabilities: bool = True
                   ) -> tuple[list[list[str]], list[np.ndarray]]:
        """Tags as ``tag`` gives them, and with ``probabilities`` each sentence's tag probabilities as
        the network scores each token (tokens × TAGS, the softmax of its output layer: the CRF's
        transitions aside, which a forward-backward pass would add at half the network's cost again)."""
        keep = [i for i, s in enumerate(sents) if len(s)]
        out: list[list[str]] = [[] for _ in sents]
        probs = [np.zeros((0, len(TAGS)), dtype=np.float32) for _ in sents]
        if not keep:
            return out, probs
        doc = Document([sents[i] for i in keep], self.members[0].gap, self.members[0].w["emb_vec"])
        scores = sum(m.emissions(doc) for m in self.members) / len(self.members)
        lengths = [len(sents[i]) for i in keep]
        for i, path in zip(keep, viterbi(scores, lengths, self.trans, self.start, self.end), strict=True):
            out[i] = [TAGS[k] for k in path]
        if probabilities:  # the output layer's softmax, token by token
            z = np.exp(scores - scores.max(axis=1, keepdims=True))
            z /= z.sum(axis=1, keepdims=True)
            first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            for j, i in enumerate(keep):
                probs[i] = z[first[j]:first[j] + lengths[j]]
        return out, probs


def _float32(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32) if a.dtype.kind == "f" else a


class Net:
    """One network's weights as ``ner.train.net.export`` writes them; scores whole documents at once."""

    def __init__(self, weights: Mapping[str, np.ndarray]):
        self.w = {k: _float32(v) for k, v in weights.items()}
        self.dilations = [int(d) for d in self.w["dilations"]]
        self.gap = max(self.dilations)  # zero rows between sentences: no layer sees across them
        ok = allowed_transitions()
        self.trans = np.where(ok[:-1], self.w["trans"], -1e4).astype(np.float32)
        self.start = np.where(ok[-1], self.w["start"], -1e4).astype(np.float32)
        self.end = self.w["end"]
        # The first layer is linear in the embeddings: fold it into the small tables once; the
        # news vectors (too many rows for that) are multiplied per token.
        widths = [self.w[f"emb_{table_of(f)}"].shape[1] for f in FIELDS]
        ends = dict(zip(FIELDS, np.cumsum(widths), strict=True))
        part = {f: self.w["proj_w"][ends[f] - n:ends[f]] for f, n in zip(FIELDS, widths, strict=True)}
        self.vec_w = np.concatenate([part["vec"], part["svec"]])
        vec_cols = [COLUMNS.index("vec"), COLUMNS.index("svec")]
        folded = {f: self.w[f"emb_{table_of(f)}"] @ part[f] for f in FIELDS[2:]}
        per_word = [k for k, c in enumerate(COLUMNS) if k not in vec_cols and c != "gz"]
        self.folded = [(k, folded[field_of(COLUMNS[k])]) for k in per_word]
        self.gz_table = folded["gz"]

    def vocabs(self) -> dict[str, list[str]]:
        return {c: [str(v) for v in self.w[f"vocab_{c}"]] for c in OWN_VOCAB}

    def emissions(self, doc: Document) -> np.ndarray:
        """Tag scores of every token of ``doc`` (rows back to back)."""
        x = doc.vecs @ self.vec_w + self.w["proj_b"]  # per distinct word first
        for k, table in self.folded:
            x += table[doc.words[:, k]]
        h = np.zeros((doc.total, x.shape[1]), dtype=np.float32)
        h[doc.rows] = x[doc.word_of] + self.gz_table[doc.ids[:, GZ]]
        for layer, d in enumerate(self.dilations):
            w, b = self.w[f"conv{layer}_w"], self.w[f"conv{layer}_b"]  # (3, in, out)
            y = h @ w[1] + b
            y[d:] += h[:-d] @ w[0]
            y[:-d] += h[d:] @ w[2]
            h = (h + np.maximum(y, 0.0)) * doc.mask
        h = h[doc.rows]
        g = np.maximum(h @ self.w["pool_w"] + self.w["pool_b"], 0.0)
        sums = np.add.reduceat(g[doc.order], doc.group_starts)
        other = (sums[doc.group] - g) / np.maximum(doc.mentions - 1, 1)
        z = np.concatenate([h, other, (doc.mentions > 1).astype(np.float32)], axis=1)
        h = h + np.maximum(z @ self.w["mix_w"] + self.w["mix_b"], 0.0)
        return h @ self.w["out_w"] + self.w["out_b"]


class Document:
    """What every network of an ensemble needs of the same sentences, computed once: the layout
    (sentences back to back with ``gap`` empty rows around each), the news vectors of the tokens
    and stems, and the groups of mentions of the same stem within a block of sentences."""

    def __init__(self, sents: Sequence[np.ndarray], gap: int, vec: np.ndarray):
        lengths = [len(x) for x in sents]
        starts, self.total = layout(lengths, gap)
        first = np.cumsum(lengths) - lengths
        self.rows = np.arange(sum(lengths)) + np.repeat(starts - first, lengths)
        self.ids = np.concatenate(sents)
        _, first_use, self.word_of = np.unique(self.ids[:, SERIAL], return_index=True, return_inverse=True)
        self.words = self.ids[first_use]  # one row per distinct word (its gz column is meaningless)
        self.vecs = np.concatenate([vec[self.words[:, COLUMNS.index(c)]] for c in ("vec", "svec")], axis=1)
        self.mask = np.zeros((self.total, 1), dtype=np.float32)
        self.mask[self.rows] = 1.0
        blocks = np.repeat(np.arange(len(sents)) // BLOCK, lengths)
        self.group, counts = pool_index(self.ids[:, KEY], blocks)
        self.order = np.argsort(self.group, kind="stable")
        self.group_starts = np.cumsum(counts) - counts
        self.mentions = counts[self.group][:, None].astype(np.float32)


def layout(lengths: Sequence[int], gap: int) -> tuple[np.ndarray, int]:
    """First row of each sentence placed back to back with ``gap`` empty rows around each; #rows."""
    starts = gap + np.concatenate([[0], np.cumsum(np.asarray(lengths) + gap)[:-1]]).astype(np.int64)
    return starts, int(starts[-1] + lengths[-1] + gap)


def pool_index(keys: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group of every token (same stem in the same block of sentences) and the size of each group."""
    _, inv, counts = np.unique(keys + (blocks.astype(np.int64) << 32), return_inverse=True,
                               return_counts=True)
    return inv.ravel(), counts


def viterbi(scores: np.ndarray, lengths: Sequence[int], trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> list[list[int]]:
    """Best tag paths of many sentences at once; ``scores`` holds their tokens back to back.

    Sentences run longest first, so the ones still going at step t are a prefix of the batch.
    """
    lens = np.asarray(lengths)
    order = np.argsort(-lens, kind="stable")
    first = np.concatenate([[0], np.cumsum(lens)[:-1]])
    n, longest, k = len(lens), int(lens.max()), scores.shape[1]
    live = np.searchsorted(-lens[order], -np.arange(longest), side="left")  # sentences longer than t
    em = np.zeros((longest, n, k), dtype=np.float32)
    steps = np.arange(longest)[:, None] < lens[order][None, :]
    em[steps] = scores[(first[order][None, :] + np.arange(longest)[:, None])[steps]]
    best = em[0] + start
    back = np.zeros((longest, n, k), dtype=np.int8)
    for t in range(1, longest):
        m = live[t]
        cand = best[:m, :, None] + trans
        back[t, :m] = cand.argmax(axis=1)
        best[:m] = cand.max(axis=1) + em[t, :m]
    tags = np.zeros((longest, n), dtype=np.int64)
    last = (best + end).argmax(axis=1)
    ends = lens[order] - 1
    tags[ends, np.arange(n)] = last
    cur = last.copy()
    for t in range(longest - 1, 0, -1):
        m = live[t]
        cur[:m] = np.where(ends[:m] == t, last[:m], cur[:m])
        prev = back[t, np.arange(m), cur[:m]]
        tags[t - 1, :m] = prev
        cur[:m] = prev
    paths: list[list[int]] = [[]] * n
    for j, i in enumerate(order):
        paths[i] = tags[: lens[i], j].tolist()
    return paths

