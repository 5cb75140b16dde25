"""The ``marsad`` command: a thin shell over the library.

Each command lives in its own module of this package and registers itself on
``main``; every command only parses arguments and calls one library function.
Library errors (:class:`marsad.errors.MarsadError`) become one line on stderr
and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys

import click

from marsad import __version__
from marsad.errors import MarsadError

DB_HELP = ("Archive: a file, or a server database's postgresql://user:password@host:port/dbname URL "
           "(default: $MARSAD_DB, else marsad.db in the working folder).")


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MarsadError as e:
            click.echo(f"marsad: {e}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("marsad: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="marsad")
def main():
    """marsad (مرصد): a searchable, linked archive of Arabic news pages."""


# Control characters, bidi overrides and the surrogates of undecodable file names: shown escaped, so that
# a crafted file name cannot move the cursor, recolour the terminal, split a line or reorder its text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: str) -> str:
    """``text`` safe to print on one terminal line: unprintable characters as Python escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode()
                            if m.group() < "\ud800" else f"\\u{ord(m.group()):04x}", text)


def date_option(ctx, param, value):
    """Click callback: a --since/--until date, checked (a bad one is one line and exit status 2)."""
    from marsad.validate import date_argument

    return date_argument(f"--{param.name}", value)


for _mod in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_mod.name}")
