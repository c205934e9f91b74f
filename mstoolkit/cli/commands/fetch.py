"""Fetch one image reference into the local content store: its manifest and, for an index or
manifest list, its children. A tag is resolved with HEAD first, so a manifest already cached
costs no pull quota. One row per manifest; the summary goes to standard error.

Credentials come from the docker config (``~/.docker/config.json``, credential helpers);
registries on 127.0.0.0/8 and localhost are spoken to over plain HTTP, others need --insecure
for that.

examples:
  mstoolkit fetch docker.io/library/alpine:3.19
  mstoolkit fetch 127.0.0.1:5000/multiarch/hello:oci-index --platform linux/arm64
  mstoolkit fetch ghcr.io/org/app@sha256:... --raw > manifest.json
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from typing import Final

import pandas as pd

from mstoolkit.cli.exit_codes import EXIT_BY_CATEGORY, ExitCode
from mstoolkit.cli.output import Format, add_output_arguments, select_columns, write_frame
from mstoolkit.cli.settings import add_store_argument, store_path
from mstoolkit.content import LocalStore
from mstoolkit.manifest_store import FetchRow, ManifestStore
from mstoolkit.reference import parse_reference
from mstoolkit.registry import RegistryClient
from mstoolkit.registry.auth import is_loopback

__all__ = [
    "HELP",
    "NAME",
    "ROW_COLUMNS",
    "TABLE_COLUMNS",
    "exit_code_of",
    "register",
    "rows_frame",
    "run",
    "summary",
]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "fetch"
HELP: Final = "fetch a reference (and an index's children) into the local content store"

#: Every column of a fetch or audit row, in order.
ROW_COLUMNS: Final = tuple(f.name for f in dataclasses.fields(FetchRow))

#: What ``--format table`` shows unless ``--columns`` says otherwise.
TABLE_COLUMNS: Final = (
    "repository", "reference", "platform", "digest", "media_type", "outcome", "error",
)


def register(parser: argparse.ArgumentParser) -> None:
    """The fetch arguments."""
    parser.add_argument("reference", metavar="REF", help="image reference (tag or digest)")
    parser.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                        help="only this platform's child of an index")
    parser.add_argument("--no-children", action="store_true",
                        help="do not fetch the children of an index")
    parser.add_argument("--insecure", action="store_true",
                        help="plain HTTP (automatic for loopback registries)")
    parser.add_argument("--raw", action="store_true",
                        help="print the manifest's bytes as cached instead of the rows")
    add_store_argument(parser)
    add_output_arguments(parser)


def rows_frame(rows: Sequence[FetchRow]) -> pd.DataFrame:
    """One DataFrame row per fetch row, every :data:`ROW_COLUMNS` column."""
    records = [dataclasses.asdict(row) for row in rows]
    for record in records:
        record["outcome"] = str(record["outcome"])
    frame = pd.DataFrame.from_records(records, columns=list(ROW_COLUMNS))
    return frame.astype({"ratelimit_remaining": "Int64"})


def summary(rows: Sequence[FetchRow], what: str = "fetched") -> str:
    """One line: how many manifests needed a GET, came from the cache, failed."""
    counts = {"fetched": 0, "cached": 0, "error": 0}
    for row in rows:
        counts[str(row.outcome)] += 1
    return (f"{what} {len(rows):,} manifests: {counts['fetched']:,} fetched, "
            f"{counts['cached']:,} from the cache, {counts['error']:,} failed")


def exit_code_of(rows: Sequence[FetchRow]) -> int:
    """0 when every row is fine, else the exit code of the first failure's category."""
    for row in rows:
        if not row.ok:
            return EXIT_BY_CATEGORY.get(row.error_category, ExitCode.UNKNOWN)
    return ExitCode.OK


def run(args: argparse.Namespace) -> int:
    """Pull the reference into the store, write the rows (or the raw bytes)."""
    ref = parse_reference(args.reference)
    insecure = args.insecure or is_loopback(ref.domain)
    local = LocalStore(store_path(args.store))
    try:
        with RegistryClient(ref.domain, insecure=insecure) as client:
            result = ManifestStore(local, client).pull(
                args.reference, platform=args.platform, recursive=not args.no_children
            )
    finally:
        local.close()
    if args.raw:
        sys.stdout.flush()
        sys.stdout.buffer.write(result.manifest.raw)
        sys.stdout.buffer.flush()
        return exit_code_of(result.rows)
    fmt = Format(args.format)
    columns = args.columns
    if not columns and fmt is Format.TABLE:
        columns = ",".join(TABLE_COLUMNS)
    write_frame(select_columns(rows_frame(result.rows), columns), fmt, args.output)
    if not args.quiet:
        print(summary(result.rows), file=sys.stderr)
    return exit_code_of(result.rows)
