"""Parse raw Arabic news pages into :class:`marsad.model.Page` records.

- :func:`parse_bytes`: one input's bytes (HTML, crawler text dump, JSON record, RSS/Atom feed) → Page.
- :func:`iter_pages`: files and folders (recursive), ``.jsonl[.gz|.xz]``, ``.warc[.gz]``, feeds →
  a stream of Page, or Failure for each bad input while the rest goes on.
- :func:`parse_text` (crawler text dumps) and :func:`parse_html` (HTML pages) for decoded text.
"""

from marsad.parse.html import parse_html
from marsad.parse.page import check_news, parse_bytes
from marsad.parse.sources import iter_pages
from marsad.parse.text import parse_text

__all__ = ["check_news", "iter_pages", "parse_bytes", "parse_html", "parse_text"]
