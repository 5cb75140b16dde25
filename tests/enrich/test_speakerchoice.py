import numpy as np

from marsad.enrich.quotes import scored_candidates
from marsad.enrich.speakerchoice import FEATURES, gender, weights
from marsad.enrich.speakerfit import Group, accuracy, fit
from marsad.model import EntityMention


def _mention(paragraphs: list[str], text: str, kind: str = "PERS", p: int = 0) -> EntityMention:
    start = paragraphs[p].index(text)
    return EntityMention(text, kind, start, start + len(text), p, text)


def test_gender_of_a_name_is_data_and_endings():
    assert gender(EntityMention("مريم", "PERS", 0, 4, 0, "مريم بوجيتو")) == "f"
    assert gender(EntityMention("أنغيلا ميركل", "PERS", 0, 4, 0, "أنغيلا ميركل")) == "f"
    assert gender(EntityMention("أسامة", "PERS", 0, 4, 0, "أسامة حمدان")) == "m"
    assert gender(EntityMention("أوباما", "PERS", 0, 4, 0, "أوباما")) == "m"  # a surname alone
    assert gender(EntityMention("الوزارة", "ORG", 0, 4, 0, None)) == "f"


def test_candidates_carry_position_agreement_and_never_come_from_inside_the_quote():
    paragraphs = ["التقى أحمد سالم بمريم بوجيتو في باريس. وقالت مريم بوجيتو إن «علي حسن لم يحضر»."]
    entities = [_mention(paragraphs, "أحمد سالم"), _mention(paragraphs, "علي حسن")]
    start = paragraphs[0].index("مريم بوجيتو إن")
    entities.append(EntityMention("مريم بوجيتو", "PERS", start, start + 11, 0, "مريم بوجيتو"))
    [(quote, cands)] = scored_candidates(paragraphs, entities)
    by_name = {c.speaker.canonical: c.f for c in cands}
    assert "علي حسن" not in by_name
    assert by_name["مريم بوجيتو"].get("verb_subject") and by_name["مريم بوجيتو"].get("agree")
    assert by_name["أحمد سالم"].get("clash") and by_name["أحمد سالم"].get("para_before")
    [(chosen, _)] = scored_candidates(paragraphs, entities, choose=True)
    assert chosen.canonical == "مريم بوجيتو"


def test_the_shipped_weights_name_known_features():
    w, margin = weights()
    assert set(w) <= set(FEATURES) and w["rule"] > 0 and margin >= 0


def test_fitting_learns_which_feature_marks_the_right_candidate():
    rng = np.random.default_rng(0)
    groups = []
    for i in range(60):
        x = rng.random((4, len(FEATURES))) * 0.1
        right = np.zeros(4, dtype=bool)
        k = int(rng.integers(4))
        x[k, FEATURES.index("agree")] = 1.0  # the right one agrees with the verb; the rule picks 0
        right[k] = True
        x[0, FEATURES.index("rule")] = 1.0
        groups.append(Group(f"a{i}", x, right, 0))
    w = fit(groups, 0.001)
    assert accuracy(groups, w) > 0.95 > accuracy(groups, None)
