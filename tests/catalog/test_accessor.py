"""The df.mst accessor on classify() and Catalog frames."""

from __future__ import annotations

import pandas as pd
import pytest

import mstoolkit.catalog  # noqa: F401 - registers df.mst
from mstoolkit.catalog import classify
from mstoolkit.catalog.schema import CLASSIFY, MANIFESTS, conform
from mstoolkit.errors import InvalidArgument
from tests.support.fixtures_data import FIXTURES


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return classify(FIXTURES / "blobs", workers=1)


def test_schema1_and_invalid_select_rows_by_kind(frame: pd.DataFrame) -> None:
    """schema1() and invalid() return exactly the rows of that kind."""
    assert len(frame.mst.schema1()) == (frame["kind"] == "schema1").sum() == 14
    assert set(frame.mst.invalid()["kind"]) == {"invalid"}
    with pytest.raises(InvalidArgument):
        frame.mst.of_kind("schema3")


def test_prevalence_counts_share_and_sorts(frame: pd.DataFrame) -> None:
    """prevalence(by=...) gives total, count of the kind and share per group, largest count
    first, and the counts add up to the frame."""
    table = frame.mst.prevalence(by="media_type", kind="oci-index")
    assert list(table.columns) == ["total", "count", "share"]
    assert table["total"].sum() == len(frame)
    assert table["count"].iloc[0] == table["count"].max()
    top = table.index[0]
    assert table.loc[top, "share"] == table.loc[top, "count"] / table.loc[top, "total"]
    overall = frame.mst.prevalence(by=None)
    assert overall.loc["all", "count"] == 14


def test_prevalence_by_repository_explodes_catalog_repositories() -> None:
    """On Catalog frames a manifest counts once in every repository its labels name."""
    rows = pd.DataFrame({name: [""] * 3 for name in MANIFESTS.names})
    rows["size"] = 1
    for column in ("schema_version", "layer_count", "layer_bytes"):
        rows[column] = None
    rows["first_seen"] = rows["last_seen"] = pd.Timestamp("2025-01-01", tz="UTC")
    rows["kind"] = ["schema1", "schema2", "schema1"]
    rows["repositories"] = ["r/a,r/b", "r/a", "r/b"]
    for column in [c for c in MANIFESTS.names if c.startswith("verdict")]:
        rows[column] = "ok"
    table = conform(rows, MANIFESTS).mst.prevalence(by="repository")
    assert table.loc["r/b", ["total", "count"]].tolist() == [2, 2]
    assert table.loc["r/a", ["total", "count"]].tolist() == [2, 1]


def test_verdicts_counts_rows_per_verdict_and_engine(frame: pd.DataFrame) -> None:
    """verdicts() is verdict × engine with counts summing to the rows in every column."""
    table = frame.mst.verdicts()
    assert list(table.index) == ["ok", "needs-env", "refused", "invalid"]
    assert (table.sum() == len(frame)).all()
    assert table.loc["needs-env", "docker_26"] == 14
    assert table.loc["needs-env", "docker_25"] == 0


def test_breaks_on_lists_what_an_upgrade_stops_pulling(frame: pd.DataFrame) -> None:
    """breaks_on('docker_28_2') is the schema1 rows (they pull on 25, not on 28.2)."""
    broken = frame.mst.breaks_on("docker_28_2")
    assert set(broken["kind"]) == {"schema1"}
    assert len(frame.mst.breaks_on("containerd_2_1")) == 14


def test_missing_columns_are_named_in_the_error() -> None:
    """On a frame without the needed columns the accessor says which are missing."""
    with pytest.raises(InvalidArgument, match="kind"):
        pd.DataFrame({"x": [1]}).mst.schema1()
    with pytest.raises(InvalidArgument, match="verdict_docker_25"):
        pd.DataFrame({"x": [1]}).mst.verdicts()


def test_accessor_keeps_no_state(frame: pd.DataFrame) -> None:
    """Answers follow the frame as it is now, not as it was when first asked."""
    copy = conform(frame, CLASSIFY)
    before = len(copy.mst.schema1())
    copy.loc[copy["kind"] == "schema1", "kind"] = "schema2"
    assert (before, len(copy.mst.schema1())) == (14, 0)
