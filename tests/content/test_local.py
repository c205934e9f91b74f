"""LocalStore specifics: the on-disk layout, reopening what a crash or another version left,
path safety, and per-process SQLite connections."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from mstoolkit.content import Info, LocalStore
from mstoolkit.content.metadata import APPLICATION_ID, RECONCILE_REASON, SCHEMA_VERSION
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    FailedPrecondition,
    InvalidArgument,
    InvalidDigest,
    NotFound,
    Unavailable,
)

pytestmark = pytest.mark.usefixtures("no_ingest_left")

MakeStore = Callable[..., LocalStore]


def put(store: LocalStore, ref: str, data: bytes, labels: dict[str, str] | None = None) -> Digest:
    digest = Digest.from_bytes(data)
    with store.writer(ref) as writer:
        writer.write(data)
        writer.commit(len(data), digest, labels=labels)
    return digest


def test_layout_is_an_oci_layout_with_read_only_blobs(tmp_path: Path) -> None:
    """oci-layout, blobs/<alg>/<hex> (read-only), ingest/ and metadata.db sit under the root."""
    with LocalStore(tmp_path / "s") as store:
        digest = put(store, "r", b"layout")
    root = tmp_path / "s"
    assert json.loads((root / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    blob = root / "blobs" / "sha256" / digest.encoded
    assert blob.read_bytes() == b"layout"
    assert stat.S_IMODE(blob.stat().st_mode) & 0o222 == 0
    assert (root / "ingest").is_dir()
    assert (root / "metadata.db").is_file()
    assert os.listdir(root / "ingest") == []


def test_ingest_directory_follows_containerd(make_local_store: MakeStore) -> None:
    """An ingest lives in ingest/<sha256 of ref>/ with data, ref, startedat, updatedat, total."""
    store = make_local_store()
    desc = Descriptor("application/octet-stream", Digest.from_bytes(b"abcdef"), 6)
    folder = store.root / "ingest" / hashlib.sha256(b"my/ref").hexdigest()
    lock = folder.with_name(folder.name + ".lock")
    with store.writer("my/ref", expected=desc) as writer:
        writer.write(b"abc")
        assert lock.exists()
        assert lock.read_text().split()[0] == str(os.getpid())
    assert not lock.exists()
    assert (folder / "ref").read_text() == "my/ref"
    assert (folder / "data").read_bytes() == b"abc"
    assert (folder / "total").read_text() == "6"
    assert {"startedat", "updatedat", "expected"} <= set(os.listdir(folder))
    store.abort("my/ref")
    assert not folder.exists()


def test_hostile_refs_and_digests_stay_inside_the_root(tmp_path: Path) -> None:
    """Refs are hashed and digests validated, so nothing is written outside the root."""
    root = tmp_path / "inside"
    store = LocalStore(root)
    for ref in ("../../outside", "/etc/passwd", "..", "a\x00b"):
        with store.writer(ref) as writer:
            writer.write(b"x")
        store.abort(ref)
    for bad in (
        "sha256:../../../x",
        "../sha256:" + "a" * 64,
        "sha256:" + "A" * 64,
        "md5:" + "a" * 32,
    ):
        with pytest.raises(InvalidDigest):
            store.info(bad)
        with pytest.raises(InvalidDigest):
            store.delete(bad)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inside"]


def test_root_that_is_a_file_or_a_foreign_layout_is_refused(tmp_path: Path) -> None:
    """A root that is a file, or an oci-layout of another version, fails with a clear error."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidArgument, match="not a directory"):
        LocalStore(tmp_path / "file")
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}')
    with pytest.raises(FailedPrecondition, match="unsupported OCI layout"):
        LocalStore(tmp_path / "v2")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "oci-layout").write_text("{not json")
    with pytest.raises(FailedPrecondition, match="unreadable oci-layout"):
        LocalStore(tmp_path / "junk")


