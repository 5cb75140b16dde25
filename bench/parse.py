"""Parsing speed and main-text quality, marsad against trafilatura in the same run.

Dev set: the labelled Asharq Al-Awsat pages in ../shared/data/aawsat-dev, each parsed with
parse_bytes (what `marsad ingest` calls) and scored field by field against pages.gold.jsonl
(schema in that folder's README). Checks: per page, the number of articles with a headline and
"no teaser that is not labelled"; per labelled article, its 8 fields; per labelled teaser, its
headline with its author. Pages are split into a tuning part and a held-out part (every third
page), reported apart.

Text pages: the crawler text fixture, parsed from bytes N times (decode, hygiene, parse, checks).
HTML pages: the two real pages in ../shared/data/news/html-fixtures plus pages rendered from
sample articles (a news-site template with navigation, share buttons, a "read also" line, a
related box and a footer). For HTML, each tool extracts the main text of the same pages; quality
is word precision/recall against the known text (CNN: its expected.txt; rendered: the article).
Each measurement runs in its own process (one core) so that peak RSS is that tool's own.

    python3 bench/parse.py [--text-pages 3000] [--html-rounds 20] [--dev-only [--verbose]]
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import resource
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))  # the checkout's marsad, also in the spawned measuring processes
FIXTURES = SHARED / "data/news/html-fixtures"
RENDERED = 40

TEMPLATE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title} - المثال</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"><meta property="og:site_name" content="المثال">
<script>window.dataLayer = [];</script><style>body{{font-family:serif}}</style></head><body>
<header><nav class="main-menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/world">العالم</a></li>
<li><a href="/economy">اقتصاد</a></li><li><a href="/sport">رياضة</a></li></ul></nav></header>
<main><article><h1>{title}</h1><div class="share-bar"><a href="#">فيسبوك</a><a href="#">تويتر</a></div>
<figure><img src="/lead.jpg"><figcaption>صورة تعبيرية من موقع الحدث (رويترز)</figcaption></figure>
<div class="article-body">{body}</div>
<div class="tags"><a href="/t/1">وسوم</a><a href="/t/2">أخبار</a></div></article>
<aside class="most-read"><h3>الأكثر قراءة</h3><ul>{most_read}</ul></aside>
<section class="related-news"><h3>أخبار ذات صلة</h3><ul>{related}</ul></section></main>
<footer><p>جميع الحقوق محفوظة © المثال 2018</p><p>من نحن · اتصل بنا · سياسة الخصوصية</p></footer>
</body></html>"""


def rendered_pages(n: int) -> list[tuple[bytes, str]]:
    """(page, known main text) for the first n sample articles."""
    with open(SHARED / "data/news/ant-multisource/sample.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line, _ in zip(f, range(n), strict=False)]
    pages = []
    for i, r in enumerate(records):
        paragraphs = [p for p in r["text"].split("\n") if p.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:2])
        body += f'<p>اقرأ أيضاً: <a href="/n/{i}">{html.escape(records[i - 1]["title"])}</a></p>'
        body += "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[2:])
        others = [records[(i + k) % len(records)]["title"] for k in (1, 2, 3)]
        links = "".join(f'<li><a href="/n/{k}">{html.escape(t)}</a></li>' for k, t in enumerate(others))
        page = TEMPLATE.format(title=html.escape(r["title"]), published=r["published"], body=body,
                               most_read=links, related=links)
        pages.append((page.encode("utf-8"), "\n".join(paragraphs)))
    return pages


def html_pages() -> list[tuple[bytes, str | None]]:
    cnn = (FIXTURES / "cnn-arabic-2013-syria-clashes.html").read_bytes()
    expected = (FIXTURES / "cnn-arabic-2013-syria-clashes.expected.txt").read_text("utf-8")
    assabah = (FIXTURES / "assabah-164913.html").read_bytes()
    return [(cnn, expected), (assabah, None), *rendered_pages(RENDERED)]


