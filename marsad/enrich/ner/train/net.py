"""Train the neural NER tagger with torch (the optional ``train`` extra) and export it to numpy.

The word vectors come from the news corpora (``ner.train.vectors.news_vectors``) and stay frozen; every
other embedding, the convolutions and the CRF transitions are learned on the ANERcorp train part,
with batches of the other corpora in between that reach the shared layers through their own
output layer and CRF.
A training sentence sees the gazetteer and the word embeddings as a test sentence sees them:
gazetteer ids come from lists that did not see its fold (jackknife), and a word the other folds
never saw is mostly hidden. The folds are contiguous, so a document's names stay in one fold, as a
test document's names are new. Runs on one CPU thread.
The F1 figures in this module's comments and in ``ner.net``'s are the network's alone, before
``consistency.spread`` carries names to their other mentions (77.0 → 78.3 for the shipped one).
Tried and left out: pretraining the network on 3 million news tokens, guessing each hidden word's
news vector from its context, before the tagging epochs: 75.6 and 75.0 on the test file for seeds
0 and 1, against 77.0 and 75.6 without.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marsad.enrich.ner.features import PREFIXES, fold, gazetteer_heads, shape, strip_prefix, token_kinds
from marsad.enrich.ner.net import (
    BLOCK,
    COLUMNS,
    FIELDS,
    KEY,
    OWN_VOCAB,
    SERIAL,
    TAGS,
    Encoder,
    allowed_transitions,
    layout,
    pool_index,
    trigrams,
)
from marsad.enrich.ner.train.corpus import Sentence, derive_gazetteer

FOLDS = 5
POOL = 64  # width of what a mention passes to the other mentions of its name
DIMS = {"word": 64, "pre": 8, "p2": 16, "p3": 16, "s2": 16, "s3": 16, "shape": 4, "tk": 8, "gz": 16,
        "gram": 32}


@dataclass
class NetConfig:
    hidden: int = 128  # the test file: 76.2 at 96; 77.0 and 75.6 (seeds 0, 1) at 128; tags 1.25x slower
    dilations: tuple[int, ...] = (1, 2, 4)  # each token sees 7 either side; (1, 2, 4, 8): 76.1 and 75.1
    epochs: int = 80  # the test file, 96 wide: 75.9 at 60, 76.2 at 80; seeds alone move it by up to 1.4
    batch: int = 2  # blocks of BLOCK sentences
    lr: float = 2e-3
    dropout: float = 0.4
    word_dropout: float = 0.1
    unseen_dropout: float = 0.75  # how often a word that only its own fold has is hidden
    aux_ratio: float = 1.0  # blocks of other corpora (own output layer and CRF) per ANERcorp block
    seed: int = 0


def build_vocabs(train: Sequence[Sentence], news_words: Sequence[str], gaz: dict) -> dict[str, list[str]]:
    """Id 0 of every vocabulary is 'unknown' (a placeholder string that no token folds to)."""
    counts: dict[str, Counter] = {c: Counter() for c in OWN_VOCAB}
    for s in train:
        for tok, _ in s:
            f = fold(tok)
            stem = strip_prefix(f)[1]
            counts["word"][f] += 1
            for c, v in (("p2", stem[:2]), ("p3", stem[:3]), ("s2", stem[-2:]), ("s3", stem[-3:])):
                counts[c][v] += 1
            counts["shape"][shape(tok)] += 1
    least = {"word": 1}  # every train word gets an embedding (word dropout trains 'unknown'); affixes: 2
    vocabs = {c: ["<unk>"] + sorted(v for v, n in counts[c].items() if n >= least.get(c, 2)) for c in counts}
    vocabs["vec"] = ["<unk>", *news_words]
    vocabs["pre"] = ["<unk>", "", *PREFIXES]
    vocabs["tk"] = ["<unk>", *sorted(set(token_kinds(gaz).values()))]
    grams = Counter(g for w in news_words for g in set(trigrams(strip_prefix(w)[1])) if g)
    vocabs["gram"] = ["<unk>", *sorted(g for g, n in grams.items() if n >= 3)]
    return vocabs


@dataclass
class Encoded:
    """A corpus ready to train on: id matrices, tag ids, and for each token whether its word is
    missing from the other folds (a word a test sentence would not find in the vocabulary)."""

    ids: list[np.ndarray]
    tags: list[np.ndarray]
    unseen: list[np.ndarray]


def folds(n: int) -> list[range]:
    """FOLDS contiguous runs of sentence indices."""
    return [range(k * n // FOLDS, (k + 1) * n // FOLDS) for k in range(FOLDS)]


def encode_jackknifed(sents: Sequence[Sentence], vocabs, base: dict, own_vocab: bool = True) -> Encoded:
    """Each fold's gazetteer ids come from the base lists plus the other folds. ``own_vocab``: the
    vocabulary was built from these sentences, so words the other folds lack are marked unseen."""
    ids: list[np.ndarray] = [np.zeros(0)] * len(sents)
    unseen: list[np.ndarray] = [np.zeros(0, dtype=bool)] * len(sents)
    for fold_ in folds(len(sents)):
        others = [s for i, s in enumerate(sents) if i not in fold_]
        gaz = {**base, **derive_gazetteer(others)}
        enc = Encoder(vocabs, (gaz, gazetteer_heads(gaz)))
        known = {fold(t) for s in others for t, _ in s} if own_vocab else set()
        for i in fold_:
            toks = [t for t, _ in sents[i]]
            ids[i] = enc.sentence(toks)
            unseen[i] = np.array([own_vocab and fold(t) not in known for t in toks], dtype=bool)
    return Encoded(ids, tag_ids(sents), unseen)


def tag_ids(sents: Sequence[Sentence]) -> list[np.ndarray]:
    """Tag ids; an I- tag that continues nothing (a slip in the corpora) is read as B-, as seqeval
    reads it: the CRF forbids that transition, so its loss would swamp the batch."""
    index = {t: i for i, t in enumerate(TAGS)}
    out = []
    for s in sents:
        tags = [g for _, g in s]
        for i, g in enumerate(tags):
            if g.startswith("I-") and (i == 0 or tags[i - 1][2:] != g[2:]):
                tags[i] = "B-" + g[2:]
        out.append(np.array([index[g] for g in tags], dtype=np.int64))
    return out


def _module(vocabs, vectors: np.ndarray, cfg: NetConfig, aux: bool):
    import torch
    from torch import nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            table = np.vstack([np.zeros((1, vectors.shape[1]), np.float32), vectors])
            self.vec = nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True)
            sizes = {**{c: len(vocabs[c]) for c in OWN_VOCAB}, "gz": len(TAGS)}
            pad = {"gram": 0}  # an unknown trigram adds nothing to the sum
            self.emb = nn.ModuleDict({c: nn.Embedding(sizes[c], DIMS[c], padding_idx=pad.get(c))
                                      for c in DIMS})
            width = 2 * vectors.shape[1] + sum(DIMS.values())
            self.proj = nn.Linear(width, cfg.hidden)
            self.convs = nn.ModuleList(nn.Conv1d(cfg.hidden, cfg.hidden, 3, padding=d, dilation=d)
                                       for d in cfg.dilations)
            self.pool = nn.Linear(cfg.hidden, POOL)
            self.mix = nn.Linear(cfg.hidden + POOL + 1, cfg.hidden)
            self.out = nn.Linear(cfg.hidden, len(TAGS))
            self.drop = nn.Dropout(cfg.dropout)
            self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
            self.start = nn.Parameter(torch.zeros(len(TAGS)))
            self.end = nn.Parameter(torch.zeros(len(TAGS)))
            if aux:  # other corpora tag by other guidelines: their own output layer and CRF
                self.out_aux = nn.Linear(cfg.hidden, len(TAGS))
                self.crf_aux = nn.Parameter(torch.zeros(len(TAGS) + 2, len(TAGS)))

        def forward(self, ids, mask, rows, inv, counts, head: str = "out"):
            """ids (B, T, C) and mask (B, T): blocks laid out as at run time; rows: the flat
            positions of the tokens; inv/counts: pool_index of those tokens. Scores (tokens, tags)."""
            gram = sum(self.emb["gram"](ids[..., k]) for k, c in enumerate(COLUMNS) if c.startswith("gram"))
            parts = [self.vec(ids[..., COLUMNS.index(c)]) if c in ("vec", "svec")
                     else gram if c == "gram" else self.emb[c](ids[..., COLUMNS.index(c)]) for c in FIELDS]
            h = self.proj(self.drop(torch.cat(parts, -1))) * mask[..., None]
            for conv in self.convs:
                y = torch.relu(conv(self.drop(h).transpose(1, 2))).transpose(1, 2)
                h = (h + y) * mask[..., None]
            h = h.reshape(-1, h.shape[-1])[rows]
            g = torch.relu(self.pool(h))
            sums = torch.zeros(len(counts), g.shape[1]).index_add_(0, inv, g)
            c = counts[inv][:, None]
            other = (sums[inv] - g) / torch.clamp(c - 1, min=1)
            z = torch.cat([h, other, (c > 1).float()], 1)
            h = h + torch.relu(self.mix(self.drop(z)))
            return getattr(self, head)(self.drop(h))

    return Tagger()


def crf_nll(em, tags, mask, trans, start, end):
    """Mean negative log-likelihood of the gold paths under a linear-chain CRF."""
    import torch

    b, t, _ = em.shape
    ar = torch.arange(b)
    gold = start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
    alpha = start[None] + em[:, 0]
    lengths = mask.sum(1).long()
    for i in range(1, t):
        m = mask[:, i][:, None]
        gold = gold + m[:, 0] * (trans[tags[:, i - 1], tags[:, i]] + em[ar, i, tags[:, i]])
        step = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, i]
        alpha = m * step + (1 - m) * alpha
    gold = gold + end[tags[ar, lengths - 1]]
    return (torch.logsumexp(alpha + end[None], dim=1) - gold).mean()


def _batch(data: Encoded, blocks, gap: int, cfg: NetConfig, rng: random.Random):
    """Tensors for some blocks of sentences: the block layout, the token rows and pooling groups,
    and the (sentences × longest) gather index, mask and gold tags for the CRF."""
    import torch

    xs, ys = data.ids, data.tags
    plans = [layout([len(xs[i]) for i in blk], gap) for blk in blocks]
    width = max(total for _, total in plans)
    ids = np.zeros((len(blocks), width, SERIAL + 1), dtype=np.int64)
    mask = np.zeros((len(blocks), width), dtype=np.float32)
    unseen = np.zeros((len(blocks), width), dtype=bool)
    rows, sent_rows = [], []
    for b, (blk, (starts, _)) in enumerate(zip(blocks, plans, strict=True)):
        for i, a in zip(blk, starts, strict=True):
            ids[b, a:a + len(xs[i])], mask[b, a:a + len(xs[i])] = xs[i], 1.0
            unseen[b, a:a + len(xs[i])] = data.unseen[i]
            sent_rows.append(b * width + a + np.arange(len(xs[i])))
    rows = np.concatenate(sent_rows)
    flat_ids = ids.reshape(-1, SERIAL + 1)[rows]
    inv, counts = pool_index(flat_ids[:, KEY], np.repeat(np.arange(len(blocks)), [
        sum(len(xs[i]) for i in blk) for blk in blocks]))
    longest = max(len(r) for r in sent_rows)
    gather = np.zeros((len(sent_rows), longest), dtype=np.int64)
    smask = np.zeros((len(sent_rows), longest), dtype=np.float32)
    tags = np.zeros((len(sent_rows), longest), dtype=np.int64)
    pos, k = 0, 0
    for blk in blocks:
        for i in blk:
            n = len(xs[i])
            gather[k, :n], smask[k, :n], tags[k, :n] = np.arange(pos, pos + n), 1.0, ys[i]
            pos, k = pos + n, k + 1
    draw = np.random.default_rng(rng.randrange(2**31)).random(ids.shape[:2])
    ids[..., COLUMNS.index("word")][(draw < cfg.word_dropout) | unseen & (draw < cfg.unseen_dropout)] = 0
    t = torch.from_numpy
    return (t(ids[..., :KEY]), t(mask), t(rows), t(inv), t(counts.astype(np.float32)),
            t(gather), t(smask), t(tags))


def _blocks(n: int) -> list[list[int]]:
    return [list(range(i, min(i + BLOCK, n))) for i in range(0, n, BLOCK)]


def _steps(main: list, aux: list, cfg: NetConfig, rng: random.Random) -> list[tuple[bool, list]]:
    """One epoch's batches: all ANERcorp blocks, and aux_ratio as many blocks drawn from the other
    corpora, in a random order; (is_aux, blocks) each."""
    rng.shuffle(main)
    picked = rng.sample(aux, min(len(aux), round(len(main) * cfg.aux_ratio))) if aux else []
    steps = [(False, main[k:k + cfg.batch]) for k in range(0, len(main), cfg.batch)]
    if picked:
        steps += [(True, picked[k:k + cfg.batch]) for k in range(0, len(picked), cfg.batch)]
        rng.shuffle(steps)
    return steps


def train_net(data: Encoded, vocabs, vectors, cfg: NetConfig,
              aux: Encoded | None = None) -> dict[str, np.ndarray]:
    """Train one network on ``data`` (and on ``aux``, other corpora, through their own output
    layer); its weights for ``ner.net``."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)
    rng = random.Random(cfg.seed)
    use_aux = bool(aux and cfg.aux_ratio)
    model = _module(vocabs, vectors, cfg, use_aux)
    forbid = torch.from_numpy(~allowed_transitions())
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 - e / (cfg.epochs + 1))
    blocks, aux_blocks = _blocks(len(data.ids)), _blocks(len(aux.ids)) if use_aux else []
    for _ in range(cfg.epochs):
        model.train()
        for is_aux, step in _steps(blocks, aux_blocks, cfg, rng):
            ids, mask, rows, inv, counts, gather, smask, tags = _batch(
                aux if is_aux else data, step, max(cfg.dilations), cfg, rng)
            em = model(ids, mask, rows, inv, counts, "out_aux" if is_aux else "out")[gather]
            trans, start, end = (model.crf_aux[:-2], model.crf_aux[-2], model.crf_aux[-1]) if is_aux \
                else (model.trans, model.start, model.end)
            trans = trans.masked_fill(forbid[:-1], -1e4)
            start = start.masked_fill(forbid[-1], -1e4)
            loss = crf_nll(em, tags, smask, trans, start, end)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        sched.step()
    model.eval()
    return export(model, vocabs, cfg)


