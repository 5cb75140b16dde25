"""``marsad parse``: print the structure of news pages, readable or as JSON."""

from __future__ import annotations

import json
import sys

import click

from marsad.cli import main, shown
from marsad.model import Article, Failure, Page

_PREVIEW_LINES = 2
_PREVIEW_CHARS = 160


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help='JSON output: {"articles": [...], "teasers": [...]} for one page; '
                   'one object per line, each with "source", for several pages.')
@click.option("--enrich", is_flag=True,
              help="Add entities, dates, figures and quotes to each article.")
def parse(paths, as_json, enrich):
    """Parse each PATH (a page, a folder, .jsonl[.gz|.xz], .warc[.gz], an RSS/Atom feed) and print it.

    Bad inputs are reported on stderr, one line each, and the rest are still parsed; a page mostly in
    another language than Arabic is kept, with a warning on stderr. In folders,
    files that are not pages (README, expected outputs, images) are skipped; stderr says how many.
    Exit status: 0 when every input was parsed, 2 when any failed.
    """
    from marsad.parse import iter_pages
    from marsad.settings import load

    results = _warn_language(iter_pages(paths, max_bytes=load().max_page_bytes))
    if enrich:
        from marsad.enrich import enrich_page

        results = (r if isinstance(r, Failure) else enrich_page(r) for r in results)
    failed = _print_json(results) if as_json else _print_readable(results)
    from marsad.parse.folders import skipped_files

    skipped = skipped_files(paths)
    if skipped:
        click.echo(f"marsad: skipped {len(skipped):,} file(s) that are not pages (README, expected outputs, "
                   "images, …)", err=True)
    sys.exit(2 if failed else 0)


def _warn_language(results):
    """The stream as it is; a warning on stderr for each page kept with text in another language."""
    for item in results:
        if isinstance(item, Page):
            other = sorted({a.language for a in item.articles
                            if a.language and not a.language.lower().startswith("ar")})
            if other:
                click.echo(f"marsad: warning: {item.source}: mostly in another language "
                           f"({', '.join(other)}); kept", err=True)
        yield item


def _report(failure: Failure) -> None:
    click.echo(f"marsad: {shown(failure.source)}: {shown(failure.reason)}", err=True)


def _print_json(results) -> int:
    """Gold shape when the run yields one page, JSON lines when it yields several; returns the failures."""
    failed = 0
    held: Page | None = None
    streaming = False
    for item in results:
        if isinstance(item, Failure):
            _report(item)
            failed += 1
        elif held is None and not streaming:
            held = item
        else:
            if held is not None:
                _echo_line(held)
                held, streaming = None, True
            _echo_line(item)
    if held is not None:
        click.echo(json.dumps(held.to_dict(), ensure_ascii=False, indent=1))
    return failed


def _echo_line(page: Page) -> None:
    click.echo(json.dumps({"source": page.source, **page.to_dict()}, ensure_ascii=False))


def _print_readable(results) -> int:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    failed = 0
    for item in results:
        if isinstance(item, Failure):
            _report(item)
            failed += 1
            continue
        counts = f"{len(item.articles)} article(s), {len(item.teasers)} teaser(s)"
        console.rule(f"[dim]{escape(shown(item.source or ''))}[/] · {counts}")
        for article in item.articles:
            _print_article(console, article)
        for t in item.teasers:
            console.print(f"• [bold]{escape(t.headline)}[/]" + (f" — {escape(t.author)}" if t.author else ""))
            if t.teaser:
                console.print(f"  {escape(_short(t.teaser))}")
    return failed


def _print_article(console, a: Article) -> None:
    from rich.markup import escape

    console.print(f"\n[bold]{escape(a.headline)}[/]")
    if a.deck:
        console.print(f"[italic]{escape(a.deck)}[/]")
    facts = [("kind", a.kind), ("author", a.author), ("dateline", a.dateline), ("language", a.language),
             ("published", a.published),
             ("section", a.section), ("outlet", a.outlet), ("url", a.url), ("id", a.id)]
    console.print(" · ".join(f"[dim]{k}:[/] {escape(v)}" for k, v in facts if v))
    for w in a.warnings:
        console.print(f"  [yellow]warning[/] {escape(w)}")
    for img in a.images:
        where = "lead" if img.lead else f"after ¶{img.after_paragraph}"
        credit = f" ({escape(img.credit)} → {img.agency})" if img.credit else ""
        console.print(f"  [cyan]image[/] {escape(f'[{where}]')} {escape(img.caption)}{credit}")
    console.print(f"  [dim]{len(a.paragraphs)} paragraph(s)[/]")
    for p in a.paragraphs[:_PREVIEW_LINES]:
        console.print(f"  ¶ {escape(_short(p))}")
    _print_enrichment(console, a)
    for r in a.related:
        extra = " · ".join(escape(x) for x in (r.section, r.source, r.dateline, r.url) if x)
        extra = f" [dim]({extra})[/]" if extra else ""
        console.print(f"  [magenta]related[/] {escape(r.headline)}{extra}")


def _print_enrichment(console, a: Article) -> None:
    from rich.markup import escape

    if a.entities:
        names = dict.fromkeys(f"{e.canonical or e.text} ({e.type})" for e in a.entities)
        console.print(f"  [green]entities[/] {escape('، '.join(names))}")
    for d in a.dates or []:
        console.print(f"  [green]date[/] {escape(d.text)} → {d.iso}")
    for f in a.figures or []:
        value = int(f.value) if f.value.is_integer() else f.value
        what = f"{f.unit or ''} {f.counted or ''}".strip()
        console.print(f"  [green]figure[/] {escape(f.text)} → {value:,} {escape(what)}")
    for q in a.quotes or []:
        console.print(f"  [green]quote[/] {escape(q.speaker or '?')}: «{escape(_short(q.text))}»")


def _short(text: str) -> str:
    return text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS].rstrip() + "…"
