"""Blobs carried as records: JSON Lines (plain or compressed) and Parquet.

A JSON Lines file holds either one manifest per line, or one *record* per line: an object
with a ``blob`` string (the manifest's exact text) and optional ``digest``,
``media_type_hint`` (or ``media_type``), ``registry``, ``repository`` and ``created`` fields,
as the bench corpus and ``data/`` write them. The two forms can be mixed; a line is a record
when it decodes to an object with a ``blob`` key (manifests never have one). A record's blob
is the UTF-8 encoding of that string: its digest is the digest of the original blob only if
the writer escaped it losslessly, which is why a record's ``digest`` is checked, not trusted.

Line numbers: a worker reading a byte range of a large file does not know how many lines
precede it, so records carry the line index *within the range* and the engine adds the
range's base once the earlier ranges have been counted.

Parquet: one row per blob; the blob column is the first of ``blob``, ``raw``, ``manifest``,
``data`` that exists (binary or string), other columns as for records.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

import orjson
import pyarrow.parquet as pq

from mstoolkit.catalog.schema import BlobError
from mstoolkit.catalog.units import Item

__all__ = [
    "BLOB_COLUMNS",
    "iter_block_lines",
    "iter_parquet_rows",
    "iter_range_lines",
    "line_item",
    "record_item",
]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Candidate names of the blob column in a Parquet file, in order of preference.
BLOB_COLUMNS: Final = ("blob", "raw", "manifest", "data")
_HINT_FIELDS: Final = ("media_type_hint", "media_type", "declared_media_type")


def _hint(record: Mapping[str, Any]) -> str:
    for key in _HINT_FIELDS:
        value = record.get(key)
        if isinstance(value, str):
            return value
    return ""


def record_item(record: Mapping[str, Any], *, line: int = -1, locator: str = "",
                limit: int) -> Item:
    """The item a decoded record stands for (``bad-record`` if its blob is not text)."""
    get = record.get
    blob = get("blob")
    if isinstance(blob, str):
        data = blob.encode("utf-8", "surrogatepass")
    elif isinstance(blob, bytes | bytearray | memoryview):
        data = bytes(blob)
    else:
        return Item(locator, b"", error=BlobError.BAD_RECORD, line=line)
    size = len(data)
    hint = get("media_type_hint")
    if not isinstance(hint, str):
        hint = _hint(record)
    digest = get("digest")
    registry = get("registry")
    repository = get("repository")
    created = get("created")
    error = ""
    if size > limit:
        data, error = b"", BlobError.TOO_LARGE
    return Item(
        locator, data, hint, digest if isinstance(digest, str) else "", error, size, line,
        registry if isinstance(registry, str) else "",
        repository if isinstance(repository, str) else "",
        created if isinstance(created, str) else "",
    )


def _decode_record(line: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:  # orjson refuses lone surrogate escapes that a writer may have produced
            value = json.loads(line)
        except ValueError:
            return None
    return value if isinstance(value, dict) and "blob" in value else None


def line_item(line: bytes, index: int, *, limit: int) -> Item:
    """The item for one JSON Lines line: a record, or the line itself as the manifest."""
    if b'"blob"' in line:
        record = _decode_record(line)
        if record is not None:
            return record_item(record, line=index, limit=limit)
    if len(line) > limit:
        return Item("", b"", error=BlobError.TOO_LARGE, size=len(line), line=index)
    return Item("", line, line=index)


def _item_of(raw: bytes, index: int, *, limit: int) -> Item:
    """:func:`line_item` for a line that may still end with its ``\\n`` or ``\\r\\n``.

    A record is decoded with its line ending (trailing whitespace to both decoders), so
    the common case never copies the line to cut it off.
    """
    if b'"blob"' in raw:
        record = _decode_record(raw)
        if record is not None:
            return record_item(record, line=index, limit=limit)
    line = raw[:-1] if raw.endswith(b"\n") else raw
    line = line[:-1] if line.endswith(b"\r") else line
    if len(line) > limit:
        return Item("", b"", error=BlobError.TOO_LARGE, size=len(line), line=index)
    return Item("", line, line=index)


def _items(lines: list[bytes], first: int, *, limit: int) -> Iterator[Item]:
    index = first
    for raw in lines:
        if raw and not raw.isspace():  # == line.strip() of the line without its ending
            yield _item_of(raw, index, limit=limit)
        index += 1


def _lines(data: bytes, first: int, *, limit: int) -> Iterator[Item]:
    return _items(data.split(b"\n"), first, limit=limit)


def count_lines(data: bytes) -> int:
    """Lines in *data*, counting a final line without a newline."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


#: Read buffer for a JSON Lines range. Lines are taken from the buffered reader one by
#: one: reading a whole range into one fresh multi-megabyte buffer and splitting it costs
#: about three times as much per line here (the big buffer's page faults and copies).
_RANGE_BUFFER: Final = 1 << 18


def iter_range_lines(path: str, start: int, end: int, *, limit: int) -> tuple[Iterator[Item], int]:
    """Items of the lines in bytes ``[start, end)`` of *path*, with range-relative indexes,
    and the number of lines in the range. Raises ``OSError`` if the file cannot be read."""
    lines: list[bytes] = []
    if end > start:
        append = lines.append
        with open(path, "rb", buffering=_RANGE_BUFFER) as handle:
            handle.seek(start)
            pos = start
            for line in handle:  # each line keeps its b"\n", except a last one at EOF
                pos += len(line)
                if pos >= end:
                    append(line[:len(line) - (pos - end)] if pos > end else line)
                    break
                append(line)
    return _items(lines, 0, limit=limit), len(lines)


def iter_block_lines(data: bytes, first_line: int, *, limit: int) -> Iterator[Item]:
    """Items of an in-memory block of whole lines whose first line has index *first_line*."""
    if data.endswith(b"\n"):
        data = data[:-1]
    return _lines(data, first_line, limit=limit)


def _column(table: Any, names: tuple[str, ...]) -> list[Any] | None:
    for name in names:
        if name in table.column_names:
            values: list[Any] = table.column(name).to_pylist()
            return values
    return None


def iter_parquet_rows(path: str, row_groups: tuple[int, ...], first_row: int, *,
                      limit: int) -> Iterator[Item]:
    """Items of the given row groups of a Parquet file; locators are 0-based row numbers.

    Raises ``OSError``/``ValueError`` (pyarrow's) if the file or its columns are unusable.
    """
    with open(path, "rb") as handle:
        parquet = pq.ParquetFile(io.BufferedReader(handle))
        names = parquet.schema_arrow.names
        wanted = [n for n in (*BLOB_COLUMNS, "digest", *_HINT_FIELDS, "registry",
                              "repository", "created") if n in names]
        if not any(n in names for n in BLOB_COLUMNS):
            raise ValueError(f"no blob column (one of {', '.join(BLOB_COLUMNS)})")
        row = first_row
        for group in row_groups:
            table = parquet.read_row_group(group, columns=wanted)
            blobs = _column(table, BLOB_COLUMNS) or []
            extra = {n: _column(table, (n,)) for n in wanted if n not in BLOB_COLUMNS}
            for i, blob in enumerate(blobs):
                record: dict[str, Any] = {"blob": blob}
                for name, values in extra.items():
                    if values is not None:
                        value = values[i]
                        record[name] = value.isoformat() if hasattr(value, "isoformat") else value
                yield record_item(record, locator=str(row), limit=limit)
                row += 1
