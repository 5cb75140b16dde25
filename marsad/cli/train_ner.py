"""``marsad train-ner``: rebuild the ANERcorp train part and train the shipped NER model."""

from __future__ import annotations

import json
from pathlib import Path

import click

from marsad.cli import main


@main.command("train-ner")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared"),
              show_default=True, help="The shared data folder (holds data/ner and data/news).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the model files (default: the packaged marsad/enrich/data).")
@click.option("--epochs", type=int, default=None, help="Training epochs of the network.")
@click.option("--members", type=int, default=None, help="Networks to train and average (seeds 0, 1, ...).")
@click.option("--seed", type=int, default=None, help="Seed of the first network (default 0).")
@click.option("--dev", is_flag=True, help="Hold out the last tenth of train and score on it, not on test.")
def train_ner_command(shared, out, epochs, members, seed, dev):
    """Train the NER model on ../shared/data (needs the `train` extra) and print its scores as JSON."""
    from marsad.errors import InputError

    try:
        import torch  # noqa: F401
    except ImportError:
        raise InputError("training needs torch: pip install 'marsad[train]'") from None
    from marsad.enrich.ner.train import DATA, TrainConfig, train_ner

    cfg = TrainConfig(dev=dev)
    if epochs is not None:
        cfg.net.epochs = epochs
    if members is not None:
        cfg.members = members
    if seed is not None:
        cfg.net.seed = seed
    click.echo(json.dumps(train_ner(shared, out or DATA, cfg), ensure_ascii=False, indent=1))
