"""LocalStore's file-level pieces: the writer of one ingest, the blob reader, and the small
file operations whose order makes commits crash-safe (see :mod:`mstoolkit.content.local`)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import stat as stat_mod
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from mstoolkit.content import _common as common
from mstoolkit.content.locks import RefLock
from mstoolkit.content.metadata import from_micros
from mstoolkit.content.protocols import Status
from mstoolkit.digest import Digest, DigestLike
from mstoolkit.errors import FailedPrecondition, InvalidArgument, MstoolkitError

if TYPE_CHECKING:
    from mstoolkit.content.local import LocalStore

log = logging.getLogger("mstoolkit.content")

CHUNK = 1 << 20
READ_ONLY = ~0o333
NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)


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
        while written < len(view):
            written += os.write(self._fd, view[written:])
        self._hasher.update(view)
        self._offset += written
        self._updated_at = self._store._clock()
        return written

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
            os.fsync(fd)
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
            with contextlib.suppress(OSError):
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
            write_text(self._folder / "updatedat", self._updated_at.isoformat())
            raise
        os.close(fd)
        target = store._blob_path(dgst)
        target.parent.mkdir(exist_ok=True)
        if not link_blob(self._folder / "data", target):
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

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd
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


def link_blob(source: Path, target: Path) -> bool:
    """Publish *source* at *target* unless a blob is already there; False if it was."""
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
    # A file system without hard links: rename, accepting that two racing committers of the
    # same digest may both succeed (their bytes are identical).
    if target.exists():
        return False
    os.rename(source, target)
    return True


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
