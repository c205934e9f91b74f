"""containerd's content helpers (WriteBlob, OpenWriter, Exists) and the value types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mstoolkit.content import (
    FetchRecord,
    Info,
    MemoryStore,
    Status,
    Store,
    exists,
    open_writer,
    read_blob,
    write_blob,
)
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import DigestMismatch, FailedPrecondition, InvalidArgument, Unavailable

pytestmark = pytest.mark.usefixtures("no_ingest_left")


def desc(data: bytes) -> Descriptor:
    return Descriptor("application/octet-stream", Digest.from_bytes(data), len(data))


def test_write_blob_commits_with_labels_and_treats_present_as_success(store: Store) -> None:
    """write_blob stores bytes with labels; writing them again is a silent success."""
    data = b"manifest bytes"
    write_blob(store, "manifest-1", data, desc(data), labels={"k": "v"}, reason="pull")
    write_blob(store, "manifest-2", data, desc(data), labels={"k": "other"})
    assert read_blob(store, desc(data).digest) == data
    assert dict(store.info(desc(data).digest).labels) == {"k": "v"}
    assert exists(store, desc(data).digest)
    assert not exists(store, Digest.from_bytes(b"absent"))
    assert [r.reason for r in store.label_history()] == ["pull"]


def test_write_blob_resumes_a_partial_ingest(store: Store) -> None:
    """write_blob continues an ingest a previous attempt left, writing only the rest."""
    data = b"0123456789" * 100
    with store.writer("layer", expected=desc(data)) as writer:
        writer.write(data[:300])
    write_blob(store, "layer", data, desc(data))
    assert store.read(desc(data).digest) == data


def test_write_blob_restarts_an_ingest_longer_than_the_data(store: Store) -> None:
    """An ingest holding more bytes than the blob is truncated and rewritten."""
    data = b"short"
    with store.writer("odd", expected=Descriptor("x/y", Digest.from_bytes(b"other"), 5)) as w:
        w.write(b"much longer than five")
    write_blob(store, "odd", data, desc(data))
    assert store.read(desc(data).digest) == data


def test_write_blob_with_wrong_bytes_keeps_the_ingest(store: Store) -> None:
    """Bytes that do not match the descriptor raise and stay in the ingest until aborted."""
    with pytest.raises(DigestMismatch):
        write_blob(store, "bad", b"abcde", Descriptor("x/y", Digest.from_bytes(b"vwxyz"), 5))
    with pytest.raises(FailedPrecondition):
        write_blob(store, "bad2", b"abcdef", Descriptor("x/y", Digest.from_bytes(b"vwxyz"), 5))
    assert sorted(s.ref for s in store.list_statuses()) == ["bad", "bad2"]
    store.abort("bad")
    store.abort("bad2")
    with pytest.raises(InvalidArgument):
        write_blob(store, "bad", "text", desc(b"text"))  # type: ignore[arg-type]


def test_open_writer_waits_for_a_locked_ref() -> None:
    """open_writer retries a locked ref with growing sleeps and gets it once it is free."""
    store = MemoryStore()
    holder = store.writer("busy")
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            holder.close()

    writer = open_writer(store, "busy", sleep=sleep)
    writer.close()
    store.abort("busy")
    assert len(sleeps) == 3
    assert all(0 <= s <= 0.064 for s in sleeps)


def test_open_writer_gives_up_after_the_timeout() -> None:
    """open_writer re-raises Unavailable once its deadline has passed."""
    store = MemoryStore()
    holder = store.writer("busy")
    clock = iter(range(100))
    with pytest.raises(Unavailable, match="ref busy locked"):
        open_writer(store, "busy", timeout=5, sleep=lambda _: None, monotonic=lambda: next(clock))
    holder.close()
    store.abort("busy")


def test_info_is_a_frozen_value_with_read_only_labels() -> None:
    """Info accepts a digest string, freezes its labels and hashes on digest and size."""
    digest = Digest.from_bytes(b"x")
    info = Info(str(digest), 1, labels={"a": "b"})
    assert info.digest == digest
    assert info == Info(digest, 1, labels={"a": "b"})
    assert hash(info) == hash(Info(digest, 1))
    with pytest.raises(TypeError):
        info.labels["a"] = "c"  # type: ignore[index]
    with pytest.raises(AttributeError):
        info.size = 2  # type: ignore[misc]
    with pytest.raises(InvalidArgument):
        Info(digest, labels={"a": 1})  # type: ignore[dict-item]
    assert Info(digest).labels == {}


def test_memory_store_ingest_log_and_fetch_log_copies() -> None:
    """MemoryStore keeps an ingest log like LocalStore's and hands out copies of its logs."""
    store = MemoryStore(actor="me")
    write_blob(store, "a", b"one", desc(b"one"))
    with store.writer("b") as writer:
        writer.write(b"one")
        with pytest.raises(FileExistsError):
            writer.commit(3, None)
    with store.writer("c") as writer:
        writer.write(b"x")
    store.abort("c")
    assert [(r.ref, r.outcome, r.actor) for r in store.ingest_log()] == [
        ("a", "committed", "me"),
        ("b", "already-exists", "me"),
        ("c", "aborted", "me"),
    ]
    rec = FetchRecord(datetime.now(UTC), "r", "p", "t", "", "", 0, "ok")
    store.record_fetch(rec)
    store.fetch_log().clear()
    assert store.fetch_log() == [rec]
    now = datetime.now(UTC)
    assert Status("r", 0, 0, None, now, now).expected is None
