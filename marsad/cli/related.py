"""``marsad related``: articles related to one article, without its copies and its story's reports."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from marsad.cli import main


@main.command()
@click.argument("article_id")
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="How many to list.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"related": [{"id", "title", "outlet", "published", "score", "reason"}]}.')
def related(article_id, db, limit, as_json):
    """List the articles related to ARTICLE_ID, best first, with the words they share."""
    from marsad.archive import open_archive
    from marsad.relate import related as find_related
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        hits = find_related(arc, article_id, limit=limit)
    if as_json:
        click.echo(json.dumps({"related": [asdict(h) for h in hits]}, ensure_ascii=False))
        return
    for h in hits:
        click.echo(f"{h.score:.3f}  {h.id}  {h.outlet or '-'}  {h.published or '-'}  {h.title}")
        click.echo(f"       {h.reason}")
