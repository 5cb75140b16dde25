"""``marsad ingest``: parse pages and store them in the archive."""

from __future__ import annotations

import sys

import click

from marsad.cli import DB_HELP, main, shown


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--enrich/--no-enrich", default=True, show_default=True,
              help="Find entities, dates, figures and quotes before storing.")
@click.option("--relate/--no-relate", default=True, show_default=True,
              help="Find stories, copies and related articles as batches commit; with --no-relate, "
                   "`marsad relate` does it later (for bulk loads that should finish first).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; failures are still printed.")
def ingest(paths, db, enrich, relate, quiet):
    """Parse every input PATH (files or folders, any format `marsad parse` accepts) into the archive.

    The same page ingested again adds nothing; a changed version replaces the old one.
    Each batch is committed on its own: after an interruption, run the same command again.

    In folders, files that are not pages (README.md, PROVENANCE.md, *.expected.txt, images, …) are
    skipped and counted, not failures.

    Exit status: 0 when every input was stored, 1 when some inputs failed (they are listed
    with their reasons; the rest is stored), 2 when the archive itself cannot be used.
    """
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db).db) as arc:
        report = arc.ingest(paths, enrich=enrich, progress=not quiet, relate=relate)
    if not quiet:
        click.echo(f"new {report.new:,} · updated {report.updated:,} · unchanged {report.unchanged:,}"
                   f" · failed {len(report.failed):,}")
        if report.skipped:
            click.echo(f"skipped {len(report.skipped):,} file(s) that are not pages (README, expected "
                       "outputs, images, …)")
    for w in report.warnings:
        click.echo(f"warning: {shown(w.source)}: {shown(w.reason)}", err=True)
    for f in report.failed:
        click.echo(f"failed: {shown(f.source)} ({f.stage}): {shown(f.reason)}", err=True)
    sys.exit(1 if report.failed else 0)
