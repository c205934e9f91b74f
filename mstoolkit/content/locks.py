"""Cross-process ingest ref locks: one ``flock``-ed file per ref, held while a writer is open.

containerd keeps its ref locks in a map inside the daemon, which is enough when the daemon is
the only process touching the store. Our stores are shared by notebook kernels and pool
workers, so the lock must live in the file system: ``flock(LOCK_EX | LOCK_NB)`` on
``ingest/<sha256 of ref>.lock``. The kernel drops the lock when its holder dies, so a
``kill -9`` never leaves a ref locked.

``flock`` locks belong to the open file description, so two writers in one process conflict
just like two processes do. The holder deletes the lock file on release; a locker therefore
checks, after locking, that the path still names the inode it locked (otherwise it locked a
file that was just deleted and retries). The holder writes ``<pid> <since>`` into the file so
that the loser's :class:`~mstoolkit.errors.Unavailable` says who holds the ref and for how
long. Not for NFS, whose ``flock`` emulation is per process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from datetime import datetime
from pathlib import Path

from mstoolkit.content._common import Clock, ref_locked, utcnow
from mstoolkit.errors import Unavailable

__all__ = ["RefLock", "lock_ref", "try_clear_stale"]

_ATTEMPTS = 32
_RECORD = 63


class RefLock:
    """A held ref lock; :meth:`release` is idempotent."""

    __slots__ = ("_fd", "path", "ref", "since")

    def __init__(self, path: Path, ref: str, fd: int, since: datetime) -> None:
        self.path = path
        self.ref = ref
        self.since = since
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Delete the lock file (while still holding it) and unlock."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if _same_file(fd, self.path):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __del__(self) -> None:
        # A writer dropped without close(): the lock must not outlive it.
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st_path = os.stat(path)
    except FileNotFoundError:
        return False
    st_fd = os.fstat(fd)
    return (st_fd.st_dev, st_fd.st_ino) == (st_path.st_dev, st_path.st_ino)


def _holder(fd: int) -> tuple[datetime | None, str]:
    try:
        raw = os.pread(fd, 256, 0).decode("utf-8", "replace").split()
        return datetime.fromisoformat(raw[1]), f"pid {raw[0]}"
    except (OSError, IndexError, ValueError):
        return None, ""


def lock_ref(path: Path, ref: str, *, clock: Clock = utcnow) -> RefLock:
    """Take the lock at *path* for *ref* or raise :class:`Unavailable` at once (never waits)."""
    for _ in range(_ATTEMPTS):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            since, holder = _holder(fd)
            os.close(fd)
            raise ref_locked(ref, since, holder, now=clock()) from None
        if not _same_file(fd, path):
            os.close(fd)  # locked a file its holder had just deleted; take the new one
            continue
        since = clock()
        # Fixed width instead of ftruncate: on ext4 a truncated file is flushed on close.
        os.pwrite(fd, f"{os.getpid()} {since.isoformat()}".ljust(_RECORD).encode() + b"\n", 0)
        return RefLock(path, ref, fd, since)
    raise Unavailable(f"ref {ref} locked (lock file keeps changing)")


def try_clear_stale(path: Path) -> bool:
    """Remove a lock file nobody holds (left by a killed process); False when it is held."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    lock = RefLock(path, "", fd, utcnow())
    lock.release()
    return True


def __dir__() -> list[str]:
    return sorted(__all__)
