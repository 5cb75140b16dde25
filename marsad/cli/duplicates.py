"""``marsad duplicates``: groups of near-duplicate articles (syndicated or republished copy)."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from marsad.cli import main


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"groups": [[{"id", "title", "outlet", "published", "url", "source"}, ...], ...]}.')
def duplicates(db, as_json):
    """List the groups of copies (one text syndicated or republished), largest first: each article
    with its outlet, date and title, the group's source text first."""
    from marsad.archive import open_archive
    from marsad.relate import copy_groups
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        groups = copy_groups(arc)
    if as_json:
        click.echo(json.dumps({"groups": [[asdict(c) for c in g] for g in groups]}, ensure_ascii=False))
        return
    for n, g in enumerate(groups):
        click.echo(("\n" if n else "") + f"{len(g)} copies of one text")
        for c in g:
            click.echo(f"  {c.id}  {c.outlet or '-'}  {(c.published or '-')[:10]}  {c.title}")
