"""``marsad entities``: the canonical entities of the archive and how many articles name them."""

from __future__ import annotations

import json

import click

from marsad.cli import main


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"entities": [{"id", "name", "type", "articles"}]}.')
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="How many entities to list, most mentioned first.")
@click.option("--type", "type_", type=click.Choice(["PERS", "LOC", "ORG", "MISC"]),
              help="Only entities of this type.")
def entities(db, as_json, limit, type_):
    """List canonical entities by the number of articles that mention them."""
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        found = arc.entities(limit=limit, type=type_)
    if as_json:
        rows = [{"id": e.id, "name": e.name, "type": e.type, "articles": e.articles} for e in found]
        click.echo(json.dumps({"entities": rows}, ensure_ascii=False))
        return
    for e in found:
        click.echo(f"{e.articles:>7,}  {e.type:<4}  {e.name}")