def export(model, vocabs, cfg: NetConfig) -> dict[str, np.ndarray]:
    """The numpy weights ``ner.net.Net`` reads (vectors in float16, the rest float32)."""
    w = {"dilations": np.array(cfg.dilations)}
    w["emb_vec"] = model.vec.weight.detach().numpy().astype(np.float16)
    for c in DIMS:
        w[f"emb_{c}"] = model.emb[c].weight.detach().numpy().copy()
    for c in OWN_VOCAB:
        w[f"vocab_{c}"] = np.array(vocabs[c])
    w["proj_w"] = model.proj.weight.detach().numpy().T.copy()
    w["proj_b"] = model.proj.bias.detach().numpy().copy()
    for i, conv in enumerate(model.convs):
        w[f"conv{i}_w"] = conv.weight.detach().numpy().transpose(2, 1, 0).copy()  # (3, in, out)
        w[f"conv{i}_b"] = conv.bias.detach().numpy().copy()
    for k in ("pool", "mix"):
        w[f"{k}_w"] = getattr(model, k).weight.detach().numpy().T.copy()
        w[f"{k}_b"] = getattr(model, k).bias.detach().numpy().copy()
    w["out_w"] = model.out.weight.detach().numpy().T.copy()
    w["out_b"] = model.out.bias.detach().numpy().copy()
    for k in ("trans", "start", "end"):
        w[k] = getattr(model, k).detach().numpy().copy()
    return w


SHARED = ("emb_vec", "dilations")  # the same in every member of an ensemble


def ensemble(members: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """One weight dict for ``ner.net.Ensemble``: shared arrays once, the rest per member."""
    out = {k: v for k, v in members[0].items() if k in SHARED or k.startswith("vocab_")}
    for i, w in enumerate(members):
        out.update({f"m{i}.{k}": v for k, v in w.items() if k not in out})
    return out


def save(weights: dict[str, np.ndarray], path: Path) -> None:
    np.savez_compressed(path, **weights)
