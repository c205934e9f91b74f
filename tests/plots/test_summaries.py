"""The numbers behind the charts, on both catalog frame shapes."""

from __future__ import annotations

import pandas as pd
import pytest

from mstoolkit import mediatypes as mt
from mstoolkit import plots
from mstoolkit.catalog.schema import VERDICT_COLUMNS
from mstoolkit.errors import InvalidArgument
from mstoolkit.plots import (
    UNDETECTED,
    UNKNOWN,
    engine_label,
    history_counts,
    media_type_counts,
    schema1_prevalence,
    short_media_type,
    verdict_counts,
)
from tests.plots.frames import classify_frame, history_frame, manifests_frame


def test_public_names_are_sorted_and_listed() -> None:
    """The package exports a sorted __all__ and __dir__ shows exactly it."""
    assert plots.__all__ == sorted(plots.__all__)
    assert dir(plots) == plots.__all__


@pytest.mark.parametrize(
    ("media_type", "short"),
    [
        (mt.DOCKER_SCHEMA2, "Docker schema2"),
        (mt.DOCKER_SCHEMA1_SIGNED, "Docker schema1 (signed)"),
        (mt.OCI_INDEX, "OCI index"),
        ("", UNDETECTED),
        ("application/vnd.example.thing+json", "example.thing+json"),
    ],
)
def test_short_media_type_names_known_types_plainly(media_type: str, short: str) -> None:
    """Known media types get a plain name; unknown ones lose their application/vnd. prefix."""
    assert short_media_type(media_type) == short


def test_short_media_type_cuts_long_unknown_types() -> None:
    """An unknown media type longer than 40 characters is cut with an ellipsis."""
    label = short_media_type("application/vnd." + "x" * 80)
    assert len(label) == 40
    assert label.endswith("…")


def test_media_type_counts_orders_by_frequency_and_shares_add_up() -> None:
    """Counts per media type come most frequent first and their shares sum to one."""
    counts = media_type_counts(classify_frame())
    assert list(counts["count"]) == [6, 5, 5, 2, 1, 1]
    assert counts["count"].sum() == 20
    assert counts["share"].sum() == pytest.approx(1.0)
    assert counts.loc[counts["media_type"] == "", "label"].item() == UNDETECTED
    assert counts.iloc[0]["label"] == "Docker schema1 (signed)"


def test_schema1_prevalence_by_repository_on_classify_frame() -> None:
    """Each repository's schema1 count and share, worst first, empty names as unknown."""
    table = schema1_prevalence(classify_frame())
    assert list(table["repository"]) == ["library/old", "team/app", "library/new", UNKNOWN]
    assert list(table["schema1"]) == [6, 1, 0, 0]
    assert list(table["manifests"]) == [8, 4, 6, 2]
    assert table["share"].iloc[0] == pytest.approx(0.75)


def test_schema1_prevalence_counts_a_shared_manifest_in_each_repository() -> None:
    """On Catalog.manifests() frames a manifest counts once per repository that holds it."""
    table = schema1_prevalence(manifests_frame()).set_index("repository")
    assert table.loc["127.0.0.1:5000/library/hello", "schema1"] == 1
    assert table.loc["127.0.0.1:5000/library/tiny", "schema1"] == 1
    assert table.loc["127.0.0.1:5000/library/tiny", "manifests"] == 2
    assert table.loc["127.0.0.1:5000/cross/two", "manifests"] == 1


def test_schema1_prevalence_by_year_reads_in_order() -> None:
    """by='year' groups on the push date and lists the years oldest first."""
    table = schema1_prevalence(classify_frame(), by="year")
    assert list(table["year"]) == ["2016", "2017", "2018", "2019", "2020", "2023"]
    assert list(table["schema1"]) == [6, 1, 0, 0, 0, 0]


def test_schema1_prevalence_top_and_bad_arguments() -> None:
    """top keeps the worst groups; an unknown column or top < 1 is InvalidArgument."""
    assert len(schema1_prevalence(classify_frame(), top=2)) == 2
    with pytest.raises(InvalidArgument, match="no 'nope' column"):
        schema1_prevalence(classify_frame(), by="nope")
    with pytest.raises(InvalidArgument, match="top must be"):
        schema1_prevalence(classify_frame(), top=0)


def test_verdict_counts_per_engine() -> None:
    """Every engine's verdicts add up to the row count; schema1 is refused from Docker 28.2."""
    counts = verdict_counts(classify_frame())
    assert list(counts.index) == [engine_label(c) for c in VERDICT_COLUMNS]
    assert list(counts.columns) == ["ok", "needs-env", "refused", "invalid"]
    assert (counts.sum(axis=1) == 20).all()
    assert counts.loc["Docker 25", "ok"] == 18
    assert counts.loc["Docker 26–28.1", "needs-env"] == 7
    assert counts.loc["Docker 28.2", "refused"] == 7
    assert counts.loc["containerd 2.1", "invalid"] == 2


def test_verdict_counts_rejects_frames_without_verdicts() -> None:
    """A frame that is not a catalog frame gets a message naming the missing columns."""
    with pytest.raises(InvalidArgument, match="verdict_docker_25"):
        verdict_counts(pd.DataFrame({"kind": ["schema1"]}))


def test_history_counts_are_cumulative_per_reason() -> None:
    """History lines count each reason's changes up to each time."""
    lines = history_counts(history_frame())
    assert list(lines.columns) == ["manifest fetched", "manifest seen in repository"]
    assert list(lines["manifest fetched"]) == [1, 2, 2, 3, 3]
    assert list(lines["manifest seen in repository"]) == [0, 0, 1, 1, 2]
    assert str(lines.index.tz) == "UTC"


def test_history_counts_of_the_fetch_log_group_by_outcome() -> None:
    """A fetch-log frame (no reason column) is grouped by outcome."""
    log = pd.DataFrame({
        "at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"], utc=True),
        "outcome": ["fetched", "cached", "fetched"],
    })
    lines = history_counts(log)
    assert lines.columns.name == "outcome"
    assert lines["fetched"].iloc[-1] == 2
    assert lines["cached"].iloc[-1] == 1
