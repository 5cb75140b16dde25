"""``marsad tag``: named entities in CoNLL files or plain text."""

from __future__ import annotations

import json
from pathlib import Path

import click

from marsad.cli import main


@main.command("tag")
@click.argument("text", required=False)
@click.option("--conll", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CoNLL input: the first column is the token, blank lines between sentences.")
def tag_command(text, conll):
    """Print `token TAG` lines (IOB2) for --conll FILE, or the entities of TEXT as JSON."""
    from marsad.enrich.ner import find_entities, tag_conll
    from marsad.errors import InputError

    if conll is not None:
        for line in tag_conll(conll.read_text(encoding="utf-8")):
            click.echo(line)
    elif text:
        rows = [{"start": a, "end": b, "type": k, "text": s} for a, b, k, s in find_entities(text)]
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        raise InputError("give TEXT or --conll FILE")
