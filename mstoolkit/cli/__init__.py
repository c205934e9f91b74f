"""The ``mstoolkit`` command line (entry point :func:`mstoolkit.cli.main.main`).

Subcommands live one per module in :mod:`mstoolkit.cli.commands`; the report they can write
is :mod:`mstoolkit.cli.report`. See ``mstoolkit --help``.
"""

from mstoolkit.cli.main import main

__all__ = ["main"]


def __dir__() -> list[str]:
    return sorted(__all__)
