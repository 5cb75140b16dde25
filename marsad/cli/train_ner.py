"""``marsad train-ner``: rebuild the ANERcorp train part and train the shipped NER model."""

from __future__ import annotations

import json
from pathlib import Path

import click

from marsad.cli import main


@main.command("train-ner")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared"),
              show_default=True, help="The shared data folder (holds data/ner).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the model files (default: the packaged marsad/enrich/data).")
@click.option("--c1", type=float, default=None, help="L1 regularization.")
@click.option("--c2", type=float, default=None, help="L2 regularization.")
@click.option("--iterations", type=int, default=None, help="L-BFGS iterations.")
@click.option("--rebuild-clusters", is_flag=True, help="Relearn the word clusters from news first.")
@click.option("--dev", is_flag=True, help="Hold out the last tenth of train and score on it, not on test.")
def train_ner_command(shared, out, c1, c2, iterations, rebuild_clusters, dev):
    """Train the NER model on ../shared/data/ner and print its scores as JSON."""
    from marsad.enrich.nertrain import DATA, TrainConfig, train_ner

    cfg = TrainConfig(dev=dev, rebuild_clusters=rebuild_clusters)
    for name, value in (("c1", c1), ("c2", c2), ("iterations", iterations)):
        if value is not None:
            setattr(cfg, name, value)
    click.echo(json.dumps(train_ner(shared, out or DATA, cfg), ensure_ascii=False, indent=1))
