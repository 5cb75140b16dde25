"""``marsad search``: full-text search of the archive."""

from __future__ import annotations

import json

import click

from marsad.cli import date_option, main


@main.command()
@click.argument("query", required=False)
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--json", "as_json", is_flag=True, help="Print {\"total\", \"hits\": [...]} as JSON.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits to show.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Hits to skip.")
@click.option("--since", callback=date_option,
              help="Only articles published on or after this ISO date (2018-03 or 2018-03-05).")
@click.option("--until", callback=date_option,
              help="Only articles published on or before this ISO date.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--section", help="Only this section.")
@click.option("--any", "match", flag_value="any",
              help="Rank every article holding any of the words, most matching words first (the default).")
@click.option("--all", "match", flag_value="all", help="Only articles holding every word.")
@click.option("--fold/--no-fold", default=True, show_default=True,
              help="Show copies of one text as one hit listing the others; --no-fold shows each article.")
@click.option("--queries", type=click.File(encoding="utf-8"),
              help="Run every query of FILE (one a line, or JSONL {\"id\",\"text\"});"
                   " prints one JSON line each.")
def search(query, db, as_json, limit, offset, since, until, outlet, section, match, fold, queries):
    """Search the archive for QUERY.

    \b
    Syntax: plain words (ranked by how many match and how well; --all requires each),
    "exact phrase" (word forms as written; ranked first, required with --all), a OR b,
    -excluded, prefix*.
    Copies of one text are shown as one hit with their titles under it (--no-fold: one hit each).
    Letters are matched the way Arabic readers expect: الاتحاد الأوروبي finds
    والاتحاد الاوروبي and للاتحاد الأوربي; ٢٠٢٥ finds 2025.
    """
    from marsad.archive import open_archive
    from marsad.errors import InputError
    from marsad.search import read_queries
    from marsad.settings import load

    if (query is None) == (queries is None):
        raise InputError("give either a QUERY or --queries FILE")
    options = {"limit": limit, "offset": offset, "since": since, "until": until, "outlet": outlet,
               "section": section, "fold": fold}
    if match:
        options["mode"] = match
    with open_archive(load(db).db, readonly=True) as arc:
        if queries is not None:
            for out in arc.search_many(read_queries(queries), **options):
                click.echo(json.dumps(out, ensure_ascii=False))
            return
        result = arc.search(query, **options)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _show(query, result)


def _show(query, result) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    folded = f" ({result.folded:,} shown as copies of another)" if result.folded else ""
    console.print(f"[bold]{result.total:,}[/bold] results for {escape(query)}{folded}")
    for n, h in enumerate(result.hits, 1):
        copies = f"{h.copies} other {'copy' if h.copies == 1 else 'copies'}" if h.copies else ""
        console.print(f"\n[bold]{n}. {escape(h.title)}[/bold]  [dim]{escape(_meta(h, copies))}[/dim]")
        console.print(_marks_to_rich(h.snippet))
        if h.url:
            console.print(f"[dim]{escape(h.url)}[/dim]")
        for c in h.folded:
            console.print(f"   [dim]copy:[/dim] {escape(c.title)}  [dim]{escape(_meta(c, c.id))}[/dim]")


def _meta(hit, extra: str) -> str:
    return " · ".join(x for x in (hit.outlet, (hit.published or "")[:10], extra) if x)


def _marks_to_rich(snippet: str) -> str:
    import html

    from rich.markup import escape

    parts = snippet.replace("</mark>", "<mark>").split("<mark>")
    return "".join(f"[reverse]{escape(html.unescape(p))}[/reverse]" if i % 2 else escape(html.unescape(p))
                   for i, p in enumerate(parts))
