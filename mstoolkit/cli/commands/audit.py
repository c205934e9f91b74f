"""Audit a whole registry into the local content store: every repository of ``_catalog`` (or
the ones given), every tag, every child of every index, many requests in flight. One bad
manifest never stops the run: it is a row with its error category. A first run GETs each tag
once; a rerun (or a run after a crash) resolves each tag it fetched before with HEAD and
fetches only what the store does not hold yet.

Then ``mstoolkit catalog manifests`` (or ``report``) analyses the cache offline.

examples:
  mstoolkit audit 127.0.0.1:5000
  mstoolkit audit registry.example.com --repo team/app --repo team/db --concurrency 16
  mstoolkit audit 127.0.0.1:5000 --resolve get --format csv -o audit.csv
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from mstoolkit.cli.commands.fetch import exit_code_of, rows_frame, summary
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.output import Format, add_output_arguments, select_columns, write_frame
from mstoolkit.cli.settings import add_store_argument, store_path
from mstoolkit.content import LocalStore
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.manifest_store.audit import Resolve, audit
from mstoolkit.registry import RegistryClient
from mstoolkit.registry.auth import is_loopback

__all__ = ["HELP", "NAME", "TABLE_COLUMNS", "register", "run"]


def __dir__() -> list[str]:
    return sorted(__all__)


NAME: Final = "audit"
HELP: Final = "fetch every tagged manifest of a registry into the local content store"

#: What ``--format table`` shows unless ``--columns`` says otherwise.
TABLE_COLUMNS: Final = ("repository", "reference", "digest", "media_type", "outcome",
                        "error_category")


def register(parser: argparse.ArgumentParser) -> None:
    """The audit arguments."""
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port] of the registry")
    parser.add_argument("--repo", action="append", dest="repos", metavar="REPO",
                        help="audit this repository (repeatable; default: all of _catalog)")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG",
                        help="only this tag in each repository (repeatable)")
    parser.add_argument("--concurrency", type=int, default=8, metavar="N",
                        help="requests in flight (default 8)")
    parser.add_argument("--resolve", choices=[r.value for r in Resolve], default=Resolve.AUTO,
                        help="auto (default: GET tags this store never fetched, HEAD the "
                             "others), head (HEAD each tag, GET only what is not cached) or "
                             "get (GET every tag: fewer requests, more pull quota)")
    parser.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                        help="only this platform's children of each index")
    parser.add_argument("--no-children", action="store_true",
                        help="do not fetch the children of indexes")
    parser.add_argument("--insecure", action="store_true",
                        help="plain HTTP (automatic for loopback registries)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with the first failed row's error code (default: 0 once "
                             "the audit ran, failures being rows)")
    add_store_argument(parser)
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the audit, write the rows, print a summary."""
    insecure = args.insecure or is_loopback(args.registry)
    local = LocalStore(store_path(args.store))
    try:
        with RegistryClient(args.registry, insecure=insecure) as client:
            result = audit(
                ManifestStore(local, client),
                args.registry,
                repositories=args.repos,
                tags=args.tags,
                concurrency=args.concurrency,
                progress=not args.quiet and sys.stderr.isatty(),
                insecure=insecure,
                platform=args.platform,
                recursive=not args.no_children,
                resolve=args.resolve,
            )
    finally:
        local.close()
    fmt = Format(args.format)
    columns = args.columns
    if not columns and fmt is Format.TABLE:
        columns = ",".join(TABLE_COLUMNS)
    write_frame(select_columns(rows_frame(result.rows), columns), fmt, args.output)
    if not args.quiet:
        line = summary(result.rows, "audited")
        print(f"{line} in {result.elapsed:.1f}s ({len(result.repositories):,} repositories)",
              file=sys.stderr)
    return exit_code_of(result.rows) if args.strict else ExitCode.OK
