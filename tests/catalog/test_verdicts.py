"""Pull verdicts per engine, from the kind."""

from __future__ import annotations

import pandas as pd
import pytest

from mstoolkit.catalog.schema import VERDICT_COLUMNS, Kind, Verdict
from mstoolkit.catalog.verdicts import (
    Engine,
    verdict_for,
    verdict_frame,
    verdict_table,
    with_verdicts,
)
from mstoolkit.errors import InvalidArgument

SCHEMA1 = {
    Engine.DOCKER_25: Verdict.OK,
    Engine.DOCKER_26: Verdict.NEEDS_ENV,
    Engine.DOCKER_28_2: Verdict.REFUSED,
    Engine.DOCKER_29: Verdict.REFUSED,
    Engine.CONTAINERD_1_7: Verdict.OK,
    Engine.CONTAINERD_2_0: Verdict.NEEDS_ENV,
    Engine.CONTAINERD_2_1: Verdict.REFUSED,
}


@pytest.mark.parametrize(("engine", "expected"), SCHEMA1.items())
def test_schema1_verdicts_follow_each_engines_release_history(engine: Engine,
                                                              expected: Verdict) -> None:
    """schema1 pulls on Docker 25 and containerd 1.7, needs the env var on Docker 26–28.1
    and containerd 2.0, and is refused from Docker 28.2 and containerd 2.1."""
    assert verdict_for(Kind.SCHEMA1, engine) is expected


@pytest.mark.parametrize("kind", [Kind.SCHEMA2, Kind.LIST, Kind.OCI_MANIFEST, Kind.OCI_INDEX])
def test_current_formats_pull_everywhere(kind: Kind) -> None:
    """Schema2, lists, OCI manifests and indexes are ok on every engine."""
    assert {verdict_for(kind, e) for e in Engine} == {Verdict.OK}


def test_invalid_blobs_are_invalid_and_unknown_types_refused_everywhere() -> None:
    """A broken blob is 'invalid' and an unknown media type 'refused' on every engine."""
    assert {verdict_for(Kind.INVALID, e) for e in Engine} == {Verdict.INVALID}
    assert {verdict_for(Kind.OTHER, e) for e in Engine} == {Verdict.REFUSED}


def test_artifacts_are_refused_by_docker_and_fetched_by_containerd() -> None:
    """Docker refuses non-image artifacts; containerd stores them."""
    docker = {verdict_for(Kind.ARTIFACT, e) for e in Engine if e.value.startswith("docker")}
    containerd = {verdict_for(Kind.ARTIFACT, e) for e in Engine if "containerd" in e.value}
    assert (docker, containerd) == ({Verdict.REFUSED}, {Verdict.OK})


def test_engine_columns_are_the_schema_verdict_columns_in_order() -> None:
    """Engine order and the schema's verdict column names agree one to one."""
    assert tuple(e.column for e in Engine) == VERDICT_COLUMNS


def test_verdict_frame_equals_the_scalar_rule_row_by_row() -> None:
    """The vectorised verdicts equal verdict_for on every row, index kept."""
    kinds = pd.Series([k.value for k in Kind] * 3, index=range(100, 124))
    frame = verdict_frame(kinds)
    assert list(frame.index) == list(kinds.index)
    for idx, kind in kinds.items():
        for engine in Engine:
            assert frame.at[idx, engine.column] == verdict_for(kind, engine).value


def test_verdict_table_has_one_row_per_kind_and_column_per_engine() -> None:
    """The facts table is kinds × engines."""
    table = verdict_table()
    assert list(table.index) == [k.value for k in Kind]
    assert list(table.columns) == [e.value for e in Engine]
    assert table.loc["schema1", "docker_26"] == "needs-env"


def test_with_verdicts_replaces_stale_columns_and_needs_kind() -> None:
    """with_verdicts recomputes verdict columns from kind; without kind it refuses."""
    frame = pd.DataFrame({"kind": ["schema1"], "verdict_docker_25": ["refused"]})
    out = with_verdicts(frame)
    assert out.loc[0, "verdict_docker_25"] == "ok"
    assert list(out.columns) == ["kind", *VERDICT_COLUMNS]
    with pytest.raises(InvalidArgument):
        with_verdicts(pd.DataFrame({"x": [1]}))


def test_unknown_kind_or_engine_is_invalid_argument() -> None:
    """Typos in a kind or engine name raise InvalidArgument, not KeyError."""
    with pytest.raises(InvalidArgument):
        verdict_for("schema3", Engine.DOCKER_25)
    with pytest.raises(InvalidArgument):
        verdict_frame(pd.Series(["schema3"]))
