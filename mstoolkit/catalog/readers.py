"""Streaming readers: from paths to units of work, and from a unit to the blobs it holds.

What a path is decides how it is read:

=============================================  ==============================================
path                                           read as
=============================================  ==============================================
directory with an ``oci-layout`` file          OCI image layout: every blob under ``blobs/``
                                               except configs and layers its descriptors name;
                                               the file name is the digest, and is checked
other directory                                every regular file below it, recursively
``.tar`` ``.tar.gz`` ``.tgz`` ``.tar.zst`` …   tarball: ``docker save`` and OCI archives as
                                               layouts, other tarballs member by member
``.jsonl`` ``.ndjson`` (also ``.gz``/``.zst``)  JSON Lines (:mod:`~mstoolkit.catalog.records`)
``.parquet`` ``.pq``                           Parquet with a blob column
any other file                                 one blob
missing path                                   one ``not-found`` row
=============================================  ==============================================

``source`` is the path as given (for loose files, their directory, with the file name as the
locator), so rows from one input group together. Nothing here raises for bad *content*:
unreadable files, corrupt archives and broken records become rows with an ``error``.
"""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterable, Iterator
from typing import Final, NamedTuple

import pyarrow.parquet as pq

from mstoolkit.catalog.archives import (
    TAR_SUFFIXES,
    ZSTD_SUFFIXES,
    plan_compressed_jsonl,
    plan_tar,
)
from mstoolkit.catalog.layout import walk_layout
from mstoolkit.catalog.records import iter_block_lines, iter_parquet_rows, iter_range_lines
from mstoolkit.catalog.schema import BlobError
from mstoolkit.catalog.units import (
    DEFAULT_LIMIT,
    FilesUnit,
    Item,
    ItemsUnit,
    JsonlBlockUnit,
    JsonlRangeUnit,
    ParquetUnit,
    Unit,
)
from mstoolkit.errors import InvalidArgument

__all__ = ["Blob", "InputFormat", "input_format", "plan", "read_blobs", "read_unit"]


def __dir__() -> list[str]:
    return sorted(__all__)


_JSONL: Final = (".jsonl", ".ndjson")
_PARQUET: Final = (".parquet", ".pq")
#: Bytes per blob assumed when cutting JSON Lines into units of about ``chunk_size`` blobs.
_BYTES_PER_LINE: Final = 3072


class InputFormat(NamedTuple):
    """How a path will be read: ``kind`` is one of layout, folder, tar, jsonl, jsonl-stream,
    parquet, file, missing."""

    kind: str
    path: str


class Blob(NamedTuple):
    """One blob and where it came from, as :func:`read_blobs` yields it."""

    source: str
    locator: str
    data: bytes
    hint: str = ""
    error: str = ""


def input_format(path: str | os.PathLike[str]) -> InputFormat:
    """How *path* will be read (see the module docstring)."""
    text = os.fspath(path)
    lower = text.lower()
    if os.path.isdir(text):
        is_layout = os.path.isfile(os.path.join(text, "oci-layout"))
        return InputFormat("layout" if is_layout else "folder", text)
    if not os.path.exists(text):
        return InputFormat("missing", text)
    if lower.endswith(TAR_SUFFIXES):
        return InputFormat("tar", text)
    if lower.endswith(_JSONL):
        return InputFormat("jsonl", text)
    if lower.endswith(tuple(j + z for j in _JSONL for z in (".gz", *ZSTD_SUFFIXES))):
        return InputFormat("jsonl-stream", text)
    if lower.endswith(_PARQUET):
        return InputFormat("parquet", text)
    return InputFormat("file", text)


def _batches(names: list[str], size: int) -> Iterator[tuple[str, ...]]:
    for start in range(0, len(names), size):
        yield tuple(names[start:start + size])


def _walk_folder(root: str) -> Iterator[str]:
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(directory, root)
        for name in sorted(files):
            yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")


def _plan_folder(root: str, chunk_size: int, limit: int) -> Iterator[Unit]:
    batch: list[str] = []
    for name in _walk_folder(root):
        batch.append(name)
        if len(batch) >= chunk_size:
            yield FilesUnit(root, root, tuple(batch), limit=limit)
            batch = []
    if batch:
        yield FilesUnit(root, root, tuple(batch), limit=limit)


