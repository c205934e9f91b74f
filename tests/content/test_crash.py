"""kill -9 at random instants while a process writes, commits, relabels and deletes; then the
store must reopen whole: every blob matches its name, no partial blob is visible, every ingest
resumes or aborts, and the metadata is consistent with the files and its own history."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mstoolkit.content import LocalStore
from mstoolkit.digest import ALGORITHMS, Digest

pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 30


def start_worker(root: Path, seed: int, *extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(root), str(seed), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"crash worker did not start: {line!r} {err}")
    return proc


def check_invariants(root: Path, rng: random.Random) -> None:
    store = LocalStore(root)  # reopening reconciles what the kill left
    try:
        # Every visible blob is complete, read-only and hashes to its name; nothing else is there.
        blobs = root / "blobs"
        for folder in blobs.iterdir():
            assert folder.name in ALGORITHMS, f"unexpected {folder}"
            for path in folder.iterdir():
                digest = Digest(folder.name, path.name)
                assert digest.verify(path.read_bytes()), f"{path} does not match its name"
                assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0, f"{path} is writable"
        # The reopen left no aside-renamed ingests and no stale lock files.
        assert not [n for n in os.listdir(root / "ingest") if "." in n]
        # Every ingest resumes with its offset and digest rebuilt, or aborts.
        for status in store.list_statuses():
            folder = root / "ingest" / hashlib.sha256(status.ref.encode()).hexdigest()
            data = (folder / "data").read_bytes()
            with store.writer(status.ref) as writer:
                assert writer.status().offset == len(data)
                assert writer.digest() == Digest.from_bytes(data)
            if rng.random() < 0.5:
                store.abort(status.ref)
        # Metadata: sound database, rows only for blobs that exist, labels = replayed history.
        assert store.integrity_check() == "ok"
        infos = {str(i.digest): dict(i.labels) for i in store.walk()}
        conn = sqlite3.connect(root / "metadata.db")
        try:
            rows = conn.execute("SELECT digest FROM blobs UNION SELECT digest FROM labels")
            assert {d for (d,) in rows} <= set(infos)
            replay: dict[str, dict[str, str]] = {}
            for digest, key, old, new in conn.execute(
                "SELECT digest, key, old, new FROM label_history ORDER BY id"
            ):
                labels = replay.setdefault(digest, {})
                assert labels.get(key) == old, f"history of {digest} {key} skips a change"
                if new is None:
                    labels.pop(key, None)
                else:
                    labels[key] = new
        finally:
            conn.close()
        for digest, labels in infos.items():
            assert labels == replay.get(digest, {}), f"labels of {digest} disagree with history"
    finally:
        store.close()


def test_sigkill_at_random_instants_leaves_a_sound_store(tmp_path: Path) -> None:
    """Thirty SIGKILLs at random points of write, commit, label update and delete each leave
    a store that reopens with all the invariants intact."""
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    seed = rng.randrange(1 << 30)
    root = tmp_path / "store"
    LocalStore(root).close()
    for kill in range(KILLS):
        proc = start_worker(root, seed + kill)
        try:
            proc.wait(timeout=rng.uniform(0.02, 0.25))
        except subprocess.TimeoutExpired:
            proc.kill()
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == -9, f"worker {seed + kill} died by itself:\n{err}"
        check_invariants(root, rng)
    assert any(root.joinpath("blobs").rglob("*")), f"seed {seed}: no blob was ever committed"


def test_sigkill_during_batches_loses_no_committed_blob(tmp_path: Path) -> None:
    """SIGKILLs while commit_many runs leave no partial blob and lose no blob whose batch
    returned (a later delete by the worker excepted), with the store's invariants intact."""
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    seed = rng.randrange(1 << 30)
    root = tmp_path / "store"
    LocalStore(root).close()
    committed: set[str] = set()
    for kill in range(KILLS // 2):
        proc = start_worker(root, seed + kill, "batch")
        try:
            proc.wait(timeout=rng.uniform(0.02, 0.25))
        except subprocess.TimeoutExpired:
            proc.kill()
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -9, f"worker {seed + kill} died by itself:\n{err}"
        reported = {line.split()[1] for line in out.splitlines() if line.startswith("committed ")}
        committed |= reported
        check_invariants(root, rng)
        store = LocalStore(root)
        try:
            # The worker deletes only its few reused contents; batches commit fresh ones.
            for digest in reported:
                assert Digest.parse(digest).verify(store.read(digest)), digest
        finally:
            store.close()
    assert committed, f"seed {seed}: no batch ever returned"
