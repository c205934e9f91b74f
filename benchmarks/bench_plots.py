"""Time the chart numbers, the charts and the report on a large classify() frame.

The bundled dump (25,000 manifests) is classified once and repeated until the frame has
``-n`` rows, so the figures are for realistic categories at notebook scale. Prints the best
of ``--repeat`` runs per step, and the same step on the 25,000-row frame as the baseline.

    .venv/bin/python benchmarks/bench_plots.py -n 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.figure import Figure

from mstoolkit.catalog import classify
from mstoolkit.catalog.schema import CLASSIFY, conform
from mstoolkit.cli.report import write_report
from mstoolkit.plots import (
    media_type_counts,
    plot_media_types,
    plot_schema1_prevalence,
    plot_verdicts,
    schema1_prevalence,
    verdict_counts,
)

DUMP = Path(__file__).resolve().parent.parent / "data" / "manifests.jsonl.zst"


def best(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def chart(draw: Callable[..., object], frame: pd.DataFrame) -> Callable[[], object]:
    def run() -> None:
        figure = Figure(figsize=(9, 6), layout="constrained")
        draw(frame, ax=figure.add_subplot())
        figure.savefig(Path(tempfile.gettempdir()) / "bench_plots.png", dpi=100)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="rows of the large frame")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="also time write_report")
    args = parser.parse_args()

    small = classify(DUMP, progress=False)
    copies = max(1, args.n // len(small))
    large = conform(pd.concat([small] * copies, ignore_index=True), CLASSIFY)
    print(f"frames: {len(small):,} and {len(large):,} rows "
          f"({large.memory_usage(deep=True).sum() / 1e6:.0f} MB)")
    steps: list[tuple[str, Callable[[pd.DataFrame], Callable[[], object]]]] = [
        ("media_type_counts", lambda f: lambda: media_type_counts(f)),
        ("schema1_prevalence(by=repository)", lambda f: lambda: schema1_prevalence(f)),
        ("schema1_prevalence(by=year)", lambda f: lambda: schema1_prevalence(f, by="year")),
        ("verdict_counts", lambda f: lambda: verdict_counts(f)),
        ("plot_media_types + PNG", lambda f: chart(plot_media_types, f)),
        ("plot_schema1_prevalence + PNG", lambda f: chart(plot_schema1_prevalence, f)),
        ("plot_verdicts + PNG", lambda f: chart(plot_verdicts, f)),
    ]
    if args.report:
        out = Path(tempfile.mkdtemp(prefix="bench-report-"))
        steps.append(("write_report (all charts, CSVs, page)",
                      lambda f: lambda: write_report(f, out)))
    print(f"{'step':<42} {len(small):>10,} rows {len(large):>12,} rows")
    for name, make in steps:
        t_small = best(make(small), args.repeat)
        t_large = best(make(large), args.repeat)
        print(f"{name:<42} {t_small * 1000:>12.0f} ms {t_large * 1000:>14.0f} ms")


if __name__ == "__main__":
    main()
