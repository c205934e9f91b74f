"""Content store throughput for small blobs: commit/s, info/s, update/s, walk.

Usage: ``python benchmarks/bench_content.py [-n 2000] [--size 1024] [--repeat 3]
[--root DIR] [--processes 2]``

Each repeat uses a fresh store. "commit" is the whole ingest (writer, write, commit with two
labels): for LocalStore that is a ref lock, an ingest directory, two fsyncs, a hard link and
one SQLite transaction. "info" reads the file's stat and the blob's rows; "update" sets one
label (one transaction plus a history row). MemoryStore runs the same loop as the baseline.
The last section commits from several processes sharing one LocalStore.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mstoolkit.content import Info, LocalStore, MemoryStore, Store
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest


def blobs(count: int, size: int, seed: int) -> list[tuple[bytes, Digest]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        data = rng.randbytes(size)
        out.append((data, Digest.from_bytes(data)))
    return out


def commit_all(store: Store, items: list[tuple[bytes, Digest]], prefix: str) -> None:
    for i, (data, digest) in enumerate(items):
        desc = Descriptor("application/octet-stream", digest, len(data))
        with store.writer(f"{prefix}-{i}", expected=desc) as writer:
            writer.write(data)
            writer.commit(
                len(data),
                digest,
                labels={
                    "containerd.io/distribution.source.docker.io": "library/bench",
                    "index": str(i),
                },
            )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_store(make: Callable[[], Store], items: list[tuple[bytes, Digest]]) -> dict[str, float]:
    store = make()
    n = len(items)
    digests = [d for _, d in items]
    rates = {"commit": n / timed(lambda: commit_all(store, items, "bench"))}
    rates["info"] = n / timed(lambda: [store.info(d) for d in digests])
    rates["update"] = n / timed(
        lambda: [
            store.update(Info(d, labels={"seen": str(i)}), "labels.seen")
            for i, d in enumerate(digests)
        ]
    )
    rates["read"] = n / timed(lambda: [store.read(d) for d in digests])
    rates["walk (filtered)"] = n / timed(lambda: list(store.walk("labels.index~=^1")))
    close = getattr(store, "close", None)
    if close is not None:
        close()
    return rates


def _worker(args: tuple[str, int, int, int]) -> float:
    root, index, count, size = args
    store = LocalStore(root, reconcile=False)
    items = blobs(count, size, seed=1000 + index)
    elapsed = timed(lambda: commit_all(store, items, f"p{index}"))
    store.close()
    return elapsed


def run_processes(root: Path, processes: int, count: int, size: int) -> float:
    LocalStore(root).close()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_worker, [(str(root), i, count, size) for i in range(processes)])
    return processes * count / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="blobs per repeat")
    parser.add_argument("--size", type=int, default=1024, help="bytes per blob")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, default=None, help="where LocalStores are made")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}, load {os.getloadavg()[0]:.1f}"
    )
    print(f"{args.n} blobs of {args.size} bytes, best of {args.repeat}\n")
    items = blobs(args.n, args.size, seed=1)
    with tempfile.TemporaryDirectory(dir=args.root) as tmp:
        makers: dict[str, Callable[[int], Store]] = {
            "LocalStore": lambda rep: LocalStore(Path(tmp) / f"local{rep}"),
            "MemoryStore": lambda rep: MemoryStore(),
        }
        results: dict[str, dict[str, float]] = {}
        for name, maker in makers.items():
            best: dict[str, float] = {}
            for rep in range(args.repeat):
                for op, rate in run_store(lambda rep=rep, maker=maker: maker(rep), items).items():
                    best[op] = max(best.get(op, 0.0), rate)
            results[name] = best
        print("| operation | LocalStore /s | MemoryStore /s |")
        print("|---|---:|---:|")
        for op in results["LocalStore"]:
            local, memory = results["LocalStore"][op], results["MemoryStore"][op]
            print(f"| {op} | {local:,.0f} | {memory:,.0f} |")
        if args.processes > 1:
            per = max(args.n // args.processes, 1)
            rate = run_processes(Path(tmp) / "shared", args.processes, per, args.size)
            print(f"\n{args.processes} processes sharing one LocalStore: {rate:,.0f} commits/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
