"""write_report: the charts, CSVs and HTML page that `mstoolkit report` and the demo write."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from mstoolkit.cli.report import prevalence_key, write_report
from mstoolkit.errors import InvalidArgument
from mstoolkit.plots import media_type_counts, schema1_prevalence
from tests.plots.frames import classify_frame, history_frame, manifests_frame

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_report_writes_charts_tables_and_a_page(tmp_path: Path) -> None:
    """Every chart is a PNG, every table a CSV, and the page shows and links them all."""
    out = tmp_path / "report"
    files = write_report(classify_frame(), out, note="From a test frame.",
                         history=history_frame())
    assert files.page == out / "index.html"
    assert [p.name for p in files.charts] == [
        "media-types.png", "schema1-by-repository.png", "schema1-by-year.png", "verdicts.png",
        "history.png",
    ]
    for chart in files.charts:
        assert chart.read_bytes().startswith(PNG_MAGIC)
    page = files.page.read_text(encoding="utf-8")
    linked = set(re.findall(r"(?:src|href)='([^']+)'", page))
    assert linked == {p.name for p in (*files.charts, *files.tables)}
    assert "From a test frame." in page
    assert "35.0%" in page
    assert (files.rows, files.schema1) == (20, 7)


def test_report_csvs_hold_the_chart_numbers(tmp_path: Path) -> None:
    """The CSVs are the numbers the charts draw, and manifests.csv is every row."""
    frame = classify_frame()
    files = write_report(frame, tmp_path)
    media = pd.read_csv(tmp_path / "media-types.csv", keep_default_na=False)
    assert list(media["count"]) == list(media_type_counts(frame)["count"])
    prevalence = pd.read_csv(tmp_path / "schema1-by-repository.csv")
    assert list(prevalence["schema1"]) == list(schema1_prevalence(frame)["schema1"])
    verdicts = pd.read_csv(tmp_path / "verdicts.csv").set_index("engine")
    assert verdicts.loc["Docker 28.2", "refused"] == 7
    assert len(pd.read_csv(tmp_path / "manifests.csv")) == 20
    assert "history.png" not in {p.name for p in files.charts}


def test_report_on_a_catalog_frame(tmp_path: Path) -> None:
    """A Catalog.manifests() frame reports schema1 by repository and by first-seen year."""
    files = write_report(manifests_frame(), tmp_path)
    names = {p.name for p in files.charts}
    assert {"schema1-by-repository.png", "schema1-by-year.png"} <= names
    assert files.schema1 == 1


def test_prevalence_key_falls_back_to_what_names_something() -> None:
    """A dump without repositories or registries is grouped by source file instead."""
    frame = classify_frame()
    assert prevalence_key(frame) == "repository"
    frame["repository"] = ""
    assert prevalence_key(frame) == "registry"
    frame["registry"] = ""
    assert prevalence_key(frame) == "source"


def test_report_refuses_frames_that_are_not_catalog_frames(tmp_path: Path) -> None:
    """A frame without kinds is an InvalidArgument, and nothing is written."""
    with pytest.raises(InvalidArgument, match="catalog frame"):
        write_report(pd.DataFrame({"x": [1]}), tmp_path / "none")
    assert not (tmp_path / "none").exists()
