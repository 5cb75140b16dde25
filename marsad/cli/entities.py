"""``marsad entities``: the canonical entities of the archive, and analysts' corrections of them."""

from __future__ import annotations

import json

import click

from marsad.cli import DB_HELP, main


@main.group(invoke_without_command=True)
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--json", "as_json", is_flag=True,
              help='Print {"entities": [{"id", "name", "type", "articles"}]}.')
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="How many entities to list, most mentioned first.")
@click.option("--type", "type_", type=click.Choice(["PERS", "LOC", "ORG", "MISC"]),
              help="Only entities of this type.")
@click.pass_context
def entities(ctx, db, as_json, limit, type_):
    """List canonical entities by the number of articles that mention them.

    Subcommands correct them (merge, split, rename, retype); corrections are stored in the archive,
    hold for every later ingest, and travel as a plain file (export, import)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = db
        return
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        found = arc.entities(limit=limit, type=type_)
    if as_json:
        rows = [{"id": e.id, "name": e.name, "type": e.type, "articles": e.articles} for e in found]
        click.echo(json.dumps({"entities": rows}, ensure_ascii=False))
        return
    for e in found:
        click.echo(f"{e.articles:>7,}  {e.type:<4}  {e.name}  [{e.id}]")


def _db_option(f):
    return click.option("--db", "db", type=click.Path(dir_okay=False), help=DB_HELP)(f)


def _correct(ctx, db, op: str, args: list[str]) -> None:
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db or ctx.obj).db) as arc:
        kept = arc.correct_entity(op, args)
        e = arc.entity(kept)
    click.echo(f"{op}: {e['name']} ({e['type']}, {e['articles']:,} articles)  [{e['id']}]")


@entities.command("merge")
@click.argument("ids", nargs=-1, required=True)
@_db_option
@click.pass_context
def merge_command(ctx, ids, db):
    """Merge entities into the first ID: the others' ids lead to it from now on."""
    _correct(ctx, db, "merge", list(ids))


@entities.command("split")
@click.argument("id")
@click.argument("variants", nargs=-1, required=True)
@click.option("--name", help="Name of the new entity (default: the first variant).")
@_db_option
@click.pass_context
def split_command(ctx, id, variants, name, db):
    """Move the mentions of ID printed as one of VARIANTS to an entity of their own."""
    _correct(ctx, db, "split", [id, " ".join((name or variants[0]).split()), *variants])


@entities.command("rename")
@click.argument("id")
@click.argument("name")
@_db_option
@click.pass_context
def rename_command(ctx, id, name, db):
    """Give entity ID the name NAME (its id stays)."""
    _correct(ctx, db, "rename", [id, name])


@entities.command("retype")
@click.argument("id")
@click.argument("type_", metavar="TYPE", type=click.Choice(["PERS", "LOC", "ORG", "MISC"]))
@_db_option
@click.pass_context
def retype_command(ctx, id, type_, db):
    """Give entity ID the type TYPE, whatever its mentions were tagged."""
    _correct(ctx, db, "retype", [id, type_])


@entities.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@_db_option
@click.pass_context
def export_command(ctx, path, db):
    """Write every correction, oldest first, to PATH (default: standard output), one a line."""
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db or ctx.obj).db, readonly=True) as arc:
        text = arc.export_entity_corrections()
    with click.open_file(path, "w", encoding="utf-8") as fh:
        fh.write(text)


@entities.command("import")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@_db_option
@click.pass_context
def import_command(ctx, path, db):
    """Apply the corrections of a file written by `marsad entities export`.

    Exit status 1 when some could not be applied (each is listed); the others are stored."""
    from marsad.archive import open_archive
    from marsad.settings import load

    with click.open_file(path, encoding="utf-8") as fh:
        text = fh.read()
    with open_archive(load(db or ctx.obj).db) as arc:
        done, failed = arc.import_entity_corrections(text)
    click.echo(f"{done} correction(s) applied")
    for reason in failed:
        click.echo(f"not applied: {reason}", err=True)
    if failed:
        ctx.exit(1)


@entities.command("consolidate")
@click.option("--rebuild", is_flag=True,
              help="First build the entity tables again from the stored enrichment (after an upgrade).")
@_db_option
@click.pass_context
def consolidate_command(ctx, rebuild, db):
    """Merge the spellings and lone names of one entity across the archive (ingest does it too)."""
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db or ctx.obj).db) as arc:
        merged = arc.rebuild_entities() if rebuild else arc.consolidate_entities()
    for old, new in merged:
        click.echo(f"{old} → {new}")
    click.echo(f"{len(merged)} merge(s)")
