"""Inputs only one reader can walk, in order: tarballs and compressed JSON Lines.

The planner streams them and cuts what it reads into units that carry their data, so the
expensive part (hashing, detecting) still runs on every core.

Tarballs (``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``, ``.tar.zst``) are read
twice, streaming both times so nothing but the current member is held: the first pass
collects ``index.json``/``manifest.json`` and the references of small JSON members, the second
classifies every regular member except layout metadata and the blobs the layout's
descriptors call configs or layers (:mod:`~mstoolkit.catalog.layout`). A tarball without
``oci-layout``, ``index.json`` or ``manifest.json`` is just a bag of blobs: every member is
classified. A corrupt archive yields a ``bad-archive`` row where reading stopped.
"""

from __future__ import annotations

import gzip
import io
import logging
import lzma
import sys
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Final, cast

import zstandard

from mstoolkit.catalog.layout import (
    MAX_NODES,
    METADATA_NAMES,
    LayoutGraph,
    Refs,
    blob_path,
    refs_of,
    walk_refs,
)
from mstoolkit.catalog.schema import BlobError
from mstoolkit.catalog.units import Item, ItemsUnit, JsonlBlockUnit

__all__ = ["TAR_SUFFIXES", "ZSTD_SUFFIXES", "open_stream", "plan_compressed_jsonl", "plan_tar"]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)

TAR_SUFFIXES: Final = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.zstd")
ZSTD_SUFFIXES: Final = (".zst", ".zstd")
_READ_ERRORS: Final = (
    OSError, EOFError, tarfile.TarError, zlib.error, lzma.LZMAError, zstandard.ZstdError,
)


#: Compressed bytes handed to zstd at a time: zstd expands at most ~32,000-fold, so one step
#: of a hostile stream stays near 128 MiB while ordinary streams pay nothing measurable.
_ZSTD_STEP: Final = 4096