def marsad_text(data: bytes) -> str:
    from marsad.parse import parse_bytes

    a = parse_bytes(data).articles[0]
    return "\n".join(([a.dateline] if a.dateline else []) + a.paragraphs)


def trafilatura_text(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data) or ""


class _Clock:
    """CPU time of this process (what one core gives on a shared machine) and wall time."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def rates(self, n: int) -> dict:
        cpu, wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        return {"per_s": n / cpu, "wall_per_s": n / wall}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_text(pages: int) -> dict:
    from marsad.parse import parse_bytes

    data = (SHARED / "fixtures/aawsat-page-2025.txt").read_bytes()
    parse_bytes(data)  # warm up: data tables load once
    clock = _Clock()
    for _ in range(pages):
        parse_bytes(data)
    return {"pages": pages, **clock.rates(pages), "peak_mb": _peak_mb(), "kb": len(data) / 1024}


def run_html(tool: str, rounds: int) -> dict:
    extract = marsad_text if tool == "marsad" else trafilatura_text
    pages = html_pages()
    texts = [extract(data) for data, _ in pages]  # warm up, and the texts for quality
    clock = _Clock()
    for _ in range(rounds):
        for data, _ in pages:
            extract(data)
    cnn = _overlap(texts[0], pages[0][1])
    rendered = [_overlap(t, known) for t, (_, known) in zip(texts[2:], pages[2:], strict=True)]
    return {"pages": rounds * len(pages), **clock.rates(rounds * len(pages)), "peak_mb": _peak_mb(),
            "cnn": cnn, "rendered": tuple(sum(x) / len(rendered) for x in zip(*rendered, strict=True))}


def _overlap(got: str, expected: str) -> tuple[float, float]:
    """Word (precision, recall) of extracted text against the known main text (NFC; a word is a
    whitespace token with a letter or digit, so separators such as "--" do not count)."""
    g, e = (Counter(w for w in unicodedata.normalize("NFC", t).split() if any(c.isalnum() for c in w))
            for t in (got, expected))
    common = sum((g & e).values())
    return common / max(sum(g.values()), 1), common / max(sum(e.values()), 1)


def _norm(text: str | None, tatweel: bool = False) -> str | None:
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text.replace("\u0640", "") if tatweel else text


def _lead(article) -> tuple[str | None, str | None]:
    lead = next((im for im in article.images if im.lead), None)
    return (lead.caption, lead.credit) if lead else (None, None)


def _article_checks(gold: dict, got) -> list[tuple[str, bool]]:
    if got is None:
        return [(k, False) for k in ("headline", "deck", "kind", "author", "dateline", "lead_caption",
                                     "lead_credit", "first_paragraph_prefix")]
    caption, credit = _lead(got)
    first = _norm(got.paragraphs[0], tatweel=True) if got.paragraphs else ""
    fields = {"headline": got.headline, "deck": got.deck, "kind": got.kind, "author": got.author,
              "dateline": got.dateline, "lead_caption": caption, "lead_credit": credit}
    out = [(k, _norm(v) == _norm(gold[k])) for k, v in fields.items()]
    prefix = _norm(gold["first_paragraph_prefix"], tatweel=True)
    return [*out, ("first_paragraph_prefix", first.startswith(prefix))]


def page_checks(text: str, url: str, gold: dict) -> list[tuple[str, bool]]:
    """(check name, passed) for one labelled page, parsed as `marsad ingest` parses it."""
    from marsad.errors import MarsadError
    from marsad.model import Page
    from marsad.parse import parse_bytes

    try:
        page = parse_bytes(text.encode("utf-8"), url)
    except MarsadError:  # refused as holding no news: nothing was extracted
        page = Page()
    headed = [a for a in page.articles if a.headline]
    teasers = {(_norm(t.headline), _norm(t.author)) for t in page.teasers}
    labelled = {(_norm(t["headline"]), _norm(t["author"])) for t in gold["teasers"]}
    checks = [("article count", len(headed) == len(gold["articles"])),
              ("no stray teaser", teasers <= labelled)]
    for i, a in enumerate(gold["articles"]):
        got = headed[i] if i < len(headed) else None
        checks += [(f"article {i} {k}", ok) for k, ok in _article_checks(a, got)]
    checks += [(f"teaser {t['headline']}", (_norm(t["headline"]), _norm(t["author"])) in teasers)
               for t in gold["teasers"]]
    return checks


def run_dev(verbose: bool = False) -> dict:
    """Label checks passed on the dev set: {"tuning": (passed, total), "held-out": (...)}."""
    folder = SHARED / "data/aawsat-dev"
    with open(folder / "pages.jsonl", encoding="utf-8") as f:
        pages = [json.loads(line) for line in f]
    with open(folder / "pages.gold.jsonl", encoding="utf-8") as f:
        golds = [json.loads(line) for line in f]
    out = {"tuning": [0, 0], "held-out": [0, 0]}
    for n, (page, gold) in enumerate(zip(pages, golds, strict=True), 1):
        checks = page_checks(page["text"], page["url"], gold)
        part = out["held-out" if n % 3 == 0 else "tuning"]
        part[0] += sum(ok for _, ok in checks)
        part[1] += len(checks)
        if verbose:
            for name, ok in checks:
                if not ok:
                    print(f"  page {n} ({gold['page_kind']}): failed {name}")
    return {k: tuple(v) for k, v in out.items()}


def _in_child(fn, *args) -> dict:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text-pages", type=int, default=3000)
    ap.add_argument("--html-rounds", type=int, default=20)
    ap.add_argument("--dev-only", action="store_true", help="only the dev-set label checks")
    ap.add_argument("--verbose", action="store_true", help="list the failed dev-set checks")
    args = ap.parse_args()
    dev = run_dev(args.verbose)
    (tp, tt), (hp, ht) = dev["tuning"], dev["held-out"]
    print(f"aawsat dev set label checks (parse_bytes): {tp + hp}/{tt + ht} = {(tp + hp) / (tt + ht):.3f} "
          f"(tuning pages {tp}/{tt} = {tp / tt:.3f}, held-out pages {hp}/{ht} = {hp / ht:.3f})\n")
    if args.dev_only:
        return
    text = _in_child(run_text, args.text_pages)
    ours = _in_child(run_html, "marsad", args.html_rounds)
    theirs = _in_child(run_html, "trafilatura", args.html_rounds)
    print(f"text pages ({text['kb']:.0f} KB fixture, parse_bytes, one core): "
          f"{text['per_s']:,.0f} pages/s per CPU second ({text['wall_per_s']:,.0f} wall) over "
          f"{text['pages']:,} pages, peak RSS {text['peak_mb']:.0f} MB")
    print(f"\nHTML: 2 real pages + {RENDERED} rendered, {args.html_rounds} rounds, one core; "
          "pages/s per CPU second (and wall)")
    print(f"{'tool':<22}{'pages/s':>9}{'wall':>7}{'peak MB':>9}{'CNN P':>8}{'CNN R':>8}"
          f"{'rend. P':>9}{'rend. R':>9}")
    for name, r in (("marsad parse_bytes", ours), ("trafilatura.extract", theirs)):
        print(f"{name:<22}{r['per_s']:>9,.0f}{r['wall_per_s']:>7,.0f}{r['peak_mb']:>9.0f}{r['cnn'][0]:>8.3f}"
              f"{r['cnn'][1]:>8.3f}{r['rendered'][0]:>9.3f}{r['rendered'][1]:>9.3f}")
    print(f"\nHTML speed ratio marsad/trafilatura: {ours['per_s'] / theirs['per_s']:.1f}x")


if __name__ == "__main__":
    main()
