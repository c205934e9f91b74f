"""Several processes appending to one blob's label through update_label lose no value."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from mstoolkit.content import LocalStore
from mstoolkit.digest import Digest
from mstoolkit.labels import append_distribution_source

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_ingest_left")]

FORK = multiprocessing.get_context("fork")
PROCESSES = 4
REPOS_EACH = 15
ROUNDS = 3
KEY = "containerd.io/distribution.source.registry.test"


def _append_many(root: str, digest: str, index: int, barrier: Barrier, results: Any) -> None:
    store = LocalStore(root, reconcile=False)
    barrier.wait(30)
    for _ in range(ROUNDS):  # later rounds find their repository listed: no change, no row
        for j in range(REPOS_EACH):
            repo = f"p{index}/r{j}"
            store.update_label(
                digest,
                KEY,
                lambda cur, repo=repo: append_distribution_source(cur or "", repo),
                reason=f"process {index}",
            )
    store.close()
    results.put(index)


def test_processes_appending_to_one_label_lose_no_repository(tmp_path: Path) -> None:
    """Processes appending different repositories to one label, many times, keep all of them,
    with exactly one history row per repository actually added."""
    store = LocalStore(tmp_path)
    data = b"shared manifest"
    with store.writer("shared") as writer:
        writer.write(data)
        writer.commit(len(data), Digest.from_bytes(data))
    digest = str(Digest.from_bytes(data))
    barrier, results = FORK.Barrier(PROCESSES), FORK.Queue()
    procs = [
        FORK.Process(target=_append_many, args=(str(tmp_path), digest, i, barrier, results))
        for i in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    finished = sorted(results.get(timeout=30) for _ in range(PROCESSES))
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert finished == list(range(PROCESSES))
    want = sorted(f"p{i}/r{j}" for i in range(PROCESSES) for j in range(REPOS_EACH))
    assert store.info(digest).labels[KEY].split(",") == want
    history = store.label_history(digest, key=KEY)
    assert len(history) == len(want)
    added = [set((row.new or "").split(",")) - set((row.old or "").split(",")) for row in history]
    assert sorted(entry for diff in added for entry in diff) == want
    assert all(len(diff) == 1 for diff in added)
    store.close()
