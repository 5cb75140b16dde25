"""marsad (مرصد): turn raw Arabic news pages into a searchable, linked news archive.

The package is a library first; the ``marsad`` command and the web reader are
thin layers over it. Stages, each in its own subpackage:

    parse -> enrich -> archive -> search / relate -> web

Records passed between stages live in :mod:`marsad.model`.
"""

__version__ = "0.1.0"
