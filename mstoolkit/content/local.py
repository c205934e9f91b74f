"""LocalStore: containerd's local content store on disk, shared safely between processes.

Layout under *root* (also a valid OCI image layout)::

    oci-layout                      {"imageLayoutVersion":"1.0.0"}
    blobs/<alg>/<hex>               committed blobs, read-only
    ingest/<sha256(ref)>/           one unfinished write: data, ref, startedat, updatedat,
                                    total, expected
    ingest/<sha256(ref)>.lock       the ref's lock file, present while a writer holds it
    metadata.db                     SQLite (WAL): labels, label history, ingest and fetch logs

Crash safety, in commit order: the ingest data is fsynced and made read-only, then *hard
linked* to ``blobs/<alg>/<hex>`` (atomic, and unlike ``rename`` it refuses to replace an
existing blob, so exactly one of several racing committers wins), the directory is fsynced, the
ingest is removed (renamed aside, then deleted), and only then are the labels written, in one
SQLite transaction. A ``kill -9`` anywhere leaves a complete blob or none, and an ingest that
a new writer resumes (re-hashing its data) or that :meth:`LocalStore.abort` removes.

The blob files are the truth; metadata only annotates them:

* a blob with no metadata row (killed between link and transaction, or a store filled by
  another tool) is a valid blob: :meth:`info` reports its size and mtime and no labels;
* a row whose blob file is gone (killed between unlink and transaction) is ignored by every
  read, and dropped, with ``label_history`` rows whose reason is ``"reconcile: blob
  missing"``, when the store is opened (``reconcile=True``) or the digest is committed again.

Failures of the file system never escape as a bare ``OSError``: disk full or I/O errors are
:class:`Unavailable` (the ingest stays resumable), permission problems
:class:`PermissionDenied`, a directory or dangling symlink where a blob should be a
:class:`FailedPrecondition` naming the repair; the one mapping and its rules are in
``mstoolkit.content._localfs``.

Differences from containerd, on purpose: ``abort`` of a ref that a writer holds raises
:class:`Unavailable` instead of pulling the ingest from under it; ``delete`` of a missing blob
raises :class:`NotFound` (as containerd's metadata store does).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat as stat_mod
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Self

from mstoolkit.content import _common as common
from mstoolkit.content._batch import commit_batch
from mstoolkit.content._localfs import (
    CHUNK,
    INGEST_KEPT,
    FileReaderAt,
    LocalWriter,
    copy_aside,
    damaged_blob,
    mtime_of,
    os_errors,
    read_status,
    remove_dir,
    stat_blob,
    unlink_quiet,
    write_text,
)
from mstoolkit.content.filters import AnyOf, adapt_info, adapt_status, parse_all
from mstoolkit.content.locks import RefLock, lock_ref, try_clear_stale
from mstoolkit.content.metadata import BlobRow, Metadata, known_digest
from mstoolkit.content.protocols import (
    BlobPut,
    FetchRecord,
    Info,
    IngestRecord,
    LabelChange,
    LabelTransform,
    Status,
)
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import ALGORITHMS, Digest, DigestLike, as_digest
from mstoolkit.errors import (
    FailedPrecondition,
    InvalidArgument,
    MstoolkitError,
    NotFound,
)

__all__ = ["LocalStore", "OCI_LAYOUT"]

log = logging.getLogger("mstoolkit.content")

#: The ``oci-layout`` file's content.
OCI_LAYOUT = {"imageLayoutVersion": "1.0.0"}

_HEX = re.compile(r"[a-f0-9]+").fullmatch
_NO_LABELS: Mapping[str, str] = MappingProxyType({})


def _root_path(root: str | os.PathLike[str]) -> Path:
    """*root* made absolute, refused when the OS cannot name it (a NUL byte, a lone surrogate
    that stands for no byte: ValueError and UnicodeEncodeError from every os call)."""
    path = Path(root).expanduser().absolute()
    try:
        encoded = os.fsencode(path)
    except UnicodeEncodeError as exc:
        raise InvalidArgument(f"content store root {str(path)!r} is not a valid path") from exc
    if b"\0" in encoded:
        raise InvalidArgument(f"content store root {str(path)!r} contains a NUL byte")
    return path


def _make_dirs(path: Path) -> None:
    """``mkdir -p`` without recursion (``Path.mkdir(parents=True)`` recurses once per missing
    parent: a 2000-level root raised RecursionError)."""
    missing: list[Path] = []
    while not path.is_dir() and path.parent != path:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)


class LocalStore:
    """A content store in a directory, safe for many threads and processes at once."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        actor: str | None = None,
        clock: common.Clock = common.utcnow,
        reconcile: bool = True,
        busy_timeout: float = 30.0,
    ) -> None:
        self.root = _root_path(root)
        self._actor = actor
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._blobs = self.root / "blobs"
        self._ingest = self.root / "ingest"
        self._blobs_str = str(self._blobs)
        with os_errors(f"opening content store {self.root}"):
            try:
                _make_dirs(self._blobs)
                self._ingest.mkdir(exist_ok=True)
            except (FileExistsError, NotADirectoryError) as exc:
                raise InvalidArgument(
                    f"content store root {self.root} is not a directory"
                ) from exc
            self._check_layout()
        self._meta = Metadata(self.root / "metadata.db", timeout=busy_timeout)
        if reconcile:
            self.reconcile()

    def _check_layout(self) -> None:
        path = self.root / "oci-layout"
        try:
            layout = json.loads(path.read_bytes())
        except FileNotFoundError:
            tmp = path.with_name(f"oci-layout.{uuid.uuid4().hex}.tmp")
            tmp.write_text(json.dumps(OCI_LAYOUT, separators=(",", ":")))
            os.replace(tmp, path)
            return
        except (OSError, ValueError) as exc:
            raise FailedPrecondition(f"{path}: unreadable oci-layout file ({exc})") from exc
        if not isinstance(layout, dict) or layout.get("imageLayoutVersion") != "1.0.0":
            raise FailedPrecondition(
                f"{path}: unsupported OCI layout {layout!r}; expected {OCI_LAYOUT}"
            )

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Close this process's database connection (the store stays usable: it reopens)."""
        self._meta.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pool workers reopen the store from its root; they skip the reconcile the parent did.
        return (_reopen, (str(self.root), self._actor, self._busy_timeout))

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def actor(self) -> str:
        return self._actor or common.default_actor()

    def reconcile(self) -> int:
        """Drop metadata of missing blobs, leftover ``*.tmp`` ingest dirs and stale lock files.

        Runs on open; returns the number of blobs whose metadata was dropped.
        """
        with os_errors(f"reconciling content store {self.root}"):
            for entry in os.scandir(self._ingest):
                if entry.name.endswith(".tmp"):
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif entry.name.endswith(".lock"):
                    try_clear_stale(Path(entry.path))
        return self._meta.reconcile(
            lambda d: self._blob_path(Digest.parse(d)).exists(),
            at=self._clock(),
            actor=self.actor(),
        )

    # -- paths ---------------------------------------------------------------------------

    def _blob_path(self, digest: Digest) -> Path:
        # Digest has validated algorithm and hex, so the path cannot leave blobs/.
        return self._blobs / digest.algorithm / digest.encoded

    def _blob_file(self, digest: Digest) -> str:
        # _blob_path as a str, for the per-blob read paths: pathlib costs ~3 µs a path.
        return f"{self._blobs_str}/{digest.algorithm}/{digest.encoded}"

    def _ingest_dir(self, ref: str) -> Path:
        return self._ingest / hashlib.sha256(ref.encode("utf-8", "surrogatepass")).hexdigest()

    # -- Provider ------------------------------------------------------------------------

    def info(self, digest: DigestLike) -> Info:
        dgst = as_digest(digest)
        st = self._stat(dgst)
        if st is None:
            raise common.content_not_found(dgst)
        row = self._meta.blob(dgst)
        mtime = mtime_of(st)
        return Info(dgst, st.st_size, row.created_at or mtime, row.updated_at or mtime, row.labels)

    def read(self, digest: DigestLike) -> bytes:
        dgst = as_digest(digest)
        with os_errors(f"reading content {dgst}"):
            fd, st = self._open_regular(dgst)
            try:
                return _read_all(os.read, fd, st.st_size)
            finally:
                os.close(fd)

    def reader_at(self, digest: DigestLike) -> FileReaderAt:
        dgst = as_digest(digest)
        with os_errors(f"reading content {dgst}"):
            fd = self._open_blob(dgst)
            try:
                return FileReaderAt(fd, f"content {dgst}")
            except BaseException:
                os.close(fd)
                raise

    def _open_blob(self, dgst: Digest) -> int:
        """A descriptor of the blob file, refused unless it is a regular file."""
        return self._open_regular(dgst)[0]

    def _open_regular(self, dgst: Digest) -> tuple[int, os.stat_result]:
        """A descriptor of the blob file and its stat, refused unless it is a regular file.

        Something else swapped in at the path (a FIFO, a link to ``/dev/zero``) would block
        the open, or be read until memory runs out: O_NONBLOCK opens it at once, and fstat
        on the descriptor (not the path) decides.
        """
        try:
            fd = os.open(self._blob_file(dgst), os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError as exc:
            raise self._missing(dgst) from exc
        try:
            st = os.fstat(fd)
            if not stat_mod.S_ISREG(st.st_mode):
                raise damaged_blob(self._blob_path(dgst), f"reading content {dgst}")
        except BaseException:
            os.close(fd)
            raise
        return fd, st

    def _stat(self, digest: Digest) -> os.stat_result | None:
        return stat_blob(self._blob_path(digest), f"looking up content {digest}")

    def _missing(self, digest: Digest) -> FailedPrecondition | NotFound:
        path = self._blob_path(digest)
        if os.path.lexists(path):
            return damaged_blob(path, f"reading content {digest}")
        return common.content_not_found(digest)

    # -- Manager -------------------------------------------------------------------------

    def update(self, info: Info, *fieldpaths: str, reason: str = "") -> Info:
        if not isinstance(info, Info):
            raise InvalidArgument(f"update needs an Info, not {type(info).__name__}")
        dgst = info.digest
        size, created, updated, labels = self._meta.update_labels(
            dgst,
            lambda current: common.planned_labels(dgst, current, info.labels, fieldpaths),
            at=self._clock(),
            reason=reason,
            actor=self.actor(),
            stat=lambda: self._stat(dgst),
        )
        return Info(dgst, size, created, updated, labels)

    def update_label(
        self, digest: DigestLike, key: str, transform: LabelTransform, *, reason: str = ""
    ) -> Info:
        """Set the label *key* to ``transform(current value or None)`` in one transaction.

        The read, *transform* and the write (history row included) share one SQLite
        ``BEGIN IMMEDIATE``, so processes appending to one label cannot lose each other's
        values. ``None`` or ``""`` removes the label; an unchanged value writes nothing.
        """
        dgst = as_digest(digest)
        size, created, updated, labels = self._meta.update_labels(
            dgst,
            lambda current: common.transformed_labels(current, key, transform),
            at=self._clock(),
            reason=reason,
            actor=self.actor(),
            stat=lambda: self._stat(dgst),
            touch=False,
        )
        return Info(dgst, size, created, updated, labels)

    def walk(self, *filters: str) -> Iterator[Info]:
        """Every blob matching any of *filters* (containerd syntax), in path order.

        Filters are parsed before the first blob is read, so a bad filter raises here.
        """
        matcher = parse_all(*filters)
        return self._walk(matcher)

    def _walk(self, matcher: AnyOf) -> Iterator[Info]:
        rows = self._meta.snapshot()
        stat, is_reg = os.stat, stat_mod.S_ISREG
        everything = not matcher.parts  # no filter: skip building an adaptor per blob
        for algorithm, dir_fd, names in self._listing():
            for name in names:
                try:
                    st = stat(name, dir_fd=dir_fd)
                except OSError:
                    st = None
                if st is None or not is_reg(st.st_mode):
                    # Gone, damaged or unreadable: the path-based lookup logs or raises it.
                    yield from self._walk_one(matcher, rows, algorithm, name)
                    continue
                info = _info_of(known_digest(algorithm, name), st,
                                rows.get(f"{algorithm}:{name}"))
                if everything or matcher.match(adapt_info(info)):
                    yield info

    def iter_blobs(
        self, *filters: str, limit: int | None = None
    ) -> Iterator[tuple[Info, bytes | None]]:
        """``walk(*filters)`` with each blob's bytes: the bulk reader of ``Catalog``.

        The same blobs, infos and order as :meth:`walk`. The bytes are ``None`` when the blob
        is larger than *limit* or could not be read here (gone since the listing, or some
        other trouble): the caller then calls :meth:`read`, which reports it as usual. Each
        blob is opened relative to a descriptor of its folder and its size taken from the
        open descriptor, three system calls for a small blob instead of a ``stat`` and an
        ``open`` of the full path each.
        """
        matcher = parse_all(*filters)
        return self._iter_blobs(matcher, limit)

    def _iter_blobs(
        self, matcher: AnyOf, limit: int | None
    ) -> Iterator[tuple[Info, bytes | None]]:
        rows = self._meta.snapshot()
        open_, fstat, read, close = os.open, os.fstat, os.read, os.close
        flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
        is_reg = stat_mod.S_ISREG
        everything = not matcher.parts
        for algorithm, dir_fd, names in self._listing():
            for name in names:
                try:
                    fd = open_(name, flags, dir_fd=dir_fd)
                except OSError:
                    fd = -1
                if fd < 0:
                    # Not openable here: walk() decides whether it is listed, read() how
                    # its bytes fail.
                    for info in self._walk_one(matcher, rows, algorithm, name):
                        yield info, None
                    continue
                data: bytes | None = None
                try:
                    st = fstat(fd)
                    if not is_reg(st.st_mode):
                        close(fd)
                        fd = -1
                        for info in self._walk_one(matcher, rows, algorithm, name):
                            yield info, None
                        continue
                    info = _info_of(known_digest(algorithm, name), st,
                                    rows.get(f"{algorithm}:{name}"))
                    if not (everything or matcher.match(adapt_info(info))):
                        continue
                    size = st.st_size
                    if limit is None or size <= limit:
                        data = _read_all(read, fd, size)
                finally:
                    if fd >= 0:
                        close(fd)
                yield info, data

    def _walk_one(
        self, matcher: AnyOf, rows: dict[str, BlobRow], algorithm: str, name: str
    ) -> Iterator[Info]:
        """walk()'s path-based handling of one blob: nothing (gone), a logged error (damaged:
        one bad entry must not hide the others), or its Info; other errors raise."""
        dgst = known_digest(algorithm, name)
        try:
            st = self._stat(dgst)
        except FailedPrecondition as exc:
            log.error("%s", exc)
            return
        if st is None:
            return
        info = _info_of(dgst, st, rows.get(str(dgst)))
        if matcher.match(adapt_info(info)):
            yield info

    def _listing(self) -> Iterator[tuple[str, int, list[str]]]:
        """``(algorithm, folder descriptor, blob names)`` per algorithm, in path
        order; names that are not a digest's hex are logged and left out."""
        for algorithm, length in sorted(ALGORITHMS.items()):
            folder = os.path.join(self._blobs, algorithm)
            with os_errors(f"listing {folder}"):
                try:
                    names = sorted(os.listdir(folder))
                except FileNotFoundError:
                    continue
                dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                good = []
                for name in names:
                    if len(name) == length and _HEX(name):
                        good.append(name)
                    else:
                        log.error("invalid digest for blob path %s",
                                  os.path.join(folder, name))
                yield algorithm, dir_fd, good
            finally:
                os.close(dir_fd)

    def delete(self, digest: DigestLike, *, reason: str = "") -> None:
        dgst = as_digest(digest)
        path = self._blob_path(dgst)
        with os_errors(f"deleting content {dgst}"):
            try:
                os.unlink(path)
            except FileNotFoundError as exc:
                raise common.content_not_found(dgst) from exc
        self._meta.record_delete(
            dgst,
            at=self._clock(),
            reason=reason,
            actor=self.actor(),
            gone=lambda: not path.exists(),
        )

    # -- Ingester ------------------------------------------------------------------------

    def writer(self, ref: str, *, expected: Descriptor | None = None) -> LocalWriter:
        """Open (or resume) the ingest *ref*; see the module docstring for the checks' order."""
        common.check_ref(ref)
        if expected is not None and not isinstance(expected, Descriptor):
            raise InvalidArgument(f"expected must be a Descriptor, not {type(expected).__name__}")
        folder = self._ingest_dir(ref)
        with os_errors(f"opening a writer for ref {ref!r}", hint=INGEST_KEPT):
            lock = lock_ref(folder.with_name(folder.name + ".lock"), ref, clock=self._clock)
            try:
                return self._open_writer(ref, folder, expected, lock)
            except BaseException:
                lock.release()
                raise

    def _open_writer(
        self, ref: str, folder: Path, expected: Descriptor | None, lock: RefLock
    ) -> LocalWriter:
        if expected is not None and self._stat(expected.digest) is not None:
            raise common.content_exists(expected.digest)
        total = expected.size if expected is not None and expected.size > 0 else 0
        algorithm = expected.digest.algorithm if expected is not None else "sha256"
        want = expected.digest if expected is not None else None
        hasher = hashlib.new(algorithm)
        data = folder / "data"
        resumed = None
        try:
            folder.mkdir()
        except FileExistsError:
            resumed = self._resume(ref, folder, total, want, hasher)
        now = self._clock()
        if resumed is None:
            hasher = hashlib.new(algorithm)
            write_text(folder / "ref", ref)
            write_text(folder / "startedat", now.isoformat())
            write_text(folder / "updatedat", now.isoformat())
            extras = (("total", str(total) if total else ""), ("expected", str(want or "")))
            for name, value in extras:
                if value:
                    write_text(folder / name, value)
                else:
                    unlink_quiet(folder / name)
            status = Status(ref, 0, total, want, now, now)
            unlink_quiet(data)  # never truncate in place: data may be a committed blob's inode
        else:
            status = resumed
        fd = os.open(data, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        os.lseek(fd, status.offset, os.SEEK_SET)
        return LocalWriter(self, lock, folder, fd, hasher, status)

    def _resume(
        self, ref: str, folder: Path, total: int, want: Digest | None, hasher: hashlib._Hash
    ) -> Status | None:
        """The status of a resumable ingest with *hasher* fed its data, or None to start over."""
        try:
            status = read_status(folder)
        except (NotFound, FailedPrecondition) as exc:
            log.info("cannot resume ingest %s (%s); starting over", folder, exc)
            return None
        if status.ref != ref:
            log.warning("ingest %s holds ref %r, not %r; starting over", folder, status.ref, ref)
            return None
        if total > 0 and status.total > 0 and total != status.total:
            log.info("ingest %r: total %d differs from %d; starting over", ref, total, status.total)
            return None
        data = folder / "data"
        if os.stat(data).st_nlink > 1:
            # Killed between linking the blob and removing the ingest: data *is* the blob's
            # inode. Writing to it would corrupt the blob, so give the ingest its own copy.
            copy_aside(data)
        elif not os.access(data, os.W_OK):
            os.chmod(data, 0o644)  # killed after making it read-only, before linking it
        offset = 0
        with open(data, "rb") as fh:
            while chunk := fh.read(CHUNK):
                hasher.update(chunk)
                offset += len(chunk)
        if want is not None:
            write_text(folder / "expected", str(want))
        if total > 0 and status.total == 0:
            write_text(folder / "total", str(total))
        return Status(
            ref, offset, status.total or total, want or status.expected,
            status.started_at, status.updated_at,
        )

    # -- IngestManager -------------------------------------------------------------------

    def status(self, ref: str) -> Status:
        folder = self._ingest_dir(common.check_ref_type(ref))
        status = read_status(folder)
        if status.ref != ref:
            raise common.ingest_not_found(ref)
        return status

    def list_statuses(self, *filters: str) -> list[Status]:
        matcher = parse_all(*filters)
        out = []
        with os_errors(f"listing {self._ingest}"):
            entries = sorted(os.listdir(self._ingest))
        for entry in entries:
            if len(entry) != 64 or not entry.isalnum():
                continue
            try:
                status = read_status(self._ingest / entry)
            except (NotFound, FailedPrecondition):
                continue  # being committed or aborted right now, or not yet set up
            if matcher.match(adapt_status(status)):
                out.append(status)
        return out

    def abort(self, ref: str) -> None:
        folder = self._ingest_dir(common.check_ref_type(ref))
        with os_errors(f"aborting ref {ref!r}"):
            lock = lock_ref(folder.with_name(folder.name + ".lock"), ref, clock=self._clock)
        try:
            try:
                status: Status | None = read_status(folder)
            except (NotFound, FailedPrecondition):
                status = None
            with os_errors(f"aborting ref {ref!r}"):
                removed = remove_dir(folder)
            if not removed:
                raise common.ingest_not_found(ref)
            self._meta.record_ingest_end(
                ref, None, status.offset if status else 0,
                started_at=status.started_at if status else None,
                at=self._clock(), outcome="aborted", actor=self.actor(),
            )
        finally:
            lock.release()

    # -- history and logs ----------------------------------------------------------------

    def label_history(
        self, digest: DigestLike | None = None, key: str | None = None
    ) -> list[LabelChange]:
        return self._meta.label_history(as_digest(digest) if digest is not None else None, key)

    def label_spans(self) -> dict[str, tuple[datetime, datetime]]:
        """Each digest's first and last label change, as ``label_history()`` would give them
        (its oldest and newest ``at``) without a LabelChange per row: for ``Catalog``."""
        return self._meta.label_spans()

    def record_fetch(self, rec: FetchRecord) -> None:
        if not isinstance(rec, FetchRecord):
            raise InvalidArgument(f"record_fetch needs a FetchRecord, not {type(rec).__name__}")
        self._meta.record_fetch(rec)

    def fetch_log(self) -> list[FetchRecord]:
        return self._meta.fetch_log()

    def logged_references(self, registry: str, outcomes: Sequence[str]) -> set[tuple[str, str]]:
        """The (repository, reference) pairs of *registry* that the fetch log holds a row
        with a digest and one of *outcomes* for (one SQL query, however long the log)."""
        return self._meta.logged_references(registry, tuple(outcomes))

    def ingest_log(self) -> list[IngestRecord]:
        """How past ingests ended (committed, already-exists, aborted), oldest first."""
        return self._meta.ingest_log()

    def integrity_check(self) -> str:
        """SQLite's integrity check of ``metadata.db`` (``"ok"`` when sound)."""
        return self._meta.integrity_check()

    # -- batches (group commit) ----------------------------------------------------------

    def commit_many(self, puts: Sequence[BlobPut], /) -> list[MstoolkitError | None]:
        """Commit many small blobs at once; see :class:`BatchCommitter` for the answer.

        Each blob is as durable at return as after :meth:`LocalWriter.commit`, and a kill at
        any instant leaves each blob complete or invisible, but the syncs and the metadata
        transaction are paid once per batch instead of once per blob (an audit commits
        thousands of 1-KB manifests). No writer is involved: nothing is resumable, and a
        blob already held is reported, not relabelled. The steps are in
        :func:`mstoolkit.content._batch.commit_batch`.
        """
        return commit_batch(self, puts)

    def record_fetches(self, recs: Sequence[FetchRecord], /) -> None:
        """:meth:`record_fetch` for many records, in one transaction."""
        bad = [type(rec).__name__ for rec in recs if not isinstance(rec, FetchRecord)]
        if bad:
            raise InvalidArgument(f"record_fetches needs FetchRecord values, not {bad[0]}")
        self._meta.record_fetches(recs)


def _info_of(dgst: Digest, st: os.stat_result, row: BlobRow | None) -> Info:
    """The Info of a listed blob from its stat and metadata row (labels already frozen, str
    to str, by :meth:`Metadata.snapshot`), without ``Info.__init__``'s re-checks."""
    info = object.__new__(Info)
    setattr_ = object.__setattr__
    setattr_(info, "digest", dgst)
    setattr_(info, "size", st.st_size)
    if row is None:
        mtime = mtime_of(st)
        setattr_(info, "created_at", mtime)
        setattr_(info, "updated_at", mtime)
        setattr_(info, "labels", _NO_LABELS)
        return info
    created, updated = row.created_at, row.updated_at
    if created is None or updated is None:
        mtime = mtime_of(st)
        created, updated = created or mtime, updated or mtime
    setattr_(info, "created_at", created)
    setattr_(info, "updated_at", updated)
    setattr_(info, "labels", row.labels or _NO_LABELS)
    return info


def _read_all(read: Callable[[int, int], bytes], fd: int, size: int) -> bytes:
    """The file's bytes to its end in one ``read`` when *size* (from fstat) is right, as it
    is for a blob (read-only once committed): a short read of a regular file is its end."""
    data = read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]
    while chunk := read(fd, CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _reopen(root: str, actor: str | None, busy_timeout: float) -> LocalStore:
    return LocalStore(root, actor=actor, busy_timeout=busy_timeout, reconcile=False)


def __dir__() -> list[str]:
    return sorted(__all__)
