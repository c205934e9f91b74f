"""ManifestStore.get_local in several processes sharing one LocalStore records every repository."""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from mstoolkit.content import Info, LocalStore, MemoryStore
from mstoolkit.descriptor import Descriptor
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.manifest_store.protocols import LabelUpdater
from mstoolkit.manifest_store.testing import CountingRemote
from mstoolkit.reference import parse_reference
from tests.manifest_store.conftest import REGISTRY, oci_manifest

FORK = multiprocessing.get_context("fork")
PROCESSES = 4
REPOS_EACH = 12
LABEL = f"containerd.io/distribution.source.{REGISTRY}"
RAW = oci_manifest("race")


def _repos(index: int) -> list[str]:
    return [f"team{index}/app{j}" for j in range(REPOS_EACH)]


def _get_everywhere(root: str, desc: Descriptor, index: int, barrier: Barrier, out: Any) -> None:
    remote = CountingRemote(REGISTRY)
    for repo in _repos(index):
        remote.push(repo, RAW)
    store = ManifestStore(LocalStore(root, reconcile=False), remote, memo_size=0)
    barrier.wait(30)
    for _ in range(2):  # the second round is served from the label: no HEAD, no write
        for repo in _repos(index):
            ref = parse_reference(f"{REGISTRY}/{repo}@{desc.digest}")
            assert store.get_local(desc, ref).raw == RAW
    store.local.close()  # type: ignore[attr-defined]
    out.put((index, dict(remote.calls)))


@pytest.mark.slow
def test_processes_serving_one_manifest_record_every_repository(tmp_path: Path) -> None:
    """get_local in several processes, each admitting its own repositories of one cached
    manifest, leaves all of them in the label, one history row each, one HEAD each."""
    content = LocalStore(tmp_path)
    desc = CountingRemote(REGISTRY).push("seed/repo", RAW)
    with content.writer("manifest-race", expected=desc) as writer:
        writer.write(RAW)
        writer.commit(len(RAW), desc.digest, labels={LABEL: "seed/repo"})
    barrier, out = FORK.Barrier(PROCESSES), FORK.Queue()
    procs = [
        FORK.Process(target=_get_everywhere, args=(str(tmp_path), desc, i, barrier, out))
        for i in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    calls = dict(out.get(timeout=30) for _ in range(PROCESSES))
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    want = sorted(["seed/repo", *(r for i in range(PROCESSES) for r in _repos(i))])
    assert content.info(desc.digest).labels[LABEL].split(",") == want
    history = content.label_history(desc.digest, key=LABEL)
    assert len(history) == 1 + PROCESSES * REPOS_EACH
    assert {row.reason for row in history[1:]} == {"manifest seen in repository"}
    assert calls == {i: {"exists": REPOS_EACH} for i in range(PROCESSES)}
    content.close()


class _NoLabelUpdater:
    """A third-party content store with the seed's surface only (no update_label)."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.updates = 0

    def writer(self, ref: str, *, expected: Descriptor | None = None) -> Any:
        return self._inner.writer(ref, expected=expected)

    def info(self, digest: Any) -> Info:
        return self._inner.info(digest)

    def read(self, digest: Any) -> bytes:
        return self._inner.read(digest)

    def reader_at(self, digest: Any) -> Any:
        return self._inner.reader_at(digest)

    def abort(self, ref: str) -> None:
        self._inner.abort(ref)

    def update(self, info: Info, *fieldpaths: str, reason: str = "") -> Info:
        self.updates += 1
        return self._inner.update(info, *fieldpaths, reason=reason)


def test_a_store_without_update_label_still_gets_the_label(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A content store lacking update_label falls back to info + update and still records the
    repository (atomic within the process only, as documented)."""
    inner = MemoryStore()
    local = _NoLabelUpdater(inner)
    assert not isinstance(local, LabelUpdater)
    assert isinstance(inner, LabelUpdater)
    remote = CountingRemote(REGISTRY)
    desc = remote.push("a/one", RAW)
    remote.push("b/two", RAW)
    store = ManifestStore(local, remote)
    with caplog.at_level(logging.WARNING):
        store.get(desc, parse_reference(f"{REGISTRY}/a/one"))
        store.get(desc, parse_reference(f"{REGISTRY}/b/two@{desc.digest}"))
    assert inner.info(desc.digest).labels[LABEL] == "a/one,b/two"
    assert local.updates == 1
    assert caplog.text == ""
