"""LocalStore's file-level pieces: the writer of one ingest, the blob reader, the small file
operations whose order makes commits crash-safe (see :mod:`mstoolkit.content.local`), and the
one translation of ``OSError`` into the error hierarchy.

File-system failures never escape LocalStore as a bare ``OSError``: :func:`os_failure` (used
through :func:`os_errors`) maps them, chained to the ``OSError``, so that a notebook can tell
"retry later" from "fix the store":

* disk full (``ENOSPC``, ``EDQUOT``, ``EFBIG``) or an I/O error (``EIO``) →
  :class:`Unavailable` ("disk full while writing ref …"). A failed write is cut back to the
  last whole write, so the writer stays usable; a failed close or commit keeps the ingest,
  never a partial blob, for a later writer to resume or for ``LocalStore.abort``;
* ``EACCES``, ``EPERM``, ``EROFS`` → :class:`PermissionDenied`;
* a blob path holding something else (a directory, a dangling symlink, a symlink loop) →
  :class:`FailedPrecondition` saying the store is damaged and how to repair it (move the
  thing aside; ``LocalStore.reconcile()`` then drops its metadata, ``integrity_check()``
  checks the database). A commit meeting one keeps its ingest instead of reporting
  "already exists", which would have dropped the data;
* anything else → :class:`FailedPrecondition` quoting the ``OSError``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import stat as stat_mod
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from mstoolkit.content import _common as common
from mstoolkit.content.locks import RefLock
from mstoolkit.content.metadata import from_micros
from mstoolkit.content.protocols import Status
from mstoolkit.digest import Digest, DigestLike
from mstoolkit.errors import (
    FailedPrecondition,
    InvalidArgument,
    MstoolkitError,
    NotFound,
    PermissionDenied,
    Unavailable,
)

if TYPE_CHECKING:
    from mstoolkit.content.local import LocalStore

log = logging.getLogger("mstoolkit.content")

CHUNK = 1 << 20
READ_ONLY = ~0o333
NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)

#: The disk cannot take more now: retry once space is freed.
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: The operating system refuses: permissions, a read-only mount.
_DENIED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
#: Something that is not a blob file where one should be (a directory, a symlink loop).
_DAMAGED = frozenset({errno.EISDIR, errno.ENOTDIR, errno.ELOOP})

#: What an ingest's owner can do after a failed write, close or commit.
INGEST_KEPT = "the ingest is kept: open a writer for the ref again to resume, or abort it"

_REPAIR = (
    "move it aside; LocalStore(root).reconcile() then drops its metadata and "
    "integrity_check() checks the database"
)


def os_failure(exc: OSError, doing: str, *, hint: str = "") -> MstoolkitError:
    """The category of an ``OSError`` met while *doing* something, with a message saying
    what to do: ``Unavailable`` (disk full, I/O error: retry later), ``PermissionDenied``,
    or ``FailedPrecondition`` (the store is damaged, or anything else)."""
    tail = f"; {hint}" if hint else ""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in _NO_SPACE:
        return Unavailable(f"disk full while {doing}: {exc.strerror}{where}{tail}")
    if exc.errno == errno.EIO:
        return Unavailable(f"I/O error while {doing}: {exc.strerror}{where}{tail}")
    if exc.errno in _DENIED:
        return PermissionDenied(f"permission denied while {doing}: {exc.strerror}{where}{tail}")
    if exc.errno in _DAMAGED:
        return FailedPrecondition(
            f"content store damaged while {doing}: {exc.strerror}{where}; {_REPAIR}{tail}"
        )
    return FailedPrecondition(f"{doing} failed: {exc}{tail}")


@contextmanager
def os_errors(doing: str, *, hint: str = "") -> Iterator[None]:
    """Raise :func:`os_failure` for an ``OSError`` escaping the block (our own errors, some
    of which subclass ``OSError``, pass through)."""
    try:
        yield
    except MstoolkitError:
        raise
    except OSError as exc:
        raise os_failure(exc, doing, hint=hint) from exc


def damaged_blob(path: Path, doing: str) -> FailedPrecondition:
    """A blob path holding something other than a regular file (or a dangling symlink)."""
    return FailedPrecondition(
        f"content store damaged while {doing}: {path} is not a blob file; {_REPAIR}"
    )


class LocalWriter:
    """The writer of one ingest; holds the ref lock until close() or commit()."""

    def __init__(
        self,
        store: LocalStore,
        lock: RefLock,
        folder: Path,
        fd: int,
        hasher: hashlib._Hash,
        status: Status,
    ) -> None:
        self._store = store
        self._lock = lock
        self._folder = folder
        self._fd: int | None = fd
        self._hasher = hasher
        self._ref = status.ref
        self._offset = status.offset
        self._total = status.total
        self._expected = status.expected
        self._started_at = status.started_at
        self._updated_at = status.updated_at

    def __repr__(self) -> str:
        state = "closed" if self._fd is None else f"offset={self._offset}"
        return f"<LocalStore writer {self._ref!r} {state}>"

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._fd is None:
            raise FailedPrecondition(f"writer {self._ref!r} is closed")
        view = common.as_bytes(data)
        written = 0
        try:
            while written < len(view):
                written += os.write(self._fd, view[written:])
        except OSError as exc:
            self._rewind()
            raise os_failure(
                exc, f"writing ref {self._ref!r} at offset {self._offset}", hint=INGEST_KEPT
            ) from exc
        self._hasher.update(view)
        self._offset += written
        self._updated_at = self._store._clock()
        return written

    def _rewind(self) -> None:
        """Cut a partly written chunk off, so that the data file matches the hash again; if
        even that fails, close the writer (a resumed one re-hashes the file)."""
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, self._offset)
            os.lseek(self._fd, self._offset, os.SEEK_SET)
        except OSError as exc:
            log.warning("cannot rewind ingest %r after a failed write: %s", self._ref, exc)
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
            self._lock.release()

    def digest(self) -> Digest:
        return Digest(self._hasher.name, self._hasher.hexdigest())

    def status(self) -> Status:
        return Status(
            self._ref, self._offset, self._total, self._expected, self._started_at,
            self._updated_at,
        )

    def truncate(self, size: int) -> None:
        if size != 0:
            raise InvalidArgument("Truncate: unsupported size")
        if self._fd is None:
            raise FailedPrecondition(f"writer {self._ref!r} is closed")
        with os_errors(f"truncating ref {self._ref!r}", hint=INGEST_KEPT):
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
        self._hasher = hashlib.new(self._hasher.name)
        self._offset = 0
        self._updated_at = self._store._clock()

    def close(self) -> None:
        """Keep the ingest for a later writer and release the ref; closing twice is fine."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with os_errors(f"closing ref {self._ref!r}", hint=INGEST_KEPT):
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                write_text(self._folder / "updatedat", self._updated_at.isoformat())
        finally:
            self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            log.warning("writer %r was not closed; closing it", self._ref)
            with contextlib.suppress(OSError, MstoolkitError):
                self.close()

    def commit(
        self,
        size: int,
        expected: DigestLike | None,
        *,
        labels: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> None:
        """containerd's ``Commit``; the ref lock is released whatever happens."""
        try:
            if self._fd is None:
                raise FailedPrecondition("cannot commit on closed writer")
            try:
                size = common.check_size(size)
                want = common.expected_digest(expected)
                clean = common.clean_labels(labels)
            except MstoolkitError:
                self.close()
                raise
            with os_errors(f"committing ref {self._ref!r}", hint=INGEST_KEPT):
                self._commit(size, want, clean, reason)
        finally:
            self._lock.release()

    def _commit(self, size: int, want: Digest | None, labels: dict[str, str], reason: str) -> None:
        store = self._store
        fd, self._fd = self._fd, None
        assert fd is not None
        try:
            os.fsync(fd)
            st = os.fstat(fd)
            dgst = self.digest()
            common.check_committed(size, st.st_size, want, dgst)
            now = store._clock()
            os.fchmod(fd, stat_mod.S_IMODE(st.st_mode) & READ_ONLY)
            os.utime(fd, ns=(now_ns := ns_of(now), now_ns))
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                write_text(self._folder / "updatedat", self._updated_at.isoformat())
            raise
        os.close(fd)
        target = Path(store._blob_path(dgst))  # a str or a Path, as LocalStore builds it
        target.parent.mkdir(exist_ok=True)
        if not link_blob(self._folder / "data", target, doing=f"committing ref {self._ref!r}"):
            remove_dir(self._folder)
            store._meta.record_ingest_end(
                self._ref, dgst, st.st_size, started_at=self._started_at, at=now,
                outcome="already-exists", actor=store.actor(),
            )
            raise common.content_exists(dgst)
        fsync_dir(target.parent)
        remove_dir(self._folder)
        try:
            store._meta.record_commit(
                dgst, st.st_size, labels, at=now, reason=reason, actor=store.actor(),
                ref=self._ref, started_at=self._started_at, present=target.exists,
            )
        except MstoolkitError as exc:
            raise type(exc)(
                f"content {dgst} committed, but recording its labels failed: {exc}"
            ) from exc


class FileReaderAt:
    """Positional reads of one blob file (``os.pread``: no shared offset, thread-safe)."""

    def __init__(self, fd: int, name: str = "blob") -> None:
        self._fd: int | None = fd
        self._name = name
        self._size = os.fstat(fd).st_size

    @property
    def size(self) -> int:
        return self._size

    def read_at(self, n: int, offset: int) -> bytes:
        if self._fd is None:
            raise FailedPrecondition("reader is closed")
        if n < 0 or offset < 0:
            raise InvalidArgument(f"read_at needs n >= 0 and offset >= 0, got {n}, {offset}")
        if offset >= self._size or n == 0:
            return b""
        with os_errors(f"reading {self._name} at offset {offset}"):
            return os.pread(self._fd, min(n, self._size - offset), offset)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def ns_of(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000


def mtime_of(st: os.stat_result) -> datetime:
    return from_micros(st.st_mtime_ns // 1000)


def stat_blob(path: Path, doing: str) -> os.stat_result | None:
    """The blob file's stat, None when absent; anything else at its path is damage."""
    with os_errors(doing):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if os.path.lexists(path):
                raise damaged_blob(path, doing) from None
            return None
    if not stat_mod.S_ISREG(st.st_mode):
        raise damaged_blob(path, doing)
    return st


def link_blob(source: Path, target: Path, *, doing: str) -> bool:
    """Publish *source* at *target* unless a blob is already there; False if it was.

    Something else at *target* (a directory, a dangling symlink) is not "already there": that
    raises :func:`damaged_blob` and leaves *source* where it is.
    """
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        _check_is_blob(target, doing)
        return False
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
    # A file system without hard links: rename, accepting that two racing committers of the
    # same digest may both succeed (their bytes are identical).
    if os.path.lexists(target):
        _check_is_blob(target, doing)
        return False
    os.rename(source, target)
    return True


def _check_is_blob(target: Path, doing: str) -> None:
    try:
        regular = stat_mod.S_ISREG(os.stat(target).st_mode)
    except OSError:
        regular = False
    if not regular:
        raise damaged_blob(target, doing)


def copy_aside(data: Path) -> None:
    """Replace *data* by a private, writable copy of itself (breaking a hard link)."""
    tmp = data.with_name(f"data.{uuid.uuid4().hex}.tmp")
    with open(data, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    os.chmod(tmp, 0o644)
    os.replace(tmp, data)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_dir(folder: Path) -> bool:
    """Rename the ingest aside (atomic), then delete it; False when it did not exist."""
    aside = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}.tmp")
    try:
        os.rename(folder, aside)
    except FileNotFoundError:
        return False
    shutil.rmtree(aside, ignore_errors=True)
    return True


def write_text(path: Path, text: str) -> None:
    path.write_text(text, "utf-8", "surrogateescape")


def unlink_quiet(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def read_status(folder: Path) -> Status:
    """The status of the ingest in *folder* (its files, the data file's size and mtime)."""
    try:
        st = os.stat(folder / "data")
        ref = (folder / "ref").read_text("utf-8", "surrogateescape")
    except FileNotFoundError as exc:
        raise NotFound(f"ingest {folder.name}: {exc.strerror}") from exc
    except OSError as exc:
        raise os_failure(exc, f"reading ingest {folder.name}") from exc
    mtime = mtime_of(st)
    started = read_time(folder / "startedat") or mtime
    updated = max(read_time(folder / "updatedat") or mtime, mtime)
    total = read_int(folder / "total")
    raw_expected = read_str(folder / "expected")
    try:
        expected = Digest.parse(raw_expected) if raw_expected else None
    except InvalidArgument:
        expected = None
    return Status(ref, st.st_size, total, expected, started, updated)


def read_str(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace").strip()
    except OSError:
        return ""


def read_time(path: Path) -> datetime | None:
    raw = read_str(path)
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def read_int(path: Path) -> int:
    try:
        return max(int(read_str(path) or 0), 0)
    except ValueError:
        return 0
