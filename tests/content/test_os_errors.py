"""LocalStore maps file-system failures into the error hierarchy and loses no data."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mstoolkit.content import LocalStore
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import FailedPrecondition, NotFound, PermissionDenied, Unavailable

pytestmark = pytest.mark.usefixtures("no_ingest_left")

DATA = b"0123456789" * 100
DIGEST = Digest.from_bytes(DATA)
DAMAGED = r"content store damaged .*reconcile\(\)"


def failing(real: Callable[..., Any], code: int, *, after: int = 0) -> Callable[..., Any]:
    """*real*, raising OSError(code) from its call number *after* + 1 on."""
    calls = [0]

    def fake(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] > after:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    return fake


def ingest_data(store: LocalStore, ref: str) -> Path:
    """The ingest's data file, by the layout the LocalStore module documents."""
    return store.root / "ingest" / hashlib.sha256(ref.encode()).hexdigest() / "data"


def blob_files(store: LocalStore) -> list[str]:
    folder = store.root / "blobs" / "sha256"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_disk_full_mid_write_is_unavailable_and_the_writer_goes_on(
    make_local_store: Callable[..., LocalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC after part of a chunk is written: Unavailable naming the ref, the partial bytes
    are cut off, and the same writer commits the right digest once space is back."""
    store = make_local_store()
    writer = store.writer("full")
    writer.write(DATA[:300])
    real_write = os.write
    with monkeypatch.context() as patch:
        # One short write of 7 bytes goes through, then the disk is full.
        short = failing(lambda fd, data: real_write(fd, bytes(data[:7])), errno.ENOSPC, after=1)
        patch.setattr(os, "write", short)
        with pytest.raises(Unavailable, match=r"^disk full while writing ref 'full'") as info:
            writer.write(DATA[300:600])
    assert isinstance(info.value.__cause__, OSError)
    assert "resume" in str(info.value)
    assert writer.status().offset == 300
    assert ingest_data(store, "full").stat().st_size == 300
    writer.write(DATA[300:])
    writer.commit(len(DATA), DIGEST)
    assert store.read(DIGEST) == DATA


def test_disk_full_then_close_resumes_in_a_new_writer(
    make_local_store: Callable[..., LocalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that hit ENOSPC can be closed and a later writer resumes at the last whole
    write and commits the right bytes."""
    store = make_local_store()
    with store.writer("resume-me") as writer:
        writer.write(DATA[:500])
        with monkeypatch.context() as patch:
            patch.setattr(os, "write", failing(os.write, errno.EDQUOT))
            with pytest.raises(Unavailable, match="disk full"):
                writer.write(DATA[500:])
    assert store.status("resume-me").offset == 500
    with store.writer("resume-me") as again:
        assert again.status().offset == 500
        again.write(DATA[500:])
        again.commit(len(DATA), DIGEST)
    assert store.read(DIGEST) == DATA


def test_disk_full_at_commit_leaves_no_blob_and_a_resumable_ingest(
    make_local_store: Callable[..., LocalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC from fsync at commit: Unavailable, no blob file, the ingest kept whole, and a
    retried commit succeeds."""
    store = make_local_store()
    writer = store.writer("fsync", expected=Descriptor("application/octet-stream", DIGEST, 1000))
    writer.write(DATA)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", failing(os.fsync, errno.ENOSPC))
        with pytest.raises(Unavailable, match=r"^disk full while committing ref 'fsync'"):
            writer.commit(len(DATA), DIGEST)
    assert blob_files(store) == []
    with pytest.raises(NotFound):
        store.info(DIGEST)
    assert store.status("fsync").offset == len(DATA)
    with store.writer("fsync") as again:
        again.commit(len(DATA), DIGEST)
    assert store.read(DIGEST) == DATA


def test_io_error_on_close_keeps_the_ingest_abortable(
    make_local_store: Callable[..., LocalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EIO while closing a writer is Unavailable; the ref is released and can be aborted."""
    store = make_local_store()
    writer = store.writer("eio")
    writer.write(DATA)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", failing(os.fsync, errno.EIO))
        with pytest.raises(Unavailable, match=r"^I/O error while closing ref 'eio'"):
            writer.close()
    store.abort("eio")
    with pytest.raises(NotFound):
        store.status("eio")


def test_read_only_file_system_is_permission_denied(
    make_local_store: Callable[..., LocalStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EROFS or EACCES from the file system is PermissionDenied, chained to the OSError."""
    store = make_local_store()
    with monkeypatch.context() as patch:
        patch.setattr(os, "open", failing(os.open, errno.EROFS))
        with pytest.raises(PermissionDenied, match="permission denied while opening a writer"):
            store.writer("ro")
    writer = store.writer("ro")
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", failing(os.write, errno.EACCES))
        with pytest.raises(PermissionDenied) as info:
            writer.write(b"x")
    assert isinstance(info.value.__cause__, PermissionError)
    writer.close()
    store.abort("ro")


def test_a_directory_in_place_of_a_blob_is_a_damaged_store(
    make_local_store: Callable[..., LocalStore],
) -> None:
    """A directory where a blob file should be: every read says the store is damaged and
    how to repair it, and a commit of that content keeps its ingest instead of claiming
    the blob already exists."""
    store = make_local_store()
    path = store.root / "blobs" / "sha256" / DIGEST.encoded
    path.mkdir(parents=True)
    for call in (store.info, store.read, store.reader_at, store.delete):
        with pytest.raises(FailedPrecondition, match=DAMAGED):
            call(DIGEST)
    with pytest.raises(FailedPrecondition, match=DAMAGED):
        store.writer("x", expected=Descriptor("application/octet-stream", DIGEST, len(DATA)))
    writer = store.writer("blocked")
    writer.write(DATA)
    with pytest.raises(FailedPrecondition, match=DAMAGED):
        writer.commit(len(DATA), DIGEST)
    assert store.status("blocked").offset == len(DATA)
    assert list(store.walk()) == []
    path.rmdir()  # the repair the message asks for
    with store.writer("blocked") as again:
        again.commit(len(DATA), DIGEST)
    assert store.read(DIGEST) == DATA


def test_a_dangling_symlink_in_place_of_a_blob_is_a_damaged_store(
    make_local_store: Callable[..., LocalStore], tmp_path: Path
) -> None:
    """A dangling symlink at a blob path is damage, not "not found" and not "already
    exists": the commit keeps its ingest, which can then be aborted."""
    store = make_local_store()
    path = store.root / "blobs" / "sha256" / DIGEST.encoded
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FailedPrecondition, match=DAMAGED):
        store.read(DIGEST)
    with pytest.raises(FailedPrecondition, match=DAMAGED):
        store.info(DIGEST)
    writer = store.writer("dangling")
    writer.write(DATA)
    with pytest.raises(FailedPrecondition, match=DAMAGED):
        writer.commit(len(DATA), DIGEST)
    assert ingest_data(store, "dangling").stat().st_size == len(DATA)
    store.abort("dangling")
    assert store.list_statuses() == []
