"""Catalog.manifests() over a LocalStore of N cached manifests, beside its floors.

    .venv/bin/python benchmarks/bench_catalog.py                # N = 100,000 (issue 7: < 5 s)
    .venv/bin/python benchmarks/bench_catalog.py -n 10000 --repeat 5

The store is built once under ``benchmarks/corpus/catalog-store-n<N>/`` (ignored by git):
the synthetic dump's manifests (``mstoolkit.catalog.synth``, seed 20240227) are written as
blob files and each gets its distribution-source label through ``LocalStore.update`` (which
records the label history, as the manifest store does). Writing through ``write_blob``
would be the honest path but fsyncs every commit (~5 ms each here, 8 minutes for 100k);
the resulting store is the same.

Printed, each the best of ``--repeat`` runs in this process, warm page cache, wall and CPU
seconds (CPU of this process only: the pool's workers are not in it):

* ``walk()`` alone, ``walk()`` + ``read()`` of every blob (the floor of a catalog built on
  the four methods of ``CatalogStore``), and ``iter_blobs()`` (``LocalStore``'s one-pass
  listing and reading, the floor of the catalog's fast path);
* ``Catalog.manifests()`` (fast path: ``iter_blobs`` and ``label_spans``), and its
  baseline in the same run: the same catalog over the same store seen only through
  ``walk``/``read``/``label_history``/``fetch_log``, as any other store is read;
* with a 2-process pool (reading and decoding in workers while the parent walks), and
  ``validate=True``;
* ``layers()`` and ``platforms()``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mstoolkit.catalog.catalog import Catalog
from mstoolkit.catalog.synth import DEFAULT_SEED, generate
from mstoolkit.content import Info, LocalStore
from mstoolkit.digest import Digest

HERE = Path(__file__).resolve().parent
SOURCE = "containerd.io/distribution.source."


def build_store(root: Path, n: int) -> LocalStore:
    """A LocalStore holding *n* synthetic manifests with their source labels."""
    done = root / ".complete"
    if done.exists():
        return LocalStore(root)
    store = LocalStore(root)
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for i, record in enumerate(generate(n, DEFAULT_SEED)):
        data = record.blob.encode()
        digest = Digest.from_bytes(data)
        path = blobs / digest.encoded
        if not path.exists():
            path.write_bytes(data)
        key = SOURCE + record.registry
        current = store.info(digest).labels.get(key, "")
        repos = ",".join(sorted({*current.split(","), record.repository} - {""}))
        store.update(Info(digest, labels={key: repos}), f"labels.{key}",
                     reason="manifest fetched")
        if i % 10_000 == 0:
            print(f"  building store: {i:,}/{n:,}", file=sys.stderr)
    done.write_text("ok")
    print(f"  built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return store


class GenericView:
    """The store seen only through ``CatalogStore``'s four methods (no ``iter_blobs`` or
    ``label_spans``): how the catalog reads any store without the bulk API."""

    def __init__(self, store: LocalStore) -> None:
        self.walk = store.walk
        self.read = store.read
        self.label_history = store.label_history
        self.fetch_log = store.fetch_log


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(wall s, CPU s) of the fastest of *repeat* runs, and its result."""
    runs = []
    result: object = None
    for _ in range(repeat):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    wall, cpu = min(runs)
    return wall, cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = HERE / "corpus" / f"catalog-store-n{args.n}"
    store = build_store(root, args.n)
    catalog = Catalog(store)

    def walk() -> int:
        return sum(1 for _ in store.walk())

    def walk_read() -> int:
        return sum(1 for info in store.walk() if store.read(info.digest) is not None)

    def iter_blobs() -> int:
        return sum(1 for _, data in store.iter_blobs() if data is not None)

    rows = [
        ("walk()", walk),
        ("walk() + read()", walk_read),
        ("iter_blobs()", iter_blobs),
        ("Catalog.manifests() via walk() + read() (baseline)",
         Catalog(GenericView(store)).manifests),
        ("Catalog.manifests()", catalog.manifests),
        ("Catalog(workers=2).manifests() (pool)", Catalog(store, workers=2).manifests),
        ("Catalog(validate=True).manifests()", Catalog(store, validate=True).manifests),
        ("Catalog.layers()", catalog.layers),
        ("Catalog.platforms()", catalog.platforms),
    ]
    print(f"# Catalog over {args.n:,} cached manifests — {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f}")
    print(f"| what | s (best of {args.repeat}) | CPU s | blobs/s | rows |")
    print("|---|---:|---:|---:|---:|")
    for name, fn in rows:
        seconds, cpu, result = best(fn, args.repeat)
        count = result if isinstance(result, int) else len(result)  # type: ignore[arg-type]
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {args.n / seconds:,.0f} | {count:,} |",
              flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
