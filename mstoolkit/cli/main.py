"""The ``mstoolkit`` command: argparse, one subcommand per module of
:mod:`mstoolkit.cli.commands`, exit codes by error category.

A command is a module in ``mstoolkit/cli/commands/`` with ``NAME``, ``HELP``,
``register(parser)`` (adds its arguments) and ``run(args) -> int``; it is found by name, so
adding one is adding its module. Every subcommand also gets ``-q/--quiet`` (no progress
bars or summaries, errors only) and ``-v/--verbose`` (log more, twice for debug).
Errors become one line on standard error and the exit code of their category
(:mod:`mstoolkit.cli.exit_codes`), never a traceback: a message that quotes hostile input is
made one line (control characters escaped) and cut to :data:`MAX_MESSAGE` characters, and an
error that is not an mstoolkit one (a bug) is still one line, exit code 1, with the traceback
behind ``-vv``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final

import mstoolkit
from mstoolkit.cli import commands
from mstoolkit.cli.exit_codes import ExitCode, exit_code_for
from mstoolkit.errors import MstoolkitError

__all__ = ["MAX_MESSAGE", "build_parser", "command_modules", "main", "one_line"]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger("mstoolkit.cli")

#: Longest error message printed: a 50 MB media type quoted by an error stays readable.
MAX_MESSAGE: Final = 1000
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """*message* on one line: control characters, line separators and lone surrogates
    escaped as ``repr`` would, cut to *limit* characters with a note of how much was cut."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit} more characters)"
    return text


def command_modules() -> list[ModuleType]:
    """The command modules, by name."""
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__)
                   if not info.name.startswith("_"))
    return [importlib.import_module(f"{commands.__name__}.{name}") for name in names]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars or summaries; only errors")
    common.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more (-vv for debug)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full parser: every command module's subcommand."""
    parser = argparse.ArgumentParser(
        prog="mstoolkit",
        description="Audit container registries and manifest dumps: moby's manifest "
                    "detector, a content store, a registry client and pandas on top.",
        epilog="Exit codes: 0 ok, 1 unexpected, 2 usage, 3 invalid argument, 4 not found, "
               "5 already exists, 6 failed precondition, 7 unavailable, 8 unauthenticated, "
               "9 permission denied, 10 --fail-on findings, 130 interrupted.",
    )
    parser.add_argument("--version", action="version",
                        version=f"mstoolkit {getattr(mstoolkit, '__version__', '0.1.0')}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _common()
    for module in command_modules():
        sub = subparsers.add_parser(module.NAME, help=module.HELP, parents=[common],
                                    description=module.__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        module.register(sub)
        sub.set_defaults(run=module.run)
    return parser


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.ERROR if args.quiet else (
        logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="mstoolkit: %(levelname)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    _configure_logging(args)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("mstoolkit: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`| head`): not an error; keep Python from complaining at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except (MstoolkitError, OSError) as exc:
        print(f"mstoolkit {args.command}: {one_line(str(exc))}", file=sys.stderr)
        _log.debug("details", exc_info=True)
        return exit_code_for(exc)
    except Exception as exc:  # a bug: still one line for the user, the traceback with -vv
        print(f"mstoolkit {args.command}: unexpected error (please report it; -vv shows the "
              f"traceback): {type(exc).__name__}: {one_line(str(exc))}", file=sys.stderr)
        _log.debug("traceback", exc_info=True)
        return ExitCode.UNKNOWN
    return code