def _read_small(path: str, limit: int) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO named index.json must not hang
    except OSError:
        return None
    try:
        with open(fd, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def _under(paths: Iterable[str], prefix: str) -> set[str]:
    """The names of *paths* directly under *prefix* (a directory with its ``/``)."""
    return {p[len(prefix):] for p in paths if p.startswith(prefix) and "/" not in p[len(prefix):]}


def _list_tree(top: str) -> list[tuple[str, dict[str, list[str]]]]:
    """Each directory under *top* that :func:`os.walk` would visit (symlinked directories
    are not entered, unreadable ones are skipped), sorted by path, with its other entries
    grouped by their first character.

    Groups are sorted one at a time as units are cut, so the first units of a directory of
    200,000 blobs leave before all of it is sorted (the pool's workers start sooner), and
    grouping here costs what ``os.walk``'s own loop over the entries costs.
    """
    found: list[tuple[str, dict[str, list[str]]]] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        groups: dict[str, list[str]] = {}
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    name = entry.name
                    if is_dir:
                        path = os.path.join(directory, name)
                        if not os.path.islink(path):
                            pending.append(path)
                        continue
                    group = groups.get(name[0])
                    if group is None:
                        groups[name[0]] = [name]
                    else:
                        group.append(name)
        except OSError:
            continue
        found.append((directory, groups))
    found.sort(key=lambda item: item[0])
    return found


def _sorted_batches(groups: dict[str, list[str]], skip: set[str],
                    chunk_size: int) -> Iterator[tuple[str, ...]]:
    """Batches of the sorted names of *groups* less *skip*, sorting a group at a time."""
    pending: list[str] = []
    for first in sorted(groups):
        group = groups.pop(first)
        group.sort()
        pending += _without(group, skip)
        start = 0
        while len(pending) - start >= chunk_size:
            yield tuple(pending[start:start + chunk_size])
            start += chunk_size
        del pending[:start]
    if pending:
        yield tuple(pending)


def _plan_layout(root: str, chunk_size: int, limit: int) -> Iterator[Unit]:
    """Every blob under ``blobs/`` but what the layout's descriptors skip, directory by
    directory (sorted by path), names sorted within each. Names travel bare, with their
    directory as the unit's prefix: a layout directory can hold hundreds of thousands
    (names under ``blobs/`` are never :data:`~mstoolkit.catalog.layout.METADATA_NAMES`,
    which are top-level)."""
    graph = walk_layout(lambda rel: _read_small(os.path.join(root, rel), limit))
    blobs = os.path.join(root, "blobs")
    for directory, groups in _list_tree(blobs) if os.path.isdir(blobs) else []:
        prefix = os.path.relpath(directory, root).replace(os.sep, "/") + "/"
        hinted = {name: graph.hints[prefix + name] for name in _under(graph.hints, prefix)}
        hinted_names = sorted(hinted)
        for batch in _sorted_batches(groups, _under(graph.skip, prefix), chunk_size):
            hints = {name: hinted[name] for name in _within(hinted_names, batch)}
            yield FilesUnit(root, root, batch, digest_names=True, hints=hints, limit=limit,
                            prefix=prefix)


def _without(names: list[str], skip: set[str]) -> list[str]:
    """Sorted *names* less *skip*: the few configs and layers found by bisection, not by a
    hash of every name (a layout can hold hundreds of thousands of manifests)."""
    if len(skip) > 64:
        return [name for name in names if name not in skip]
    for name in sorted(skip, reverse=True):
        at = bisect.bisect_left(names, name)
        if at < len(names) and names[at] == name:
            del names[at]
    return names


def _within(candidates: list[str], batch: tuple[str, ...]) -> Iterator[str]:
    """The sorted *candidates* that are in the sorted *batch*, by bisection."""
    low = bisect.bisect_left(candidates, batch[0])
    high = bisect.bisect_right(candidates, batch[-1])
    for name in candidates[low:high]:
        at = bisect.bisect_left(batch, name)
        if at < len(batch) and batch[at] == name:
            yield name


def _plan_jsonl(path: str, chunk_size: int, limit: int) -> Iterator[Unit]:
    target = max(chunk_size * _BYTES_PER_LINE, 1 << 16)
    size = os.path.getsize(path)
    start = 0
    with open(path, "rb") as handle:
        while start < size:
            end = min(start + target, size)
            if end < size:
                handle.seek(end)
                while True:
                    chunk = handle.read(1 << 16)
                    found = chunk.find(b"\n")
                    if not chunk:
                        end = size
                        break
                    if found >= 0:
                        end += found + 1
                        break
                    end += len(chunk)
            yield JsonlRangeUnit(path, path, start, end, limit)
            start = end


def _plan_parquet(path: str, chunk_size: int, limit: int) -> Iterator[Unit]:
    meta = pq.ParquetFile(path).metadata
    groups: list[int] = []
    first = row = rows = 0
    for group in range(meta.num_row_groups):
        if not groups:
            first = row
        groups.append(group)
        n = meta.row_group(group).num_rows
        row += n
        rows += n
        if rows >= chunk_size:
            yield ParquetUnit(path, path, tuple(groups), first, limit)
            groups, rows = [], 0
    if groups:
        yield ParquetUnit(path, path, tuple(groups), first, limit)


def _error_unit(path: str, error: BlobError) -> ItemsUnit:
    return ItemsUnit(path, (Item("", b"", error=error),))


def plan(paths: Iterable[str | os.PathLike[str]], *, chunk_size: int = 4096,
         limit: int = DEFAULT_LIMIT) -> Iterator[Unit]:
    """Units of about *chunk_size* blobs covering *paths*, lazily, in input order.

    Bad inputs become units of error rows; only a non-positive *chunk_size* or a negative
    *limit* raises.
    """
    if chunk_size < 1:
        raise InvalidArgument(f"chunk_size must be positive, not {chunk_size}")
    if limit < 0:
        raise InvalidArgument(f"limit must not be negative, not {limit}")
    loose: dict[str, list[str]] = {}
    for fmt in map(input_format, paths):
        if fmt.kind == "file":
            parent, name = os.path.split(fmt.path)
            loose.setdefault(parent or ".", []).append(name)
            continue
        yield from _flush_loose(loose, chunk_size, limit)
        try:
            yield from _plan_one(fmt, chunk_size, limit)
        except OSError:
            yield _error_unit(fmt.path, BlobError.READ_ERROR)
        except ValueError:  # pyarrow's ArrowInvalid for a file that is not Parquet
            yield _error_unit(fmt.path, BlobError.BAD_ARCHIVE)
    yield from _flush_loose(loose, chunk_size, limit)


def _flush_loose(loose: dict[str, list[str]], chunk_size: int, limit: int) -> Iterator[Unit]:
    for parent, names in loose.items():
        for batch in _batches(names, chunk_size):
            yield FilesUnit(parent, parent, batch, limit=limit)
    loose.clear()


def _plan_one(fmt: InputFormat, chunk_size: int, limit: int) -> Iterator[Unit]:
    path = fmt.path
    if fmt.kind == "missing":
        yield _error_unit(path, BlobError.NOT_FOUND)
    elif fmt.kind == "layout":
        yield from _plan_layout(path, chunk_size, limit)
    elif fmt.kind == "folder":
        yield from _plan_folder(path, chunk_size, limit)
    elif fmt.kind == "tar":
        yield from plan_tar(path, path, chunk_size=chunk_size, limit=limit)
    elif fmt.kind == "jsonl":
        yield from _plan_jsonl(path, chunk_size, limit)
    elif fmt.kind == "jsonl-stream":
        yield from plan_compressed_jsonl(path, path, block_bytes=chunk_size * _BYTES_PER_LINE,
                                         limit=limit)
    else:
        yield from _plan_parquet(path, chunk_size, limit)


#: Bytes asked for by the first ``read`` of a file: every manifest but the largest fits.
_FIRST_READ: Final = 1 << 16


def _open_dir(root: str, head: str) -> int:
    try:
        return os.open(os.path.join(root, head) if head else root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return -1


def _read_rest(fd: int, data: bytes, limit: int) -> tuple[bytes, str, int]:
    """The rest of a file whose first read filled the buffer or passed *limit*, or came
    back empty: only regular files are blobs (a FIFO reads as empty, a device as endless
    zeros; both are ``read-error`` rows, like any file that cannot be read)."""
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        return b"", BlobError.READ_ERROR, -1
    size = status.st_size
    if size > limit:
        return b"", BlobError.TOO_LARGE, size
    if size > len(data):
        data += os.read(fd, size - len(data))
    return data, "", len(data)


def iter_files(root: str, names: Iterable[str],
               limit: int) -> Iterator[tuple[str, bytes, str, int]]:
    """``(file name, data, error, size)`` for each ``root/name``, in order: the hot loop's
    reader, without an :class:`Item` per file.

    Files are opened relative to a descriptor of their directory (``openat``: the kernel
    resolves one component, not the whole path) and read with one ``read`` when smaller
    than 64 KiB, so a blob costs three system calls; ``fstat`` runs only for larger files.
    This roughly halves the cost of reading a small file against ``open().read()``; the
    loop body is inlined for the same reason (a call per file costs ~5% of the classifier).
    """
    dirs: dict[str, int] = {}
    open_, read, close = os.open, os.read, os.close
    # O_NONBLOCK: a FIFO in a dump must not hang the run (it reads as empty); no effect on
    # regular files.
    rdonly = os.O_RDONLY | os.O_NONBLOCK
    first = _FIRST_READ
    small = min(first, limit + 1)
    current, dir_fd = None, -1
    try:
        for name in names:
            head, _, base = name.rpartition("/")
            if head != current:
                found = dirs.get(head)
                if found is None:
                    found = dirs[head] = _open_dir(root, head)
                current, dir_fd = head, found
            try:
                if dir_fd >= 0:
                    fd = open_(base, rdonly, dir_fd=dir_fd)
                else:
                    fd = open_(os.path.join(root, name), rdonly)
            except FileNotFoundError:
                yield base, b"", BlobError.NOT_FOUND, -1
                continue
            except OSError:
                yield base, b"", BlobError.READ_ERROR, -1
                continue
            try:
                data = read(fd, first)
                if data and len(data) < small:  # a regular file reads short only at its end
                    error, size = "", len(data)
                else:
                    data, error, size = _read_rest(fd, data, limit)
            except OSError:
                data, error, size = b"", BlobError.READ_ERROR, -1
            finally:
                close(fd)
            yield base, data, error, size
    finally:
        for fd in dirs.values():
            if fd >= 0:
                close(fd)


def iter_dir_files(directory: str, names: Iterable[str],
                   limit: int) -> Iterator[tuple[bytes, str, int]]:
    """:func:`iter_files` for bare names in one *directory* (a layout's ``blobs/<alg>/``):
    ``(data, error, size)`` per name, without splitting every name into directory and base
    (the same loop otherwise, kept inline for the same reason)."""
    dir_fd = _open_dir(directory, "")
    if dir_fd < 0:
        yield from ((data, error, size)
                    for _, data, error, size in iter_files(directory, names, limit))
        return
    open_, read, close = os.open, os.read, os.close
    rdonly = os.O_RDONLY | os.O_NONBLOCK
    first = _FIRST_READ
    small = min(first, limit + 1)
    try:
        for name in names:
            try:
                fd = open_(name, rdonly, dir_fd=dir_fd)
            except FileNotFoundError:
                yield b"", BlobError.NOT_FOUND, -1
                continue
            except OSError:
                yield b"", BlobError.READ_ERROR, -1
                continue
            try:
                data = read(fd, first)
                if data and len(data) < small:
                    error, size = "", len(data)
                else:
                    data, error, size = _read_rest(fd, data, limit)
            except OSError:
                data, error, size = b"", BlobError.READ_ERROR, -1
            finally:
                close(fd)
            yield data, error, size
    finally:
        close(dir_fd)


def expected_digest(name: str) -> str:
    """The digest a layout blob's path ``…/<alg>/<hex>`` promises."""
    alg_dir, _, hexpart = name.rpartition("/")
    return f"{alg_dir.rpartition('/')[2]}:{hexpart}"


def _files(unit: FilesUnit) -> Iterator[Item]:
    hints = unit.hints
    paths = unit.paths()
    read = iter_files(unit.root, paths, unit.limit)
    for key, name, (_, data, error, size) in zip(unit.names, paths, read, strict=True):
        hint = hints.get(key, "")
        if error:
            yield Item(name, b"", hint=hint, error=error, size=size if size >= 0 else -1)
        else:
            expected = expected_digest(name) if unit.digest_names else ""
            yield Item(name, data, hint=hint, expected=expected)


def _parquet(unit: ParquetUnit) -> Iterator[Item]:
    row = unit.first_row
    try:
        for item in iter_parquet_rows(unit.path, unit.row_groups, unit.first_row,
                                      limit=unit.limit):
            row += 1
            yield item
    except (OSError, ValueError):
        yield Item(str(row), b"", error=BlobError.BAD_ARCHIVE)


def read_unit(unit: Unit) -> tuple[Iterator[Item], int | None]:
    """The items of *unit* and, for a JSON Lines byte range, how many lines it spans.

    Line indexes of a byte range are relative to the range; the caller adds the number of
    lines before it (see :mod:`~mstoolkit.catalog.records`).
    """
    if isinstance(unit, FilesUnit):
        return _files(unit), None
    if isinstance(unit, ItemsUnit):
        return iter(unit.items), None
    if isinstance(unit, JsonlBlockUnit):
        return iter_block_lines(unit.data, unit.first_line, limit=unit.limit), None
    if isinstance(unit, JsonlRangeUnit):
        try:
            return iter_range_lines(unit.path, unit.start, unit.end, limit=unit.limit)
        except OSError:
            return iter((Item("", b"", error=BlobError.READ_ERROR),)), 0
    return _parquet(unit), None


def read_blobs(paths: Iterable[str | os.PathLike[str]], *,
               limit: int = DEFAULT_LIMIT) -> Iterator[Blob]:
    """Every blob under *paths* with its source, locator and declared media type, in order.

    The streaming form of what :func:`~mstoolkit.catalog.classify` reads, for callers that
    want the bytes themselves; memory stays bounded by one unit.
    """
    bases: dict[str, int] = {}
    for unit in plan(paths, limit=limit):
        items, n_lines = read_unit(unit)
        base = bases.get(unit.source, 0) if isinstance(unit, JsonlRangeUnit) else 0
        for item in items:
            locator = str(item.line + base + 1) if item.line >= 0 else item.locator
            yield Blob(unit.source, locator, item.data, item.hint, item.error)
        if n_lines is not None:
            bases[unit.source] = base + n_lines
