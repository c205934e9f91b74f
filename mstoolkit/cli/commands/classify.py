"""Classify manifest dumps: folders of blobs, OCI layouts, docker-save and OCI tarballs
(.tar, .tar.gz, .tar.zst), JSON Lines (.jsonl, also .gz/.zst) and Parquet.

One row per blob: where it was, its digest and size, the media type moby's detector gives it
(schema1 gate open), its kind, why it could not be classified, and whether each Docker and
containerd version pulls it. Bad blobs never stop the run.

examples:
  mstoolkit classify dump.jsonl.zst
  mstoolkit classify layout/ --format csv -o rows.csv
  mstoolkit classify big.jsonl --format parquet -o rows.parquet   # streams, constant memory
  mstoolkit classify /shared/dump.jsonl --engine dask --scheduler tcp://scheduler:8786
  mstoolkit classify images/ --fail-on docker_28_2                 # exit 10 if any breaks
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

import pandas as pd

from mstoolkit.catalog import classify
from mstoolkit.catalog.schema import Kind
from mstoolkit.catalog.verdicts import Engine
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.output import Format, add_output_arguments, select_columns, write_frame

__all__ = ["HELP", "NAME", "TABLE_COLUMNS", "register", "run", "summary_line"]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "classify"
HELP: Final = "classify manifest blobs in files, layouts, tarballs, JSON Lines or Parquet"

#: What ``--format table`` shows unless ``--columns`` says otherwise (the others: all).
TABLE_COLUMNS: Final = (
    "source", "locator", "kind", "media_type", "error",
    "verdict_docker_26", "verdict_docker_28_2", "verdict_containerd_2_1",
)


def register(parser: argparse.ArgumentParser) -> None:
    """The classify arguments."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="inputs to classify")
    add_output_arguments(parser)
    parser.add_argument("--engine", choices=["local", "dask"], default="local",
                        help="local process pool (default) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="Dask scheduler address (default: a local process scheduler)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local processes (default: every core)")
    parser.add_argument("--chunk-size", type=int, default=4096, metavar="N",
                        help="blobs per unit of work (default 4096)")
    parser.add_argument("--limit", type=int, default=4 * 1024 * 1024, metavar="BYTES",
                        help="larger blobs are reported too-large (default 4 MiB)")
    parser.add_argument("--fail-on", choices=[e.value for e in Engine], metavar="ENGINE",
                        help="exit 10 if any blob would not pull on ENGINE "
                             f"({', '.join(e.value for e in Engine)})")


def summary_line(frame: pd.DataFrame) -> str:
    """One line: rows, schema1 count and share, invalid count."""
    rows = len(frame)
    schema1 = int((frame["kind"] == Kind.SCHEMA1).sum())
    invalid = int((frame["kind"] == Kind.INVALID).sum())
    share = schema1 / rows if rows else 0.0
    return f"classified {rows:,} blobs: {schema1:,} schema1 ({share:.1%}), {invalid:,} invalid"


def run(args: argparse.Namespace) -> int:
    """Classify, write the rows, print a summary; 10 if --fail-on found rows."""
    fmt = Format(args.format)
    common = {"workers": args.workers, "chunk_size": args.chunk_size, "limit": args.limit,
              "engine": args.engine, "scheduler": args.scheduler,
              "progress": False if args.quiet else None}
    if fmt is Format.PARQUET and args.output and not args.columns and not args.fail_on:
        summary = classify(args.paths, output=args.output, **common)
        if not args.quiet:
            rows = int(summary["count"].sum())
            print(f"classified {rows:,} blobs into {args.output}", file=sys.stderr)
        return ExitCode.OK
    frame = classify(args.paths, **common)
    columns = args.columns or (",".join(TABLE_COLUMNS) if fmt is Format.TABLE else None)
    write_frame(select_columns(frame, columns), fmt, args.output)
    if not args.quiet:
        print(summary_line(frame), file=sys.stderr)
    if args.fail_on:
        column = Engine(args.fail_on).column
        failing = int((frame[column] != "ok").sum())
        if failing:
            if not args.quiet:
                print(f"{failing:,} blobs do not pull on {args.fail_on}", file=sys.stderr)
            return ExitCode.FINDINGS
    return ExitCode.OK
