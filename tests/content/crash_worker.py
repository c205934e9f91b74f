"""A LocalStore client that works until it is killed: the crash tests' victim.

Run as ``python crash_worker.py <root> <seed> [batch]``. It prints ``ready`` once the store
is open, then loops forever over everything that writes to the store: writers that resume,
truncate and commit small and medium blobs with labels, label updates (one key and
replace-all), deletes and aborts. It reuses a few refs and contents so that resumes,
AlreadyExists and re-commits of deleted blobs all happen. With ``batch`` it also commits
batches of fresh blobs with ``commit_many`` and prints ``committed <digest>`` for each once
the call returns, so that the parent can check that none of them is lost. The parent
SIGKILLs it at a random instant.
"""

from __future__ import annotations

import contextlib
import random
import sys

from mstoolkit.content import Info, LocalStore
from mstoolkit.content.protocols import BlobPut
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import AlreadyExists, FailedPrecondition, NotFound, Unavailable

SIZES = (0, 10, 1000, 64 * 1024)


def content(number: int) -> bytes:
    return random.Random(number).randbytes(SIZES[number % len(SIZES)])


def step(store: LocalStore, rng: random.Random) -> None:
    data = content(rng.randrange(12))
    digest = Digest.from_bytes(data)
    ref = f"ref-{rng.randrange(6)}"
    try:
        writer = store.writer(ref, expected=Descriptor("x/y", digest, len(data)))
    except AlreadyExists:
        action = rng.random()
        if action < 0.4:
            store.update(Info(digest, labels={"n": str(rng.randrange(100))}), "labels.n")
        elif action < 0.6:
            store.update(Info(digest, labels={"a": "1", "b": str(rng.random())}))
        elif action < 0.8:
            store.delete(digest)
        return
    except Unavailable:
        return
    with writer:
        if rng.random() < 0.1:
            writer.truncate(0)
        offset = writer.status().offset
        for start in range(offset, len(data), 4096):
            writer.write(data[start : start + 4096])
        if rng.random() < 0.1:
            return  # leave the ingest for a later resume
        # A resumed ingest of other bytes fails the size or digest check (FailedPrecondition).
        with contextlib.suppress(FailedPrecondition, AlreadyExists):
            writer.commit(len(data), digest, labels={"ref": ref, "n": str(rng.randrange(100))})
    if rng.random() < 0.5:
        with contextlib.suppress(NotFound):
            store.abort(ref)


def batch_step(store: LocalStore, rng: random.Random) -> None:
    puts = []
    for _ in range(rng.randrange(1, 9)):
        data = rng.randbytes(rng.choice((1, 10, 700, 5000, 64 * 1024)))  # never a reused one
        puts.append(BlobPut(data, Digest.from_bytes(data), {"n": str(rng.randrange(100))}))
    fresh = len(puts)
    if rng.random() < 0.3:  # a reused blob (held or not), and bytes that are not the digest's
        reused = content(rng.randrange(12))
        puts.append(BlobPut(reused, Digest.from_bytes(reused)))
        puts.append(BlobPut(reused, Digest.from_bytes(b"other bytes")))
    answers = store.commit_many(puts)
    # Only fresh blobs are reported: the worker's other steps delete reused ones.
    done = [str(p.expected) for p, a in zip(puts[:fresh], answers, strict=False) if a is None]
    if done:
        print("\n".join(f"committed {d}" for d in done), flush=True)


def main() -> None:
    root, seed = sys.argv[1], int(sys.argv[2])
    batches = sys.argv[3:] == ["batch"]
    store = LocalStore(root, reconcile=False)
    print("ready", flush=True)
    rng = random.Random(seed)
    while True:
        if batches and rng.random() < 0.6:
            batch_step(store, rng)
        else:
            step(store, rng)


if __name__ == "__main__":
    main()
