"""Where the detector's time goes: the Go-exact label against its parts and a non-exact
orjson baseline, on blobs already in memory (no file I/O, no hashing).

    python benchmarks/bench_detect.py [--dir LAYOUT_OR_BLOB_DIR] [-n 20000] [--repeat 3]

Without --dir it generates a corpus with ../shared/bench/gen_corpus.py (seeded) into a
temporary folder. It prints one line per variant (µs per blob, blobs/s) and the share of
blobs that needed the exact slow path, then checks that every label equals the exact
path's label.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from mstoolkit.manifest import detect as det
from mstoolkit.manifest import detection_label
from mstoolkit.manifest.gojson import is_valid

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"


def load(directory: Path, limit: int) -> list[bytes]:
    blobs = directory / "blobs" / "sha256"
    folder = blobs if blobs.is_dir() else directory
    names = sorted(os.listdir(folder))[:limit]
    return [(folder / name).read_bytes() for name in names]


def orjson_label(data: bytes) -> str:
    """The bench's 'py-d' idea: orjson plus the rules, not Go-exact (a speed reference)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return "error:json-syntax"
    if doc.__class__ is not dict:
        return det.mediatypes.OCI_INDEX if doc is None else "error:json-type"
    media_type = doc.get("mediaType") or ""
    if media_type.__class__ is not str:
        return "error:json-type"
    flags = sum(flag for key, flag in det._EXACT.items() if flag and key in doc)
    kind, result = det._decide(media_type, flags)
    return result if kind == det._RESULT else "error:other"


def timed(name: str, fn: Callable[[bytes], object], blobs: list[bytes], repeat: int) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for blob in blobs:
            fn(blob)
        best = min(best, time.perf_counter() - start)
    per_blob = best / len(blobs)
    print(f"{name:<34} {per_blob * 1e6:8.2f} µs/blob {1 / per_blob:12,.0f} blobs/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path)
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        directory = args.dir
        if directory is None:
            if not GEN.exists():
                print(f"no --dir and no generator at {GEN}", file=sys.stderr)
                return 2
            subprocess.run([sys.executable, str(GEN), "-n", str(args.n), "--no-jsonl",
                            "--out", tmp, "--seed", "20240601"], check=True,
                           stdout=subprocess.DEVNULL)
            directory = Path(tmp) / "layout"
        blobs = load(directory, args.n)
    size = sum(map(len, blobs)) / len(blobs)
    slow = sum(det._fast_simdjson(blob) is None for blob in blobs)
    print(f"{len(blobs)} blobs, mean {size:,.0f} bytes; {slow} ({slow / len(blobs):.1%}) "
          "take the exact slow path")
    timed("detection_label (Go-exact)", detection_label, blobs, args.repeat)
    timed("  simdjson fast path alone", det._fast_simdjson, blobs, args.repeat)
    timed("  orjson fallback fast path alone", det._fast_orjson, blobs, args.repeat)
    timed("  exact slow path on every blob", det._slow, blobs, args.repeat)
    timed("  is_valid (Go grammar) alone", is_valid, blobs, args.repeat)
    timed("orjson + rules (not Go-exact)", orjson_label, blobs, args.repeat)
    exact = [det._slow(blob) for blob in blobs]
    fast = [det._probe(blob) for blob in blobs]
    print("labels equal the exact path's:", fast == exact)
    return 0 if fast == exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