class _ZstdFrames(io.RawIOBase):
    """Every frame of a ``.zst`` stream, decompressed; a truncated last frame is an error.

    zstandard's ``stream_reader`` ends quietly at the end of its input even inside a frame,
    so a truncated dump would classify as fewer blobs with no error row. gzip raises
    ``EOFError`` there, and so does this reader (a ``bad-archive`` row, like gzip's).
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._dctx: Any = zstandard.ZstdDecompressor()
        self._frame: Any = self._dctx.decompressobj()
        self._in_frame = False
        self._out = bytearray()
        self._ended = False

    def readable(self) -> bool:
        return True

    def _feed(self, data: bytes) -> None:
        while data:
            step, data = data[:_ZSTD_STEP], data[_ZSTD_STEP:]
            self._in_frame = True
            self._out += self._frame.decompress(step)
            if self._frame.eof:  # the frame ended inside this step: the rest starts the next
                data = self._frame.unused_data + data
                self._frame = self._dctx.decompressobj()
                self._in_frame = False

    def _fill(self, want: int) -> None:
        while len(self._out) < want and not self._ended:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                self._ended = True
                if self._in_frame:
                    raise EOFError("zstd stream ended inside a frame (truncated file?)")
            self._feed(chunk)

    def read(self, size: int | None = -1) -> bytes:
        want = size if size is not None and size >= 0 else sys.maxsize
        self._fill(want)
        data = bytes(self._out[:want])
        del self._out[:want]
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_stream(path: str) -> Iterator[IO[bytes]]:
    """*path* decompressed by its suffix (``.gz``, ``.zst``/``.zstd``, else as is)."""
    lower = path.lower()
    if lower.endswith(ZSTD_SUFFIXES):
        with open(path, "rb") as raw, _ZstdFrames(raw) as reader:
            yield cast(IO[bytes], reader)
    elif lower.endswith((".gz", ".tgz")):
        with gzip.open(path, "rb") as handle:
            yield cast(IO[bytes], handle)
    else:
        with open(path, "rb") as handle:
            yield handle


@contextmanager
def _open_tar(path: str) -> Iterator[tarfile.TarFile]:
    if path.lower().endswith(ZSTD_SUFFIXES):
        with open_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            yield tar
    else:
        with tarfile.open(path, mode="r|*") as tar:
            yield tar


def _name(member: tarfile.TarInfo) -> str:
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _looks_like_manifest(data: bytes) -> bool:
    head = data.lstrip()[:1]
    return head == b"{" and (b'"manifests"' in data or b'"layers"' in data
                             or b'"config"' in data or b'"fsLayers"' in data)


def _first_pass(path: str, limit: int) -> tuple[bool, bool, LayoutGraph]:
    """Whether the tarball is an image layout, whether it is a docker-save archive, and
    its graph."""
    index: bytes | None = None
    saved: bytes | None = None
    layout = False
    refs: dict[str, Refs] = {}
    try:
        with _open_tar(path) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                name = _name(member)
                if name in METADATA_NAMES:
                    layout = True
                    handle = tar.extractfile(member)
                    data = handle.read(limit) if handle is not None else b""
                    if name == "index.json":
                        index = data
                    elif name == "manifest.json":
                        saved = data
                elif member.size <= limit and len(refs) < MAX_NODES:
                    handle = tar.extractfile(member)
                    data = handle.read() if handle is not None else b""
                    if _looks_like_manifest(data):
                        found = refs_of(data)
                        if found is not None and (found.children or found.leaves):
                            refs[name] = found
    except _READ_ERRORS as exc:
        _log.warning("%s: unreadable tarball (%s); classifying what can be read", path, exc)
    if not layout:
        return False, False, LayoutGraph()
    return True, saved is not None, walk_refs(index, saved, refs)


def _expected(name: str) -> str:
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "blobs" and blob_path(f"{parts[1]}:{parts[2]}") == name:
        return f"{parts[1]}:{parts[2]}"
    return ""


def _skipped(name: str, graph: LayoutGraph, *, docker_save: bool) -> bool:
    if name in METADATA_NAMES or name in graph.skip:
        return True
    # the legacy docker save format keeps v1 image JSON and a VERSION file per layer
    return docker_save and name.endswith(("/json", "/VERSION", "/layer.tar"))


def plan_tar(path: str, source: str, *, chunk_size: int, limit: int) -> Iterator[ItemsUnit]:
    """Units carrying the members of a tarball worth classifying (see the module doc)."""
    layout, docker_save, graph = _first_pass(path, limit)
    batch: list[Item] = []
    current = ""
    try:
        with _open_tar(path) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                name = current = _name(member)
                if layout and _skipped(name, graph, docker_save=docker_save):
                    continue
                hint = graph.hints.get(name, "")
                expected = _expected(name) if layout else ""
                if member.size > limit:
                    batch.append(Item(name, b"", hint=hint, error=BlobError.TOO_LARGE,
                                      size=member.size))
                else:
                    handle = tar.extractfile(member)
                    data = handle.read() if handle is not None else b""
                    batch.append(Item(name, data, hint=hint, expected=expected))
                if len(batch) >= chunk_size:
                    yield ItemsUnit(source, tuple(batch))
                    batch = []
    except _READ_ERRORS as exc:
        _log.warning("%s: unreadable tarball after %r (%s)", path, current, exc)
        batch.append(Item(current, b"", error=BlobError.BAD_ARCHIVE))
    if batch:
        yield ItemsUnit(source, tuple(batch))


def plan_compressed_jsonl(path: str, source: str, *, block_bytes: int,
                          limit: int) -> Iterator[JsonlBlockUnit | ItemsUnit]:
    """Blocks of whole lines of a compressed JSON Lines file, decompressed here."""
    first_line = 0
    pending = b""
    try:
        with open_stream(path) as stream:
            while True:
                chunk = stream.read(block_bytes)
                if not chunk:
                    break
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    pending = data
                    continue
                block, pending = data[:cut], data[cut:]
                yield JsonlBlockUnit(source, block, first_line, limit)
                first_line += block.count(b"\n")
    except _READ_ERRORS as exc:
        _log.warning("%s: unreadable compressed stream after line %d (%s)", path,
                     first_line, exc)
        yield ItemsUnit(source, (Item(str(first_line + 1), b"", error=BlobError.BAD_ARCHIVE),))
        return
    if pending:
        yield JsonlBlockUnit(source, pending, first_line, limit)
