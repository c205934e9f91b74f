"""Write a report: PNG charts (media types, schema1 by repository and by year, verdicts per
engine, label history), the CSV tables behind them and a small HTML page that shows them.

Without PATH the report covers the local content store (what `mstoolkit audit` and `fetch`
cached); with PATHs it covers those dumps, classified on the way (as `mstoolkit classify`).

examples:
  mstoolkit report
  mstoolkit report -o /tmp/registry-report --store ./cache
  mstoolkit report data/manifests.jsonl.zst -o dump-report
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

import pandas as pd

from mstoolkit.catalog import Catalog, classify
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.settings import add_store_argument, open_existing_store, store_path

__all__ = ["DEFAULT_REPORT_DIR", "HELP", "NAME", "register", "run"]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "report"
HELP: Final = "charts, CSVs and an HTML page for the store or for dumps"
#: Where the report goes without -o; equal to :data:`mstoolkit.cli.report.DEFAULT_REPORT_DIR`
#: (repeated so that building the parser does not load matplotlib).
DEFAULT_REPORT_DIR: Final = "mstoolkit-report"


def register(parser: argparse.ArgumentParser) -> None:
    """The report arguments."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="dumps to classify and report on (default: the content store)")
    parser.add_argument("-o", "--output", metavar="DIR", default=DEFAULT_REPORT_DIR,
                        help=f"report directory (default ./{DEFAULT_REPORT_DIR})")
    add_store_argument(parser)
    parser.add_argument("--title", help="page title (default: says what was reported on)")
    parser.add_argument("--top", type=int, default=20, metavar="N",
                        help="repositories in the schema1 chart (default 20)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local processes when classifying PATHs (default: every core)")


def _from_store(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    store = open_existing_store(args.store)
    try:
        catalog = Catalog(store, progress=not args.quiet and sys.stderr.isatty())
        return catalog.manifests(), catalog.label_history(), f"the store {store_path(args.store)}"
    finally:
        store.close()


def run(args: argparse.Namespace) -> int:
    """Build the frame (store or dumps), write the report, say where it is."""
    if args.paths:
        frame = classify(args.paths, workers=args.workers,
                         progress=False if args.quiet else None)
        history = None
        what = ", ".join(args.paths)
    else:
        frame, history, what = _from_store(args)
    # matplotlib loads only when a report is drawn, not for every mstoolkit command
    from mstoolkit.cli.report import write_report  # noqa: PLC0415

    files = write_report(frame, args.output, title=args.title or f"mstoolkit report: {what}",
                         note=f"{len(frame):,} manifests from {what}.", history=history,
                         top=args.top)
    if not args.quiet:
        share = files.schema1 / files.rows if files.rows else 0.0
        print(f"{files.rows:,} manifests, {files.schema1:,} schema1 ({share:.1%})",
              file=sys.stderr)
        print(f"report: {files.page}", file=sys.stdout)
    return ExitCode.OK
