"""Benchmark of full enrichment (entities, dates, figures, quotes) on ANT multi-source news articles.

    python3 bench/enrich.py [--articles 2000] [--sample] [--workers 2]
    python3 bench/enrich.py --db ARCHIVE [--top 400]   # the entity list of an ingested archive

All in this run, on the same articles:
- ``1 process``: ``enrich_article`` one article after another; its speed in articles per CPU-second
  (steady on a shared machine) and per wall second;
- ``N workers``: ``enrich_many`` over a pool of N processes, as a batch ingest would run it; articles per
  wall second, and per CPU-second of all the processes;
- the CPU time of each stage (NER, dates, figures, canonical entities, quotes) in the 1-process run;
- peak memory (RSS) of this process and of the largest worker, and the load average before and after.
NER quality (entity F1 per type on the ANERcorp test file) and tagging speed come from
``bench/ner.py`` (``run_shipped``), when a trained model is installed. Last, the entities of the
example page against its gold file (``tests/enrich/golden``): precision and recall of the mentions.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import lzma
import os
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.enrich import enrich_article, enrich_many, ner_available  # noqa: E402
from marsad.enrich.canonical import fold_name, known_entities, name_particles, variant_key  # noqa: E402
from marsad.enrich.lexicon import load as load_data  # noqa: E402
from marsad.enrich.scoring import score_entities  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.parse import parse_text  # noqa: E402

SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "data" / "news" / "ant-multisource"
STAGES = ("ner", "dates", "figures", "canonical", "quotes")


def load_articles(n: int, sample: bool) -> list[Article]:
    path = CORPUS / ("sample.jsonl" if sample else "articles.jsonl.xz")
    opener = open if sample else lzma.open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            paragraphs = [p for p in rec.get("text", "").split("\n") if p.strip()]
            out.append(Article(headline=rec.get("title", ""), paragraphs=paragraphs,
                               published=rec.get("published")))
            if len(out) >= n:
                break
    return out


def run_one(articles: list[Article]) -> tuple[float, float, dict[str, float], list[Article]]:
    """(wall seconds, CPU seconds, CPU seconds per stage, enriched) of one process."""
    timings: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    out = [enrich_article(a, timings=timings) for a in articles]
    return time.perf_counter() - t0, time.process_time() - c0, timings, out


def run_pool(articles: list[Article], workers: int) -> tuple[float, float, list[Article], int]:
    """(wall seconds, CPU seconds of this process and its workers, enriched, failures) of a pool."""
    def cpu() -> float:
        own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    t0, c0 = time.perf_counter(), cpu()
    out, failures = enrich_many(articles, workers=workers)
    return time.perf_counter() - t0, cpu() - c0, out, len(failures)


def _counts(enriched: list[Article]) -> str:
    n = len(enriched) or 1
    kinds = ("entities", "dates", "figures", "quotes")
    per = [sum(len(getattr(a, k) or []) for a in enriched) / n for k in kinds]
    return " ".join(f"{v:.1f}" for v in per)


def ner_quality() -> str:
    """Entity F1 per type and tagging speed, from the NER bench (bench/ner.py) run in this process."""
    path = ROOT / "bench" / "ner.py"
    if not (path.is_file() and ner_available()):
        return "NER F1: no trained model or no bench/ner.py"
    spec = importlib.util.spec_from_file_location("bench_ner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scores, speed = module.run_shipped(module.official_test(SHARED))
    cells = ", ".join(f"{k} {v['f1'] * 100:.1f}" for k, v in scores.items())
    speeds = speed.items() if isinstance(speed, dict) else [("", speed)]  # older benches gave one number
    tagging = ", ".join(f"{v:,.0f} {k}".rstrip() for k, v in speeds)
    return f"NER F1 on ANERcorp test: {cells}; tagging tokens/s: {tagging}"


def page_entities() -> str:
    """Precision and recall of the example page's entity mentions against its gold file."""
    gold_file = ROOT / "tests" / "enrich" / "golden" / "aawsat-page-2025.json"
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    page = parse_text((SHARED / "fixtures" / "aawsat-page-2025.txt").read_text(encoding="utf-8"))
    articles = [enrich_article(replace(a, published=g["published"]))
                for a, g in zip(page.articles, gold["articles"], strict=True)]
    r = score_entities(articles, gold["articles"])
    return (f"example page entities: P {r.precision:.3f} R {r.recall:.3f} ({r.matched} of {r.gold} gold, "
            f"{r.found} found); one canonical per entity: {not r.split and not r.merged}")


# Names every reader knows the type of (beside the alias table's): events are MISC.
WELL_KNOWN = {"دونالد ترمب": "PERS", "فلاديمير بوتين": "PERS", "ليونيل ميسي": "PERS", "محمد صلاح": "PERS",
              "روسيا": "LOC", "الولايات المتحدة": "LOC", "دبي": "LOC", "لندن": "LOC", "الأمم المتحدة": "ORG",
              "الاتحاد الأوروبي": "ORG", "ريال مدريد": "ORG", "برشلونة": "ORG", "فيسبوك": "ORG",
              "رويترز": "ORG", "حزب الله": "ORG", "بريكست": "MISC", "كأس العالم": "MISC"}
_PUNCT = re.compile(r"[^\w\s.'\-\u064b-\u0652]")  # diacritics may stay (عُمان)


