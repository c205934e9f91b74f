"""The catalog's one module of column names and dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from mstoolkit.catalog import schema
from mstoolkit.catalog.schema import CLASSIFY, TABLES, Dtype, Kind, conform, empty_frame
from mstoolkit.errors import InvalidArgument


@pytest.mark.parametrize("name", sorted(TABLES))
def test_empty_frame_has_the_declared_columns_and_dtypes(name: str) -> None:
    """An empty frame of each table lists its columns in order with the canonical dtypes."""
    table = TABLES[name]
    frame = empty_frame(table)
    assert tuple(frame.columns) == table.names
    for col in table.columns:
        if col.dtype is Dtype.CATEGORY:
            assert isinstance(frame[col.name].dtype, pd.CategoricalDtype)
            assert tuple(frame[col.name].cat.categories) == col.categories
        else:
            assert frame[col.name].dtype == pd.Series([], dtype=col.dtype.value).dtype


@pytest.mark.parametrize("name", sorted(TABLES))
def test_arrow_schema_matches_the_table(name: str) -> None:
    """The Arrow schema used for Parquet names the same columns in the same order."""
    table = TABLES[name]
    assert tuple(schema.arrow_schema(table).names) == table.names


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {name: "" for name in CLASSIFY.names}
    row.update(size=1, created=None, kind="oci-manifest", **{
        v: "ok" for v in schema.VERDICT_COLUMNS})
    row.update(overrides)
    return row


def test_conform_orders_categories_known_first_then_sorted() -> None:
    """Unknown media types follow the known ones, sorted, whatever order they arrived in."""
    raw = pd.DataFrame([_row(media_type="application/zz"), _row(media_type="application/aa"),
                        _row(media_type=schema.KNOWN_MEDIA_TYPES[1])])
    frame = conform(raw, CLASSIFY)
    cats = list(frame["media_type"].cat.categories)
    assert cats == [*schema.KNOWN_MEDIA_TYPES, "application/aa", "application/zz"]
    assert list(frame["media_type"]) == ["application/zz", "application/aa",
                                         schema.KNOWN_MEDIA_TYPES[1]]


def test_conform_is_idempotent_and_drops_extra_columns() -> None:
    """Conforming twice changes nothing, and columns outside the table are dropped."""
    raw = pd.DataFrame([_row(extra="x", registry=None)])
    once = conform(raw, CLASSIFY)
    assert "extra" not in once.columns
    assert once["registry"].tolist() == [""]
    pd.testing.assert_frame_equal(once, conform(once, CLASSIFY))


def test_conform_refuses_a_frame_missing_columns() -> None:
    """A frame without a table column is an InvalidArgument naming the column."""
    with pytest.raises(InvalidArgument, match="digest"):
        conform(pd.DataFrame([_row()]).drop(columns=["digest"]), CLASSIFY)


def test_verdict_categories_are_ordered_best_first() -> None:
    """Verdict columns are ordered categoricals, so max() across engines is the worst."""
    dtype = CLASSIFY.column("verdict_docker_26").pandas_dtype()
    assert isinstance(dtype, pd.CategoricalDtype)
    assert dtype.ordered
    assert list(dtype.categories) == ["ok", "needs-env", "refused", "invalid"]


def test_kinds_and_error_labels_are_closed_sets() -> None:
    """Kinds cover every row (invalid included) and errors include moby's conflicts."""
    assert [k.value for k in Kind] == ["schema1", "schema2", "list", "oci-manifest",
                                       "oci-index", "artifact", "other", "invalid"]
    labels = schema.error_categories()
    assert labels[0] == ""
    assert schema.conflict_label(schema.KNOWN_MEDIA_TYPES[1]) in labels
    assert len(set(labels)) == len(labels)


def test_unknown_column_lookup_is_an_invalid_argument() -> None:
    """Asking a table for a column it does not have raises InvalidArgument."""
    with pytest.raises(InvalidArgument):
        CLASSIFY.column("nope")
