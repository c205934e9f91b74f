"""Several processes sharing one LocalStore: ref locks, commit races and a worker pool."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest

from mstoolkit.content import Info, LocalStore
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import AlreadyExists, Unavailable

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_ingest_left")]

FORK = multiprocessing.get_context("fork")
RACERS = 6


def _race_for_ref(root: str, barrier: Barrier, release: Event, results: Any) -> None:
    store = LocalStore(root, reconcile=False)
    barrier.wait(30)
    try:
        writer = store.writer("contended")
    except Unavailable as exc:
        results.put(("unavailable", str(exc)))
        return
    results.put(("writer", os.getpid()))
    writer.write(b"winner")
    release.wait(30)  # hold the lock until every loser has reported
    writer.close()


def test_processes_racing_on_one_ref_get_exactly_one_writer(tmp_path: Path) -> None:
    """Of several processes opening one ref at once, one gets it and the rest Unavailable."""
    LocalStore(tmp_path).close()
    barrier, release, results = FORK.Barrier(RACERS), FORK.Event(), FORK.Queue()
    procs = [
        FORK.Process(target=_race_for_ref, args=(str(tmp_path), barrier, release, results))
        for _ in range(RACERS)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=30) for _ in range(RACERS)]
    release.set()
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["unavailable"] * (RACERS - 1) + ["writer"]
    winner = next(pid for kind, pid in outcomes if kind == "writer")
    for kind, msg in outcomes:
        if kind == "unavailable":
            # The holder writes its pid just after locking; a loser may be quicker than that.
            assert msg.startswith("ref contended locked")
            assert "pid" not in msg or f"pid {winner})" in msg
    store = LocalStore(tmp_path)
    assert store.status("contended").offset == len(b"winner")
    store.abort("contended")
    store.close()


def _race_for_digest(root: str, index: int, data: bytes, barrier: Barrier, results: Any) -> None:
    store = LocalStore(root, reconcile=False)
    writer = store.writer(f"ref-{index}")
    writer.write(data)
    barrier.wait(30)
    try:
        writer.commit(len(data), Digest.from_bytes(data), labels={"winner": str(index)})
    except AlreadyExists:
        results.put(("already-exists", index))
    else:
        results.put(("committed", index))


def test_processes_racing_on_one_digest_commit_it_once(tmp_path: Path) -> None:
    """Processes committing the same bytes under different refs: one commits, the rest get
    AlreadyExists, and the blob and its labels are the winner's."""
    data = os.urandom(256 * 1024)
    LocalStore(tmp_path).close()
    barrier, results = FORK.Barrier(RACERS), FORK.Queue()
    procs = [
        FORK.Process(target=_race_for_digest, args=(str(tmp_path), i, data, barrier, results))
        for i in range(RACERS)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=30) for _ in range(RACERS)]
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    committed = [i for kind, i in outcomes if kind == "committed"]
    assert len(committed) == 1
    assert sorted(kind for kind, _ in outcomes).count("already-exists") == RACERS - 1
    store = LocalStore(tmp_path)
    digest = Digest.from_bytes(data)
    assert store.read(digest) == data
    assert dict(store.info(digest).labels) == {"winner": str(committed[0])}
    assert [r.new for r in store.label_history(digest)] == [str(committed[0])]
    assert sorted(os.listdir(tmp_path / "blobs" / "sha256")) == [digest.encoded]
    assert store.list_statuses() == []
    store.close()


def _pool_task(args: tuple[LocalStore, int]) -> str:
    store, index = args
    data = f"blob number {index}".encode()
    digest = Digest.from_bytes(data)
    desc = Descriptor("application/octet-stream", digest, len(data))
    try:
        with store.writer(f"task-{index}", expected=desc) as writer:
            writer.write(data)
            writer.commit(len(data), digest, labels={"task": str(index)})
    except AlreadyExists:
        pass
    shared = Digest.from_bytes(b"shared")
    store.update(Info(shared, labels={f"seen.{index}": "yes"}), f"labels.seen.{index}")
    return str(digest)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_pool_shares_one_store(tmp_path: Path, method: str) -> None:
    """A multiprocessing pool shares one LocalStore: every commit and label update lands."""
    store = LocalStore(tmp_path)
    with store.writer("shared") as writer:
        writer.write(b"shared")
        writer.commit(6, None)
    tasks = 40 if method == "fork" else 12
    with multiprocessing.get_context(method).Pool(3) as pool:
        digests = pool.map(_pool_task, [(store, i) for i in range(tasks)])
    assert len(set(digests)) == tasks
    for i, digest in enumerate(digests):
        assert dict(store.info(digest).labels) == {"task": str(i)}
    shared = store.info(Digest.from_bytes(b"shared"))
    assert dict(shared.labels) == {f"seen.{i}": "yes" for i in range(tasks)}
    assert len(store.label_history(key=None)) == 2 * tasks
    assert store.integrity_check() == "ok"
    store.close()
