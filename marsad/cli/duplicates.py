"""``marsad duplicates``: groups of near-duplicate articles (syndicated or republished copy)."""

from __future__ import annotations

import json

import click

from marsad.cli import main


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--json", "as_json", is_flag=True, help='Print {"groups": [[ids...], ...]}.')
def duplicates(db, as_json):
    """List the groups of near-duplicate articles, largest first."""
    from marsad.archive import open_archive
    from marsad.relate import duplicate_groups
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        groups = duplicate_groups(arc)
    if as_json:
        click.echo(json.dumps({"groups": groups}, ensure_ascii=False))
        return
    for g in groups:
        click.echo(" ".join(g))
