"""LocalStore.commit_many on disk: what the conformance suite cannot see from outside."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mstoolkit.content import LocalStore, _batch
from mstoolkit.content.protocols import BlobPut
from mstoolkit.digest import Digest


def _puts(n: int) -> list[BlobPut]:
    datas = [f"blob {i}".encode() * (i + 1) for i in range(n)]
    return [BlobPut(d, Digest.from_bytes(d), {"i": str(i)}, "batch") for i, d in enumerate(datas)]


@pytest.mark.parametrize("proc", [True, False], ids=["o_tmpfile", "named-files"])
def test_batch_blobs_are_read_only_and_leave_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proc: bool
) -> None:
    """Each committed blob is a read-only file under its name with its labels, and neither
    way of staging (O_TMPFILE, or named files when /proc is missing) leaves files around."""
    if not proc:
        monkeypatch.setattr(_batch, "_PROC_FDS", str(tmp_path / "no-proc"))
    store = LocalStore(tmp_path / "store")
    puts = _puts(5)
    assert store.commit_many(puts) == [None] * 5
    for i, put in enumerate(puts):
        path = tmp_path / "store" / "blobs" / "sha256" / put.expected.encoded
        assert path.read_bytes() == put.data
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0
        assert dict(store.info(put.expected).labels) == {"i": str(i)}
    assert os.listdir(tmp_path / "store" / "ingest") == []
    assert sorted(os.listdir(tmp_path / "store" / "blobs" / "sha256")) == sorted(
        p.expected.encoded for p in puts
    )
    log = store.ingest_log()
    assert [(r.outcome, r.digest) for r in log] == [("committed", p.expected) for p in puts]


def test_a_batch_after_a_reopen_reports_what_is_held(tmp_path: Path) -> None:
    """Blobs committed by one store object are AlreadyExists for a batch from another."""
    puts = _puts(3)
    LocalStore(tmp_path).commit_many(puts[:2])
    again = LocalStore(tmp_path).commit_many(puts)
    assert [type(a).__name__ for a in again[:2]] == ["AlreadyExists", "AlreadyExists"]
    assert again[2] is None