def test_schema_version_and_wal(make_local_store: MakeStore) -> None:
    """metadata.db is in WAL mode, tagged with our application_id and schema version."""
    store = make_local_store()
    conn = sqlite3.connect(store.root / "metadata.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()
    assert store.integrity_check() == "ok"


def test_newer_schema_is_refused_clearly(make_local_store: MakeStore, tmp_path: Path) -> None:
    """A metadata.db from a newer mstoolkit is refused with a message naming the versions."""
    make_local_store(tmp_path / "s").close()
    conn = sqlite3.connect(tmp_path / "s" / "metadata.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FailedPrecondition, match=r"schema version 2 is newer .* supports \(1\)"):
        LocalStore(tmp_path / "s")


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    """A metadata.db that some other program wrote is refused, not adopted or overwritten."""
    (tmp_path / "s").mkdir()
    conn = sqlite3.connect(tmp_path / "s" / "metadata.db")
    conn.execute("CREATE TABLE theirs (x)")
    conn.commit()
    conn.close()
    with pytest.raises(FailedPrecondition, match="not an mstoolkit metadata database"):
        LocalStore(tmp_path / "s")
    conn = sqlite3.connect(tmp_path / "s" / "metadata.db")
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("theirs",)]
    conn.close()


def test_corrupt_database_is_an_error_never_silent(tmp_path: Path) -> None:
    """A corrupt metadata.db raises FailedPrecondition saying the blobs are intact."""
    (tmp_path / "s").mkdir()
    garbage = b"this is not sqlite" * 300
    (tmp_path / "s" / "metadata.db").write_bytes(garbage)
    with pytest.raises(FailedPrecondition, match=r"metadata database is unreadable.*blobs are"):
        LocalStore(tmp_path / "s")
    assert (tmp_path / "s" / "metadata.db").read_bytes() == garbage


def test_blob_without_metadata_row_is_a_valid_blob(make_local_store: MakeStore) -> None:
    """A blob file with no row (killed before the label transaction) has file info, no labels."""
    store = make_local_store()
    data = b"written by another tool"
    digest = Digest.from_bytes(data)
    path = store.root / "blobs" / "sha256" / digest.encoded
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    info = store.info(digest)
    assert (info.size, dict(info.labels)) == (len(data), {})
    assert info.created_at.timestamp() == pytest.approx(path.stat().st_mtime, abs=1e-5)
    assert [i.digest for i in store.walk()] == [digest]
    updated = store.update(Info(digest, labels={"k": "v"}), "labels.k")
    assert updated.created_at == info.created_at
    assert dict(store.info(digest).labels) == {"k": "v"}


def test_row_without_blob_is_ignored_then_reconciled(make_local_store: MakeStore) -> None:
    """Metadata whose blob vanished is ignored by reads and dropped, with history, on reopen."""
    store = make_local_store()
    digest = put(store, "r", b"vanishing", {"a": "1"})
    os.unlink(store.root / "blobs" / "sha256" / digest.encoded)
    with pytest.raises(NotFound):
        store.info(digest)
    with pytest.raises(NotFound):
        store.update(Info(digest, labels={"a": "2"}), "labels.a")
    assert list(store.walk()) == []
    reopened = make_local_store(store.root)
    last = reopened.label_history(digest)[-1]
    assert (last.key, last.old, last.new, last.reason) == ("a", "1", None, RECONCILE_REASON)
    assert dict(reopened.info(put(reopened, "r", b"vanishing")).labels) == {}


def test_commit_over_stale_rows_replaces_them(make_local_store: MakeStore) -> None:
    """Re-committing a digest whose stale rows survived drops them, with history."""
    store = make_local_store()
    digest = put(store, "r", b"stale", {"old": "1"})
    os.unlink(store.root / "blobs" / "sha256" / digest.encoded)
    put(store, "r2", b"stale", {"new": "2"})
    assert dict(store.info(digest).labels) == {"new": "2"}
    rows = [(r.key, r.old, r.new, r.reason) for r in store.label_history(digest)]
    assert rows[-2:] == [("old", "1", None, RECONCILE_REASON), ("new", None, "2", "")]


def test_open_cleans_leftovers_but_not_held_locks(make_local_store: MakeStore) -> None:
    """Reopening removes *.tmp ingest dirs and stale lock files, never a held lock."""
    store = make_local_store()
    ingest = store.root / "ingest"
    (ingest / ("a" * 64 + ".deadbeef.tmp")).mkdir()
    (ingest / ("a" * 64 + ".deadbeef.tmp") / "data").write_bytes(b"x")
    (ingest / ("b" * 64 + ".lock")).write_text("12345 2024-01-01T00:00:00+00:00\n")
    writer = store.writer("held")
    try:
        make_local_store(store.root)
        assert sorted(os.listdir(ingest)) == sorted(
            [hashlib.sha256(b"held").hexdigest(), hashlib.sha256(b"held").hexdigest() + ".lock"]
        )
    finally:
        writer.close()
    store.abort("held")


def test_two_instances_share_locks_and_say_who_holds(make_local_store: MakeStore) -> None:
    """Two LocalStores on one root exclude each other (before the exists check) and name the
    holding pid."""
    first = make_local_store()
    second = make_local_store(first.root)
    present = Descriptor("x/y", put(first, "other", b"present"), 7)
    with first.writer("shared") as writer:
        writer.write(b"x")
        with pytest.raises(Unavailable, match=rf"ref shared locked for .*pid {os.getpid()}"):
            second.writer("shared", expected=present)  # the lock is checked first
    with second.writer("shared") as writer:
        assert writer.status().offset == 1
    second.abort("shared")


def test_resume_repairs_a_read_only_ingest(make_local_store: MakeStore) -> None:
    """An ingest made read-only by a commit killed before linking resumes and commits."""
    store = make_local_store()
    with store.writer("ro") as writer:
        writer.write(b"half")
    data = store.root / "ingest" / hashlib.sha256(b"ro").hexdigest() / "data"
    os.chmod(data, 0o444)
    (data.parent / "startedat").write_text("garbage")
    assert store.status("ro").offset == 4
    with store.writer("ro") as writer:
        writer.write(b" and half")
        writer.commit(13, Digest.from_bytes(b"half and half"))


def test_ingest_log_records_how_ingests_end(make_local_store: MakeStore) -> None:
    """The ingest log keeps committed, already-exists and aborted ingests in order."""
    store = make_local_store()
    put(store, "a", b"one")
    with store.writer("b") as writer:
        writer.write(b"one")
        with pytest.raises(FileExistsError):
            writer.commit(3, None)
    with store.writer("c") as writer:
        writer.write(b"two")
    store.abort("c")
    log = store.ingest_log()
    assert [(r.ref, r.outcome, r.size) for r in log] == [
        ("a", "committed", 3),
        ("b", "already-exists", 3),
        ("c", "aborted", 3),
    ]
    assert log[0].digest == Digest.from_bytes(b"one")
    assert log[2].digest is None


def test_busy_database_after_link_says_the_blob_is_committed(make_local_store: MakeStore) -> None:
    """If labels cannot be recorded, commit says so: the blob is there, the labels are not."""
    store = make_local_store(busy_timeout=0.05)
    blocker = sqlite3.connect(store.root / "metadata.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        writer = store.writer("busy")
        writer.write(b"busy")
        with pytest.raises(Unavailable, match="committed, but recording its labels failed"):
            writer.commit(4, None, labels={"k": "v"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    info = store.info(Digest.from_bytes(b"busy"))
    assert dict(info.labels) == {}
    assert store.list_statuses() == []


def test_pickled_store_reopens_the_same_root(make_local_store: MakeStore) -> None:
    """A LocalStore pickles to its root, so pool workers (spawn) reopen the same store."""
    store = make_local_store(actor="tester")
    digest = put(store, "p", b"pickled", {"k": "v"})
    clone = pickle.loads(pickle.dumps(store))
    try:
        assert clone.root == store.root
        assert dict(clone.info(digest).labels) == {"k": "v"}
        assert clone.actor() == "tester"
    finally:
        clone.close()


def _commit_in_child(store: LocalStore) -> None:
    put(store, "child", b"from the child", {"by": "child"})


def test_forked_child_uses_its_own_connection(make_local_store: MakeStore) -> None:
    """After fork the child opens its own SQLite connection; both processes keep working."""
    store = make_local_store()
    put(store, "parent", b"from the parent", {"by": "parent"})
    process = multiprocessing.get_context("fork").Process(target=_commit_in_child, args=(store,))
    process.start()
    process.join(30)
    assert process.exitcode == 0
    assert dict(store.info(Digest.from_bytes(b"from the child")).labels) == {"by": "child"}
    put(store, "parent2", b"parent again", {"by": "parent"})
    assert store.integrity_check() == "ok"
    actors = {r.actor for r in store.label_history(key="by")}
    assert len(actors) == 2


@pytest.mark.parametrize("size", [None, 99])
def test_ingest_hard_linked_to_its_blob_never_writes_through(
    make_local_store: MakeStore, size: int | None
) -> None:
    """An ingest killed between link and cleanup shares the blob's inode; resuming it (or
    starting it over) must not write through to the committed blob."""
    store = make_local_store()
    digest = put(store, "done", b"committed bytes")
    folder = store.root / "ingest" / hashlib.sha256(b"again").hexdigest()
    folder.mkdir()
    (folder / "ref").write_text("again")
    (folder / "total").write_text("15")
    os.link(store.root / "blobs" / "sha256" / digest.encoded, folder / "data")
    expected = None
    if size is not None:
        expected = Descriptor("x/y", Digest.from_bytes(b"other"), size)
    with store.writer("again", expected=expected) as writer:
        assert writer.status().offset == (15 if size is None else 0)
        writer.truncate(0)
        writer.write(b"overwrite attempt")
    assert store.read(digest) == b"committed bytes"
    store.abort("again")
    assert store.read(digest) == b"committed bytes"


def test_root_with_tilde_is_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A root written as ~/... opens under $HOME, as a user typing it in a notebook expects."""
    monkeypatch.setenv("HOME", str(tmp_path))
    store = LocalStore("~/cache")
    try:
        assert store.root == tmp_path / "cache"
        assert (tmp_path / "cache" / "oci-layout").is_file()
    finally:
        store.close()
