"""The report: PNG charts, CSV tables and one small HTML page that shows them, in a folder.

Written from any catalog frame (``classify()`` rows or ``Catalog.manifests()`` rows), so
``mstoolkit report`` (the cache) and ``mstoolkit demo`` (the bundled dump) share it. The page
is static and self-contained apart from its images and CSVs, which sit next to it, so the
folder can be zipped, attached to a ticket or served as is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd
from matplotlib.figure import Figure

from mstoolkit.catalog.schema import Kind
from mstoolkit.errors import InvalidArgument
from mstoolkit.plots import (
    engine_label,
    media_type_counts,
    plot_history,
    plot_media_types,
    plot_schema1_prevalence,
    plot_verdicts,
    schema1_prevalence,
    verdict_counts,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DEFAULT_REPORT_DIR",
    "ReportFiles",
    "prevalence_key",
    "write_report",
]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Where reports go when no ``-o`` is given (relative to the working directory).
DEFAULT_REPORT_DIR: Final = "mstoolkit-report"
_DPI: Final = 100
_DATE_COLUMNS: Final = ("created", "first_seen")


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What :func:`write_report` wrote, all inside ``directory``."""

    directory: Path
    page: Path
    charts: tuple[Path, ...]
    tables: tuple[Path, ...]
    rows: int
    schema1: int


def prevalence_key(frame: pd.DataFrame) -> str:
    """The most telling grouping for the schema1 chart: repository, else registry, else source.

    A folder of blobs knows no repository; grouping it by repository would draw one bar
    called "(unknown)", so the first column that actually names something is used.
    """
    for key, column in (("repository", "repository"), ("repository", "repositories"),
                        ("registry", "registry"), ("source", "source")):
        if column in frame.columns and (frame[column].astype("object").fillna("") != "").any():
            return key
    return "repository"


def _has_dates(frame: pd.DataFrame) -> bool:
    return any(c in frame.columns and frame[c].notna().any() for c in _DATE_COLUMNS)


def _chart(path: Path, draw: Callable[[Axes], object], *, bars: int) -> Path:
    figure = Figure(figsize=(9, max(3.2, 0.42 * bars + 1.8)), layout="constrained")
    draw(figure.add_subplot())
    figure.savefig(path, dpi=_DPI)
    return path


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, escape=True, classes="table", na_rep="—")


def write_report(
    frame: pd.DataFrame,
    directory: str | Path = DEFAULT_REPORT_DIR,
    *,
    title: str = "mstoolkit report",
    note: str = "",
    history: pd.DataFrame | None = None,
    top: int = 20,
) -> ReportFiles:
    """Write charts, CSVs and ``index.html`` for *frame* into *directory* (created if needed).

    *note* says where the data came from (shown under the title); *history* (a
    ``label_history()`` or ``fetches()`` frame) adds the history chart when it has rows.
    Existing files of the same names are replaced; other files are left alone.
    """
    if "kind" not in frame.columns:
        raise InvalidArgument("the report needs a catalog frame (classify() or manifests())")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    key = prevalence_key(frame)
    charts: list[tuple[str, Path]] = []
    tables: list[tuple[str, Path]] = []

    media = media_type_counts(frame)
    charts.append(("Media types", _chart(out / "media-types.png",
                                         lambda ax: plot_media_types(frame, ax=ax),
                                         bars=len(media))))
    prevalence = schema1_prevalence(frame, by=key)
    charts.append((f"Schema1 by {key}", _chart(
        out / f"schema1-by-{key}.png",
        lambda ax: plot_schema1_prevalence(frame, by=key, top=top, ax=ax),
        bars=min(top, len(prevalence)))))
    by_year = None
    if _has_dates(frame):
        by_year = schema1_prevalence(frame, by="year")
        charts.append(("Schema1 by year", _chart(
            out / "schema1-by-year.png",
            lambda ax: plot_schema1_prevalence(frame, by="year", top=50, ax=ax),
            bars=min(50, len(by_year)))))
    verdicts = verdict_counts(frame)
    charts.append(("Verdicts", _chart(out / "verdicts.png",
                                      lambda ax: plot_verdicts(frame, ax=ax), bars=8)))
    if history is not None and not history.empty:
        charts.append(("History", _chart(out / "history.png",
                                         lambda ax: plot_history(history, ax=ax), bars=8)))

    for name, table in (("media-types", media), (f"schema1-by-{key}", prevalence),
                        ("schema1-by-year", by_year),
                        ("verdicts", verdicts.reset_index())):
        if table is not None:
            path = out / f"{name}.csv"
            table.to_csv(path, index=False)
            tables.append((name, path))
    rows_path = out / "manifests.csv"
    frame.to_csv(rows_path, index=False)
    tables.append(("every row", rows_path))

    schema1 = int((frame["kind"].astype("object") == Kind.SCHEMA1.value).sum())
    page = out / "index.html"
    page.write_text(
        _page(title, note, len(frame), schema1, verdicts, prevalence.head(top), charts, tables,
              out),
        encoding="utf-8",
    )
    return ReportFiles(
        directory=out,
        page=page,
        charts=tuple(p for _, p in charts),
        tables=tuple(p for _, p in tables),
        rows=len(frame),
        schema1=schema1,
    )


_CSS: Final = """
body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0.2em} .note{color:#555;margin-top:0}
.figures{display:flex;gap:2em;flex-wrap:wrap;margin:1em 0}
.figure{font-size:1.6em;font-weight:600} .figure span{display:block;font-size:0.5em;color:#555}
table.table{border-collapse:collapse;margin:0.5em 0 1.5em} .table td,.table th{padding:0.2em
0.7em;border-bottom:1px solid #ddd;text-align:right} .table td:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee;margin:0.5em 0}
"""


def _page(
    title: str,
    note: str,
    rows: int,
    schema1: int,
    verdicts: pd.DataFrame,
    prevalence: pd.DataFrame,
    charts: list[tuple[str, Path]],
    tables: list[tuple[str, Path]],
    out: Path,
) -> str:
    esc = html.escape
    share = f"{schema1 / rows:.1%}" if rows else "—"
    engine = engine_label("verdict_docker_28_2")
    counts = verdicts.to_dict(orient="index").get(engine, {})
    stop = int(counts.get("refused", 0)) + int(counts.get("invalid", 0))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    figures = "".join(
        f"<div class='figure'>{esc(value)}<span>{esc(label)}</span></div>"
        for value, label in (
            (f"{rows:,}", "manifests"),
            (f"{schema1:,}", "Docker schema1"),
            (share, "schema1 share"),
            (f"{stop:,}", f"will not pull on {engine}"),
        )
    )
    images = "".join(
        f"<h2>{esc(name)}</h2><img src='{esc(path.relative_to(out).as_posix())}' "
        f"alt='{esc(name)}'>"
        for name, path in charts
    )
    links = "".join(
        f"<li><a href='{esc(path.relative_to(out).as_posix())}'>{esc(path.name)}</a> "
        f"({esc(name)})</li>"
        for name, path in tables
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1><p class='note'>{esc(note)} Generated {esc(generated)}.</p>"
        f"<div class='figures'>{figures}</div>"
        f"<h2>Will it pull?</h2>{_table_html(verdicts.reset_index())}"
        "<h2>Where the schema1 manifests are</h2>"
        f"{_table_html(prevalence.assign(share=prevalence['share'].map('{:.1%}'.format)))}"
        f"{images}<h2>Data</h2><ul>{links}</ul></body></html>"
    )
