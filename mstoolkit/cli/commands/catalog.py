"""Tabulate the local content store: the manifests it caches, their layers and platforms,
labels, the label history and the fetch log.

examples:
  mstoolkit catalog manifests
  mstoolkit catalog --store ./cache layers --format csv -o layers.csv
  mstoolkit catalog history --format json
  mstoolkit catalog manifests --filter 'labels."containerd.io/distribution.source.docker.io"'
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Final

import pandas as pd

from mstoolkit.catalog import Catalog
from mstoolkit.cli.commands.classify import summary_line
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.output import Format, add_output_arguments, select_columns, write_frame
from mstoolkit.cli.settings import add_store_argument, open_existing_store

__all__ = ["HELP", "NAME", "TABLES", "TABLE_COLUMNS", "register", "run"]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "catalog"
HELP: Final = "tables of the local content store (manifests, layers, history, ...)"

#: Subcommand word -> Catalog method.
TABLES: Final[dict[str, Callable[[Catalog], pd.DataFrame]]] = {
    "manifests": Catalog.manifests,
    "layers": Catalog.layers,
    "platforms": Catalog.platforms,
    "labels": Catalog.labels,
    "history": Catalog.label_history,
    "fetches": Catalog.fetches,
}

#: The manifests columns ``--format table`` shows unless ``--columns`` says otherwise.
TABLE_COLUMNS: Final = ("digest", "kind", "media_type", "repositories", "last_seen", "error",
                        "verdict_docker_28_2")


def register(parser: argparse.ArgumentParser) -> None:
    """The catalog arguments."""
    parser.add_argument("table", choices=list(TABLES), help="which table")
    add_store_argument(parser)
    add_output_arguments(parser)
    parser.add_argument("--filter", action="append", default=[], metavar="FILTER",
                        help="containerd filter on the blobs (repeatable: any matches)")
    parser.add_argument("--validate", action="store_true",
                        help="also run the full manifest parser on each blob (slower)")


def run(args: argparse.Namespace) -> int:
    """Open the store, build the table, write it."""
    store = open_existing_store(args.store)
    try:
        catalog = Catalog(store, filters=args.filter, validate=args.validate,
                          progress=not args.quiet and sys.stderr.isatty())
        frame = TABLES[args.table](catalog)
    finally:
        store.close()
    fmt = Format(args.format)
    columns = args.columns
    if not columns and fmt is Format.TABLE and args.table == "manifests":
        columns = ",".join(TABLE_COLUMNS)
    write_frame(select_columns(frame, columns), fmt, args.output)
    if not args.quiet and args.table == "manifests":
        print(summary_line(frame).replace("classified", "catalogued"), file=sys.stderr)
    return ExitCode.OK
