"""News tagged by a trained model, as extra NER training data."""

from __future__ import annotations

import itertools

from marsad.enrich import ner
from marsad.enrich.nerfeatures import gazetteer_heads
from marsad.enrich.nernet import TAGS
from marsad.enrich.nerpseudo import encode_plain, joined, news_articles, pseudo_labelled
from marsad.enrich.nertrain import load_gazetteer


def test_pseudo_labels_are_the_teachers_tags_on_whole_articles(shared):
    first, second = itertools.islice(news_articles(shared), 2)
    got = pseudo_labelled(shared, ner.DATA, sum(map(len, first)) + 1)  # just over one article
    assert [[t for t, _ in s] for s in got] == first + second  # whole articles, in order
    assert [[g for _, g in s] for s in got] == ner.tag_document(first) + ner.tag_document(second)
    assert any(g != "O" for s in got for _, g in s)


def test_encoded_news_hides_nothing_and_joins_after_the_train_part(shared):
    sents = pseudo_labelled(shared, ner.DATA, 50)
    model = ner.load_model()
    phrases = load_gazetteer()
    enc = encode_plain(sents, model.net.vocabs(), (phrases, gazetteer_heads(phrases)))
    assert not any(u.any() for u in enc.unseen)
    assert [TAGS[i] for i in enc.tags[0]] == [g for _, g in sents[0]]
    both = joined(enc, enc)
    assert len(both.ids) == 2 * len(enc.ids) and both.tags[len(enc.ids)] is enc.tags[0]
