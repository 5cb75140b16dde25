"""The NER tagger, its training data split, its metric and its CLI."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from marsad.cli import main
from marsad.enrich import ner
from marsad.enrich.ner.features import entities, tokenize
from marsad.enrich.ner.net import KEY, OWN_VOCAB, SERIAL, Encoder, viterbi
from marsad.enrich.ner.train import score
from marsad.enrich.ner.train.corpus import TEST_START, anercorp_split, official_test, rejoin_clitics

F1_FLOOR = 0.76  # measured 0.783 (bench/ner.py), minus ~2.5 points
_IOB2 = re.compile(r"^(O|[BI]-(PERS|LOC|ORG|MISC))$")


@pytest.fixture(scope="module")
def split(shared):
    return anercorp_split(shared)


def test_rebuilt_train_matches_provenance_counts(split):
    train, test = split
    assert sum(map(len, train)) == 125_087
    assert sum(map(len, test)) == 25_007
    assert tuple(t for t, _ in test[0][: len(TEST_START)]) == TEST_START


def test_train_shares_no_sentence_with_official_test(split, shared):
    train, _ = split
    seen = {tuple(t for t, _ in s) for s in train}
    # The official file replaced each sentence's first token (PROVENANCE), so also compare tails.
    tails = {k[1:] for k in seen if len(k) >= 6}
    for s in official_test(shared):
        toks = tuple(t for t, _ in s)
        assert toks not in seen
        assert toks[1:] not in tails


def test_entities_follow_seqeval_default_mode():
    tags = ["B-PERS", "I-PERS", "I-LOC", "O", "I-ORG", "I-ORG", "B-ORG", "B-MISC", "I-PERS"]
    assert entities(tags) == [("PERS", 0, 2), ("LOC", 2, 3), ("ORG", 4, 6), ("ORG", 6, 7),
                              ("MISC", 7, 8), ("PERS", 8, 9)]


def test_official_test_entity_counts(shared):
    """PROVENANCE counts 2,285 entities seqeval-style: PERS 907, LOC 676, ORG 459, MISC 243."""
    kinds = [k for s in official_test(shared) for k, _, _ in entities([g for _, g in s])]
    assert {k: kinds.count(k) for k in set(kinds)} == {"PERS": 907, "LOC": 676, "ORG": 459, "MISC": 243}


def test_score_perfect_and_half():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC"]]
    assert score(gold, gold)["micro"]["f1"] == 1.0
    half = score(gold, [["B-PERS", "I-PERS", "O", "O"]])["micro"]
    assert (half["precision"], half["recall"]) == (1.0, 0.5)


@given(st.text(alphabet="بوتين موسكو، .ال\n«»0123", max_size=60))
def test_tokenize_offsets_point_at_tokens(text):
    for start, end, tok in tokenize(text):
        assert text[start:end] == tok and not tok.isspace()


def test_tags_are_valid_iob2(shared):
    sents = [[t for t, _ in s] for s in official_test(shared)[:50]]
    for toks in sents:
        tags = ner.tag(toks)
        assert len(tags) == len(toks)
        assert all(_IOB2.match(t) for t in tags)
        for prev, cur in zip(["O", *tags], tags, strict=False):
            if cur.startswith("I-"):
                assert prev[2:] == cur[2:], "an I- tag must continue an entity of its type"


def test_finds_people_places_and_organizations():
    text = "قال الرئيس الروسي فلاديمير بوتين في موسكو إن الكرملين سيرد على قرار الاتحاد الأوروبي."
    found = {(surface, kind) for _, _, kind, surface in ner.find_entities(text)}
    assert ("فلاديمير بوتين", "PERS") in found
    assert ("موسكو", "LOC") in found
    assert ("الكرملين", "ORG") in found or ("الكرملين", "LOC") in found
    for start, end, _, surface in ner.find_entities(text):
        assert text[start:end] == surface


def test_scored_entities_are_the_entities_with_a_confidence():
    text = "قال الرئيس الروسي فلاديمير بوتين في موسكو إن الكرملين سيرد على قرار الاتحاد الأوروبي."
    scored = ner.find_scored_entities(text)
    assert [s[:4] for s in scored] == ner.find_entities(text)
    assert all(0.0 <= s[4] <= 1.0 + 1e-6 for s in scored)
    assert dict((s[3], s[4]) for s in scored)["فلاديمير بوتين"] > 0.9


def test_conll_cli_round_trip_keeps_blank_lines(tmp_path):
    src = tmp_path / "in.conll"
    src.write_text("بوتين O\nفي O\nموسكو O\n\n\nوصل O\nماكرون O\n.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", "--conll", str(src)])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert [ln.split(" ")[0] for ln in lines] == ["بوتين", "في", "موسكو", "", "", "وصل", "ماكرون", ".", ""]
    assert all(_IOB2.match(ln.split(" ")[1]) for ln in lines if ln)


def test_f1_on_official_test_file(shared):
    test = official_test(shared)
    pred = ner.tag_document([[t for t, _ in s] for s in test])
    assert score([[g for _, g in s] for s in test], pred)["micro"]["f1"] >= F1_FLOOR


def _path_score(path, em, trans, start, end) -> float:
    return (start[path[0]] + end[path[-1]] + sum(em[i, t] for i, t in enumerate(path))
            + sum(trans[a, b] for a, b in itertools.pairwise(path)))


def test_viterbi_finds_the_best_path_of_every_sentence():
    rng = np.random.default_rng(0)
    for _ in range(50):
        lengths = [int(n) for n in rng.integers(1, 5, size=rng.integers(1, 6))]
        scores = rng.normal(size=(sum(lengths), 3)).astype(np.float32)
        trans, start, end = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3)
        got, pos = viterbi(scores, lengths, trans, start, end), 0
        for n, path in zip(lengths, got, strict=True):
            em, pos = scores[pos:pos + n], pos + n
            paths = itertools.product(range(3), repeat=n)
            assert path == list(max(paths, key=lambda p, em=em: _path_score(p, em, trans, start, end)))


def test_encoder_pools_a_name_across_its_clitic_forms():
    enc = Encoder({c: ["<unk>"] for c in OWN_VOCAB}, ({}, {}))
    ids = enc.sentence(["موسكو", "وموسكو", "لموسكو", "بوتين"])
    assert ids[0, KEY] == ids[1, KEY] == ids[2, KEY] != ids[3, KEY]
    assert (ids[:, :KEY] == 0).all()  # nothing known: every column says 'unknown'


def test_shipped_model_fits_the_size_budget():
    size = sum((ner.DATA / f).stat().st_size for f in (ner.NET, ner.GAZETTEER))
    assert size <= 50 * 2**20


def test_numpy_net_scores_like_the_torch_module_it_was_exported_from():
    pytest.importorskip("torch")
    import random

    from marsad.enrich.ner.net import Document, Net
    from marsad.enrich.ner.train import net as T

    sents = [[("فلاديمير", "B-PERS"), ("بوتين", "I-PERS"), ("في", "O"), ("موسكو", "B-LOC")],
             [("وصل", "O"), ("بوتين", "B-PERS"), (".", "O")]] * 5  # 10 sentences: one block
    gaz = {("موسكو",): "LOC"}
    vectors = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float16).astype(np.float32)
    vocabs = T.build_vocabs(sents, ["في", "موسكو", "بوتين"], gaz)
    enc = Encoder(vocabs, (gaz, {"موسكو": (1,)}))
    xs = [enc.sentence([t for t, _ in s]) for s in sents]
    data = T.Encoded(xs, T.tag_ids(sents), [np.ones(len(x), dtype=bool) for x in xs])
    cfg = T.NetConfig(hidden=16, dilations=(1, 2), dropout=0.0, word_dropout=0.0, unseen_dropout=0.0)
    module = T._module(vocabs, vectors, cfg, aux=True).eval()
    batch = T._batch(data, [list(range(len(xs)))], max(cfg.dilations), cfg, random.Random(0))
    expected = module(*batch[:5]).detach().numpy()
    net = Net(T.export(module, vocabs, cfg))
    got = net.emissions(Document(xs, net.gap, net.w["emb_vec"]))
    assert np.allclose(got, expected, atol=1e-4)


def test_encoder_never_gives_two_words_one_serial_even_after_its_cache_is_cleared(monkeypatch):
    from marsad.enrich.ner import net as nernet

    monkeypatch.setattr(nernet, "_CACHE_SIZE", 4)
    enc = Encoder({c: ["<unk>"] for c in OWN_VOCAB}, ({}, {}))
    seen: dict[int, str] = {}
    for sent in (["أ", "ب", "أ"], ["ج", "د"], ["أ", "هـ"], ["و", "ز", "ح"]):
        for tok, serial in zip(sent, enc.sentence(sent)[:, SERIAL], strict=True):
            assert seen.setdefault(int(serial), tok) == tok
    assert len(seen) > len({"أ", "ب", "ج", "د", "هـ", "و", "ز", "ح"})  # the cache was cleared


def test_wikifane_clitics_are_joined_back_as_news_writes_them():
    sent = [("و", "O"), ("مدينة", "O"), ("جوبا", "B-LOC"), ("عاصمة", "O"), ("ها", "O"), ("و", "O"),
            ("ب", "O"), ("الخرطوم", "B-LOC"), (".", "O")]
    assert rejoin_clitics(sent) == [("ومدينة", "O"), ("جوبا", "B-LOC"), ("عاصمتها", "O"),
                                    ("وبالخرطوم", "B-LOC"), (".", "O")]


def test_a_stray_inside_tag_trains_as_a_beginning():
    from marsad.enrich.ner.net import TAGS
    from marsad.enrich.ner.train.net import tag_ids

    sent = [("في", "O"), ("عمان", "I-LOC"), ("مع", "B-PERS"), ("زيد", "I-ORG"), ("علي", "I-ORG")]
    assert [TAGS[i] for i in tag_ids([sent])[0]] == ["O", "B-LOC", "B-PERS", "B-ORG", "I-ORG"]


def test_an_epoch_takes_every_train_block_and_its_share_of_other_corpora():
    import random

    from marsad.enrich.ner.train.net import NetConfig, _steps

    main, aux = [[i] for i in range(10)], [[100 + i] for i in range(50)]
    steps = _steps(main, aux, NetConfig(batch=2, aux_ratio=1.5), random.Random(0))
    own = sorted(b[0] for is_aux, step in steps if not is_aux for b in step)
    other = [b[0] for is_aux, step in steps if is_aux for b in step]
    assert own == list(range(10)) and len(other) == len(set(other)) == 15
    assert all(len(step) <= 2 for _, step in steps)


def test_jackknife_hides_what_only_a_sentences_own_stretch_of_train_knows():
    """A document's names are new to a test document: train sentences must see them the same way."""
    from marsad.enrich.ner.net import GZ, TAGS
    from marsad.enrich.ner.train.net import FOLDS, build_vocabs, encode_jackknifed

    filler = [[("ثم", "O"), ("قال", "O")] for _ in range(2 * FOLDS - 3)]
    sents = [[("زيد", "B-PERS"), ("قال", "O")], [("زيد", "B-PERS"), ("عمرو", "B-PERS")], *filler,
             [("عمرو", "B-PERS")]]  # the first two sentences are one fold; the last is another
    vocabs = build_vocabs(sents, [], {})
    enc = encode_jackknifed(sents, vocabs, {})
    first = enc.ids[1]
    assert [TAGS[g] for g in first[:, GZ]] == ["O", "B-PERS"]  # زيد only in its own fold
    assert enc.unseen[1].tolist() == [True, False]
    assert enc.unseen[0].tolist() == [True, False] and not enc.unseen[-1].any()
    other_corpus = encode_jackknifed(sents, vocabs, {}, own_vocab=False)  # looked up in train's words
    assert not any(u.any() for u in other_corpus.unseen)


def test_tagging_never_loads_the_training_code():
    """Runtime tagging and train-only code are apart: tagging imports nothing of ``ner.train``."""
    code = ("import sys; from marsad.enrich import enrich_article, ner; ner.find_entities('x'); "
            "import marsad.enrich.canonical as c; c._gazetteer(); "
            "print(sorted(m for m in sys.modules if m.startswith('marsad.enrich.ner.train')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
