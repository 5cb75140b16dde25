"""Which language a text is in, from its letters' scripts and a few stop words.

Light by design: the script that holds most letters decides (Arabic, Latin, Cyrillic, …); among
languages sharing a script, the language whose stop words occur most wins (English against French,
Arabic against Persian and Urdu, which also have letters of their own). The knowledge is data
(``marsad/data/languages.json``); no model is loaded.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from importlib import resources

# Unicode ranges of each script's letters.
_SCRIPTS = {
    "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc",
    "latin": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
    "cyrillic": "\u0400-\u04ff", "greek": "\u0370-\u03ff", "hebrew": "\u0590-\u05ff",
    "devanagari": "\u0900-\u097f", "thai": "\u0e00-\u0e7f", "armenian": "\u0530-\u058f",
    "georgian": "\u10a0-\u10ff", "ethiopic": "\u1200-\u137f", "hangul": "\uac00-\ud7af\u1100-\u11ff",
    "kana": "\u3040-\u30ff", "han": "\u4e00-\u9fff",
}
_RUNS = {name: re.compile(f"[{chars}]+") for name, chars in _SCRIPTS.items()}
# Most pages are Arabic: two scans (Arabic letters, letters of every other script) settle those.
_ARABIC = _RUNS["arabic"]
_OTHER = re.compile("[" + "".join(chars for name, chars in _SCRIPTS.items() if name != "arabic") + "]+")
_WORD = re.compile(r"\w+")
_SAMPLE = 600  # characters read first; an opening mostly in Arabic letters settles it
_MAX_TEXT = 20_000  # characters read at most


@cache
def _data() -> dict:
    raw = json.loads(resources.files("marsad.data").joinpath("languages.json").read_text("utf-8"))
    raw["stop_sets"] = {lang: frozenset(ws) for lang, ws in raw["stop_words"].items()}
    return raw


def script_shares(text: str) -> dict[str, float]:
    """Share of the text's letters in each script that has any."""
    counts = {name: sum(map(len, run.findall(text))) for name, run in _RUNS.items()}
    total = sum(counts.values())
    return {name: n / total for name, n in counts.items() if n} if total else {}


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (``ar``, ``en``, ``fr``, …); ``und`` (undetermined) for
    Latin letters with none of the stop words known here; None when the text has no letters."""
    data = _data()
    head = text[:_SAMPLE]
    arabic = sum(map(len, _ARABIC.findall(head)))
    if arabic and 2 * arabic >= len(head) - head.count(" "):  # half of all: no other script beats it
        return _arabic_script(head, data)
    # An opening in another script (an English title, a caption) may still open an Arabic text: count all.
    text = text[:_MAX_TEXT]
    arabic = sum(map(len, _ARABIC.findall(text)))
    other = sum(map(len, _OTHER.findall(text)))
    if not arabic + other:
        return None
    if arabic >= other:
        return _arabic_script(text, data)
    shares = script_shares(text)
    script = max(shares, key=shares.__getitem__)
    if script == "arabic":
        return _arabic_script(text, data)
    if script == "latin":
        arabic_script = {"ar", *data["arabic_script_letters"]}
        latin = [lang for lang in data["stop_sets"] if lang not in arabic_script]
        return _by_stop_words(text.lower(), latin) or "und"
    if script == "han" and "kana" in shares:
        return "ja"
    return data["scripts"].get(script, "und")


def _arabic_script(text: str, data: dict) -> str:
    own = {lang: sum(map(text.count, letters)) for lang, letters in data["arabic_script_letters"].items()}
    if not any(own.values()):
        return "ar"  # Persian and Urdu always write some letters Arabic has not
    return _by_stop_words(text, ["ar", *own]) or "ar"


def _by_stop_words(text: str, langs: list[str]) -> str | None:
    sets = _data()["stop_sets"]
    counts = Counter(_WORD.findall(text))
    scores = {lang: sum(counts[w] for w in sets[lang]) for lang in langs}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else None
