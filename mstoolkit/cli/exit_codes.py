"""Exit codes: one per error category, so scripts can branch on *why* a command failed.

=====  =======================  ==================================================
code   category                 meaning
=====  =======================  ==================================================
0      —                        success
1      unknown                  an unexpected error (a bug: please report it)
2      usage                    bad command line (argparse's own code)
3      invalid-argument         the input is wrong (bad path contents, bad values)
4      not-found                no such file, store, blob or manifest
5      already-exists           the thing to create is there
6      failed-precondition      state forbids it (digest or size mismatch...)
7      unavailable              registry down, rate limited, timed out
8      unauthenticated          no valid credentials
9      permission-denied        credentials valid but not allowed
10     findings                 ``--fail-on``: some rows do not pull on the engine
130    interrupted              Ctrl-C
=====  =======================  ==================================================
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from mstoolkit.errors import category_of

__all__ = ["EXIT_BY_CATEGORY", "ExitCode", "exit_code_for"]


def __dir__() -> list[str]:
    return sorted(__all__)


class ExitCode(IntEnum):
    """The process exit codes (see the module docstring)."""

    OK = 0
    UNKNOWN = 1
    USAGE = 2
    INVALID_ARGUMENT = 3
    NOT_FOUND = 4
    ALREADY_EXISTS = 5
    FAILED_PRECONDITION = 6
    UNAVAILABLE = 7
    UNAUTHENTICATED = 8
    PERMISSION_DENIED = 9
    FINDINGS = 10
    INTERRUPTED = 130


#: mstoolkit error category -> exit code.
EXIT_BY_CATEGORY: Final = {
    "invalid-argument": ExitCode.INVALID_ARGUMENT,
    "not-found": ExitCode.NOT_FOUND,
    "already-exists": ExitCode.ALREADY_EXISTS,
    "failed-precondition": ExitCode.FAILED_PRECONDITION,
    "unavailable": ExitCode.UNAVAILABLE,
    "unauthenticated": ExitCode.UNAUTHENTICATED,
    "permission-denied": ExitCode.PERMISSION_DENIED,
}


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for *error*: its category's, or the matching OS error's, else 1."""
    code = EXIT_BY_CATEGORY.get(category_of(error))
    if code is not None:
        return code
    if isinstance(error, FileNotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(error, PermissionError):
        return ExitCode.PERMISSION_DENIED
    if isinstance(error, IsADirectoryError | NotADirectoryError):
        return ExitCode.INVALID_ARGUMENT
    if isinstance(error, ConnectionError | TimeoutError):  # e.g. a Dask scheduler away
        return ExitCode.UNAVAILABLE
    return ExitCode.UNKNOWN
