"""Walking folders: the files that may hold pages, and those skipped as not pages.

A folder of pages often carries files beside them that are not pages: a README or PROVENANCE note,
expected outputs (``*.expected.txt``, ``*.gold.json``), images. These are skipped and counted, not
reported as failures. Which files they are is data (``marsad/data/files.json``); hidden files and
folders (``.git``, ``.gitattributes``) are left out without being counted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def _rules() -> tuple[frozenset[str], tuple[str, ...]]:
    raw = json.loads(resources.files("marsad.data").joinpath("files.json").read_text("utf-8"))
    return frozenset(raw["names"]), tuple(raw["suffixes"])


def not_a_page(path: Path) -> bool:
    """True for a file that holds no page: documentation, an expected output, an image, …"""
    names, suffixes = _rules()
    name = path.name.lower()
    return name.split(".", 1)[0] in names or name.endswith(suffixes)


def folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files that may hold pages, files skipped as not pages), each sorted, hidden ones left out."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder)))
    skipped = [p for p in files if not_a_page(p)]
    return [p for p in files if not not_a_page(p)], skipped


def skipped_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The files inside the given folders that a walk skips as not pages (a file named on its own
    is always read)."""
    return [p for raw in paths if Path(raw).is_dir() for p in folder_files(Path(raw))[1]]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
