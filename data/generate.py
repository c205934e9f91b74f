#!/usr/bin/env python3
"""Regenerate data/manifests.jsonl.zst, the bundled synthetic dump (see data/README.md).

    .venv/bin/python data/generate.py                 # the committed file
    .venv/bin/python data/generate.py -n 200000 -o /tmp/big.jsonl.zst --seed 7

The records depend only on (n, seed); the generator is mstoolkit.catalog.synth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mstoolkit.catalog.synth import DEFAULT_N, DEFAULT_SEED, write_dump


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=DEFAULT_N, help=f"records (default {DEFAULT_N})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"RNG seed (default {DEFAULT_SEED})")
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).resolve().parent / "manifests.jsonl.zst",
                        help="output path; .zst compresses, anything else is plain JSON Lines")
    args = parser.parse_args()
    path = write_dump(args.output, args.n, args.seed)
    print(f"wrote {args.n} records to {path} ({path.stat().st_size / 1e6:.1f} MB)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
