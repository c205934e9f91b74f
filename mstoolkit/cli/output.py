"""Writing a frame where and how the user asked: table, CSV, JSON Lines or Parquet."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import IO

import pandas as pd

from mstoolkit.errors import InvalidArgument

__all__ = ["Format", "add_output_arguments", "select_columns", "write_frame"]


def __dir__() -> list[str]:
    return sorted(__all__)


class Format(StrEnum):
    """Output formats; ``json`` is JSON Lines (one object per row)."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``-o/--output`` and ``--columns`` on *parser*."""
    add = parser.add_argument
    add("--format", choices=[f.value for f in Format], default=Format.TABLE.value,
        help="table (default), csv, json (JSON Lines) or parquet")
    add("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add("--columns", metavar="A,B", help="only these columns, in this order")


def select_columns(frame: pd.DataFrame, columns: str | Sequence[str] | None) -> pd.DataFrame:
    """*frame* restricted to *columns* (comma-separated or a list); unknown names refused."""
    if not columns:
        return frame
    names = [c.strip() for c in columns.split(",")] if isinstance(columns, str) else list(columns)
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise InvalidArgument(f"unknown column(s) {unknown}; available: {list(frame.columns)}")
    return frame[names]


def _text(frame: pd.DataFrame, fmt: Format) -> str:
    if fmt is Format.CSV:
        return frame.to_csv(index=False)
    if fmt is Format.JSON:
        if frame.empty:
            return ""
        return frame.to_json(orient="records", lines=True, date_format="iso") or ""
    if frame.empty:
        return "(no rows)\n"
    return _printable(frame).to_string(index=False, max_colwidth=72) + "\n"


_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]"


def _printable(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with control characters in text cells escaped, for the terminal: media types,
    tags and locators come from the manifests and registries being audited, and a hostile
    one could otherwise move the cursor, retitle the window or hide rows with ESC
    sequences, or break the table with newlines."""
    out = frame
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype):
            text = column.astype("string")
            if text.str.contains(_CONTROL, regex=True).any():
                if out is frame:
                    out = frame.copy()
                out[name] = text.str.replace(
                    _CONTROL, lambda m: repr(m.group())[1:-1], regex=True)
    return out


def write_frame(frame: pd.DataFrame, fmt: Format | str, output: str | Path | None = None,
                *, stdout: IO[str] | None = None) -> None:
    """Write *frame* as *fmt* to *output* (a path) or to standard output."""
    form = Format(fmt)
    if form is Format.PARQUET:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        if output is not None:
            Path(output).write_bytes(buffer.getvalue())
            return
        stream = stdout or sys.stdout
        if stream.isatty():
            raise InvalidArgument("parquet is binary: give -o FILE or redirect the output")
        stream.flush()
        sys.stdout.buffer.write(buffer.getvalue())
        return
    text = _text(frame, form)
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
    else:
        (stdout or sys.stdout).write(text)
