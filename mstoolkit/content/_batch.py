"""LocalStore's group commit: many small blobs made durable with the syncs paid once.

See :func:`commit_batch`. It reuses the file-level pieces of :mod:`._localfs` (the
``OSError`` mapping, :func:`link_blob`'s refusal to replace a blob, the damage checks), so
that a batch and a writer fail the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mstoolkit.content import _common as common
from mstoolkit.content._localfs import _check_is_blob, link_blob, ns_of, os_errors, stat_blob
from mstoolkit.content.metadata import BatchCommit
from mstoolkit.content.protocols import BlobPut
from mstoolkit.digest import Digest
from mstoolkit.errors import MstoolkitError

if TYPE_CHECKING:
    from mstoolkit.content.local import LocalStore

__all__ = ["commit_batch"]


def commit_batch(store: LocalStore, puts: Sequence[BlobPut]) -> list[MstoolkitError | None]:
    """:meth:`LocalStore.commit_many`: every blob written, synced, published, then labelled.

    The order is the single commit's, done for all blobs at once: each blob goes to an
    unnamed file (``O_TMPFILE`` in its ``blobs/<alg>`` folder: a kill leaves nothing behind,
    and no ingest folder, ref lock or name is created and removed per blob), every file is
    made read-only, dated and fsynced, then each is linked to its name (``linkat``, which
    refuses an existing blob as ``link`` does), each folder is fsynced once, and one SQLite
    transaction writes every blob's rows. Where ``O_TMPFILE`` is unsupported the files are
    named inside one ``ingest/<uuid>.tmp`` folder that a reopen sweeps up after a kill.
    """
    results: list[MstoolkitError | None] = [None] * len(puts)
    now = store._clock()
    now_ns = ns_of(now)
    staged: list[_Staged] = []
    linked: list[_Staged] = []
    folders: dict[str, int] = {}
    spare: Path | None = None
    try:
        for i, put in enumerate(puts):
            try:
                want, labels = common.check_put(put)
            except MstoolkitError as exc:
                results[i] = exc
                continue
            target = Path(store._blob_path(want))
            with os_errors(f"committing {want}"):
                if stat_blob(target, f"committing {want}") is not None:
                    results[i] = common.content_exists(want)
                    continue
                folder = str(target.parent)
                if folder not in folders:
                    target.parent.mkdir(exist_ok=True)
                    folders[folder] = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
                fd, path = _unnamed(folders[folder], store, spare)
                if path is not None:
                    spare = path.parent
                staged.append(_Staged(i, want, labels, put, target, fd, path))
                _write_all(fd, bytes(put.data))
                os.fchmod(fd, 0o444)
                os.utime(fd, ns=(now_ns, now_ns))
        with os_errors("syncing a batch of blobs"):
            for item in staged:
                os.fsync(item.fd)
        for item in staged:
            doing = f"committing {item.digest}"
            try:
                with os_errors(doing):
                    published = _publish(item, folders[str(item.target.parent)], doing)
            except MstoolkitError as exc:
                results[item.index] = exc
                continue
            if published:
                linked.append(item)
            else:
                results[item.index] = common.content_exists(item.digest)
        with os_errors("syncing the blob folders"):
            for dir_fd in folders.values():
                os.fsync(dir_fd)
    finally:
        for item in staged:
            with contextlib.suppress(OSError):
                os.close(item.fd)
        for dir_fd in folders.values():
            os.close(dir_fd)
        if spare is not None:
            shutil.rmtree(spare, ignore_errors=True)
    if not linked:
        return results
    commits = [
        BatchCommit(
            item.digest, len(item.put.data), item.labels, item.put.reason,
            item.put.ref or f"batch-{item.digest}",
        )
        for item in linked
    ]
    try:
        store._meta.record_commits(
            commits, at=now, actor=store.actor(),
            present=lambda d: os.path.exists(store._blob_path(d)),
        )
    except MstoolkitError as exc:
        raise type(exc)(
            f"{len(linked)} blobs committed, but recording their labels failed: {exc}"
        ) from exc
    return results


@dataclass(frozen=True, slots=True)
class _Staged:
    index: int
    digest: Digest
    labels: dict[str, str]
    put: BlobPut
    target: Path
    fd: int
    path: Path | None  # None: an O_TMPFILE file, published by linkat through /proc


def _unnamed(dir_fd: int, store: LocalStore, spare: Path | None) -> tuple[int, Path | None]:
    """A new file that no name reaches yet: O_TMPFILE, else a name in a private folder."""
    if spare is None:
        if os.path.isdir(_PROC_FDS):
            try:
                flags = os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC
                return os.open(".", flags, 0o600, dir_fd=dir_fd), None
            except (OSError, AttributeError) as exc:
                if isinstance(exc, OSError) and exc.errno not in _NO_TMPFILE:
                    raise
        spare = store._ingest / f"{uuid.uuid4().hex}.tmp"
        spare.mkdir()
    path = spare / uuid.uuid4().hex
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), path


#: Where an unnamed file gets its name from (``linkat`` follows the descriptor's link); without
#: it (no /proc mounted) the batch names its files in a private folder instead.
_PROC_FDS = "/proc/self/fd"
#: What ``open(O_TMPFILE)`` says where the file system or the kernel lacks it.
_NO_TMPFILE = frozenset({errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT})


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    written = 0
    while written < len(view):
        written += os.write(fd, view[written:])


def _publish(item: _Staged, dir_fd: int, doing: str) -> bool:
    """Give a staged file its blob name; False if a blob is there already."""
    if item.path is not None:
        return link_blob(item.path, item.target, doing=doing)
    try:
        os.link(f"{_PROC_FDS}/{item.fd}", item.target.name, dst_dir_fd=dir_fd)
    except FileExistsError:
        _check_is_blob(item.target, doing)
        return False
    return True


def __dir__() -> list[str]:
    return sorted(__all__)
