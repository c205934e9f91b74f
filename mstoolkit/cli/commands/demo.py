"""Classify the bundled synthetic dump (25,000 manifests from seven registries, 2014-2025),
print a short summary and write the report (charts, CSVs, an HTML page).

examples:
  mstoolkit demo
  mstoolkit demo -o /tmp/report --workers 1
  mstoolkit demo --dump data/real-world/blobs --no-report
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Final

import pandas as pd

import mstoolkit.catalog  # noqa: F401 - registers df.mst
from mstoolkit.catalog import classify
from mstoolkit.catalog.schema import Kind
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.settings import default_dump

__all__ = ["DEFAULT_REPORT_DIR", "HELP", "NAME", "register", "run", "summary"]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "demo"
#: Where the report goes without -o (the report module's default; kept here so that
#: building the parser does not load matplotlib).
DEFAULT_REPORT_DIR: Final = "mstoolkit-report"
HELP: Final = "classify the bundled dump, print a summary, write the report"


def register(parser: argparse.ArgumentParser) -> None:
    """The demo arguments."""
    parser.add_argument("--dump", metavar="PATH",
                        help="what to classify (default: the bundled data/manifests.jsonl.zst)")
    parser.add_argument("-o", "--output", metavar="DIR", default=DEFAULT_REPORT_DIR,
                        help=f"report directory (default ./{DEFAULT_REPORT_DIR})")
    parser.add_argument("--no-report", action="store_true", help="only print the summary")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local processes (default: every core)")


def summary(frame: pd.DataFrame, out: IO[str]) -> None:
    """Counts by kind, the schema1 share and the verdicts per engine."""
    rows = len(frame)
    schema1 = int((frame["kind"] == Kind.SCHEMA1).sum())
    kinds = frame["kind"].astype(str).value_counts()
    print(f"{rows:,} manifests", file=out)
    print("\nby kind:", file=out)
    for kind, count in kinds.items():
        print(f"  {kind:<13} {count:>8,}  {count / rows:6.1%}", file=out)
    print(f"\nschema1 share: {schema1 / rows if rows else 0:.1%} ({schema1:,} manifests)",
          file=out)
    if "registry" in frame.columns and frame["registry"].astype(str).ne("").any():
        by_registry = frame.mst.prevalence(by="registry")
        worst = by_registry[by_registry["count"] > 0].head(3)
        names = ", ".join(f"{name} {int(row['count']):,} ({row['share']:.0%})"
                          for name, row in worst.iterrows())
        print(f"schema1 by registry, most first: {names}", file=out)
    print("\nverdicts (rows per engine):", file=out)
    print(frame.mst.verdicts().to_string(), file=out)


def run(args: argparse.Namespace) -> int:
    """Classify the dump, print the summary, write the report."""
    dump = Path(args.dump) if args.dump else default_dump()
    frame = classify(dump, workers=args.workers, progress=False if args.quiet else None)
    if not args.quiet:
        print(f"classified {dump}\n", file=sys.stdout)
        summary(frame, sys.stdout)
    if args.no_report:
        return ExitCode.OK
    # matplotlib loads only when a report is drawn, not for every mstoolkit command
    from mstoolkit.cli.report import write_report  # noqa: PLC0415

    files = write_report(frame, args.output, title="mstoolkit demo",
                         note=f"{len(frame):,} manifests from {dump.name}")
    if not args.quiet:
        print(f"\nreport: {files.page}", file=sys.stdout)
    return ExitCode.OK
