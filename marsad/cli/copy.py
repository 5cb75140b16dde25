"""``marsad copy``: move an archive between backends (an SQLite file and a PostgreSQL database)."""

from __future__ import annotations

import sys

import click

from marsad.cli import main, shown


@main.command()
@click.argument("src")
@click.argument("dst")
@click.option("--no-relate", is_flag=True,
              help="Leave stories and copies to a later `marsad relate --db DST`.")
def copy(src, dst, no_relate):
    """Copy every article of the archive SRC into the archive DST, with its entities and the
    analysts' entity corrections, then relate them; the counts are checked at the end.

    SRC and DST are archive files or postgresql://user:password@host:port/dbname URLs, so this moves
    an archive from SQLite to PostgreSQL and back. DST is created if it does not exist; articles it
    holds already are kept, and copying twice adds nothing the second time.
    """
    from marsad.archive import open_archive
    from marsad.archive.transfer import copy_archive

    with open_archive(src, readonly=True) as source, open_archive(dst) as destination:
        report = copy_archive(source, destination, relate=not no_relate)
        src_name, dst_name = source.backend.describe(), destination.backend.describe()
    s = report.stored
    click.echo(f"copied {report.read:,} articles from {shown(src_name)} to {shown(dst_name)}: "
               f"{s.new:,} new, {s.updated:,} updated, {s.unchanged:,} unchanged; "
               f"{report.corrections:,} entity corrections; {report.related:,} related")
    click.echo(f"counts checked: source {report.source_count:,}, destination {report.destination_count:,}")
    for f in report.failed:
        click.echo(f"failed: {shown(f.source)} ({f.stage}): {shown(f.reason)}", err=True)
    sys.exit(1 if report.failed else 0)