def archive_report(db: str, top: int) -> None:
    """The entity list of an archive: junk, split names, punctuation, types; the top 100 to read."""
    from marsad.archive import open_archive

    with open_archive(db, readonly=True) as arc:
        found = arc.entities(limit=top)
        untagged = _untagged(arc, [e for e in found if " " not in e.name.strip()])
    dated = _dated_words()
    checks = {
        "month/weekday/currency": [e.name for e in found if all(
            w.removeprefix("ال") in dated or w.isdigit() for w in fold_name(e.name).split())],
        "mostly untagged (common noun?)": [f"{e.name} {e.articles}/{untagged[e.id]}" for e in found
                                           if untagged.get(e.id, 0) > e.articles],
        "split across entities": _splits(found),
        "punctuation in name": [e.name for e in found if _PUNCT.search(e.name) or re.search(
            r"\w{4,}\.$", e.name)],  # a sentence's dot; an initial's (د.) may stay
        "well-known name, wrong type": _wrong_types(found),
    }
    print(f"archive {Path(db).name}: top {len(found)} entities")
    for name, hits in checks.items():
        print(f"  {name:<32} {len(hits):>3}  {' | '.join(hits[:12])}")
    print("top 100 (articles, type, name):")
    for i in range(0, min(100, len(found)), 4):
        print("  " + "".join(f"{e.articles:>6} {e.type:<4} {e.name[:22]:<24}" for e in found[i:i + 4]))


def _dated_words() -> set[str]:
    months, money = load_data("months.json"), load_data("currencies.json")
    names = [*months["gregorian"], *months["hijri"], *months["weekdays"]]
    names += [n for c in money["currencies"] for n in c["names"]]
    return {w.removeprefix("ال") for n in names for w in fold_name(n).split()}


def _untagged(arc, entities) -> dict[str, int]:
    """Articles of the archive that print each one-word name outside every mention (clitics allowed)."""
    wanted = {fold_name(e.name): e.id for e in entities}
    counts = dict.fromkeys(wanted.values(), 0)
    for article in arc.iter_articles():
        printed = Counter(_bare_words(article.headline + " " + article.body))
        tagged = Counter(w for m in article.entities or () for w in _bare_words(m.text))
        for w in printed.keys() & wanted.keys():
            counts[wanted[w]] += printed[w] > tagged[w]
    return counts


def _bare_words(text: str) -> list[str]:
    out = []
    for w in fold_name(text).split():
        out.append(w[1:] if w[:1] in "وفبل" and len(w) > 3 else w)
    return out


def _splits(found) -> list[str]:
    """Pairs of the list that look like one entity: the same transliteration key (same type), or a
    lone first name or surname of one person of the list (the one person it can be)."""
    out, keys = [], {}
    for e in found:
        key = (variant_key(e.name), "LOC/ORG" if e.type in ("LOC", "ORG") else e.type)  # a club: both
        if key in keys and len(key[0].replace(" ", "")) >= 4:
            out.append(f"{keys[key]} = {e.name}")
        keys.setdefault(key, e.name)
    people = [fold_name(e.name).split() for e in found if e.type == "PERS"]
    for e in found:
        words = fold_name(e.name).split()
        if e.type != "PERS" or len(words) != 1 or words[0] in name_particles():
            continue
        owners = [p for p in people if len(p) > 1 and words[0] in (p[0], p[-1])]
        if len(owners) == 1:
            out.append(f"{e.name} ~ {' '.join(owners[0])}")
    return out


def _wrong_types(found) -> list[str]:
    expected = {fold_name(c): k for c, _, k in known_entities()}
    expected |= {fold_name(n): k for n, k in WELL_KNOWN.items()}
    # A place's club is an organization (روما, موناكو): the alias table's own exception.
    return [f"{e.name} {e.type}≠{expected[fold_name(e.name)]}" for e in found
            if expected.get(fold_name(e.name), e.type) not in (e.type, "LOC" if e.type == "ORG" else "")]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--sample", action="store_true", help="read sample.jsonl (260 articles), not the xz")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", help="report on the entity list of this archive instead")
    ap.add_argument("--top", type=int, default=400, help="with --db: how many entities to check")
    args = ap.parse_args()
    if args.db:
        archive_report(args.db, args.top)
        return
    articles = load_articles(args.articles, args.sample)
    n = len(articles)
    words = sum(len(p.split()) for a in articles for p in a.paragraphs)
    print(f"{n} articles, {words} words ({words / n:.0f} per article); load average before {_load()}")
    if not ner_available():
        print("no trained NER model installed: articles get no entities, the NER stage is empty")
    enrich_article(articles[0])  # load the model and the data tables outside the timing
    wall, cpu, timings, enriched = run_one(articles)
    print(f"{'run':<14} {'art/s wall':>10} {'art/CPU-s':>10}  entities dates figures quotes per article")
    print(f"{'1 process':<14} {n / wall:>10.0f} {n / cpu:>10.0f}  {_counts(enriched)}")
    pool_wall, pool_cpu, pooled, failed = run_pool(articles, args.workers)
    same = "same output" if pooled == enriched else "OUTPUT DIFFERS from 1 process"
    print(f"{f'{args.workers} workers':<14} {n / pool_wall:>10.0f} {n / pool_cpu:>10.0f}  {_counts(pooled)}"
          f"  ({same}, {failed} failed; CPU of all processes)")
    total = sum(timings.values())
    print("stages, CPU ms per article (1 process): " + ", ".join(
        f"{s} {timings.get(s, 0) * 1000 / n:.2f} ({timings.get(s, 0) / total:.0%})" for s in STAGES))
    rules = total - timings.get("ner", 0)
    print(f"without NER: {n / rules:.0f} art/CPU-s")
    own, child = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF,
                                                                     resource.RUSAGE_CHILDREN))
    print(f"peak RSS: this process {own:.0f} MB, largest worker {child:.0f} MB; load average after {_load()}")
    print(ner_quality())
    print(page_entities())


if __name__ == "__main__":
    main()
