"""classify() over the real fixtures: moby's answers, every engine agreeing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mstoolkit.catalog.classify import classify, read_classified
from mstoolkit.catalog.schema import CLASSIFY, Kind
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.main import main
from mstoolkit.errors import InvalidArgument
from tests.catalog.inputs import expected_label
from tests.support.fixtures_data import FIXTURES, expected_rows


@pytest.fixture(scope="module")
def fixture_frame() -> pd.DataFrame:
    return classify(FIXTURES / "blobs", workers=1)


def test_classify_fixtures_equals_expected_tsv(fixture_frame: pd.DataFrame) -> None:
    """Every fixture blob gets EXPECTED.tsv's media type (gate open) and error label."""
    got = {
        f"blobs/{row.locator}": (row.media_type, row.error)
        for row in fixture_frame.itertuples()
    }
    want = {
        row.file: (row.expected_media_type, expected_label(row.expected_error))
        for row in expected_rows()
    }
    assert got == want


def test_classify_fixture_rows_are_complete_and_typed(fixture_frame: pd.DataFrame) -> None:
    """One row per blob, canonical columns, real sha256 digests and sizes."""
    assert tuple(fixture_frame.columns) == CLASSIFY.names
    assert len(fixture_frame) == len(expected_rows())
    first = fixture_frame.iloc[0]
    data = (FIXTURES / "blobs" / first.locator).read_bytes()
    assert first["size"] == len(data)
    assert first.digest.startswith("sha256:")
    assert len(first.digest) == 71
    assert set(fixture_frame["source"]) == {str(FIXTURES / "blobs")}


def test_invalid_rows_have_kind_invalid_and_invalid_verdicts(fixture_frame: pd.DataFrame) -> None:
    """A row has an error exactly when its kind is invalid, and then every verdict is."""
    bad = fixture_frame["error"] != ""
    assert (bad == (fixture_frame["kind"] == Kind.INVALID)).all()
    verdicts = fixture_frame.loc[bad, [c for c in CLASSIFY.names if c.startswith("verdict")]]
    assert (verdicts == "invalid").all().all()


def test_schema1_fixtures_are_schema1_and_refused_by_docker_28_2(
    fixture_frame: pd.DataFrame,
) -> None:
    """The 14 schema1 fixtures are kind schema1, need the env on 26 and are refused on 28.2."""
    schema1 = fixture_frame[fixture_frame["kind"] == Kind.SCHEMA1]
    assert len(schema1) == 14
    assert set(schema1["verdict_docker_26"]) == {"needs-env"}
    assert set(schema1["verdict_docker_28_2"]) == {"refused"}


def test_artifacts_are_told_from_images(fixture_frame: pd.DataFrame) -> None:
    """OCI manifests with artifactType or a non-image config are artifacts, others images."""
    by_name = fixture_frame.set_index("locator")["kind"]
    assert by_name["containers-image/oci1-artifact.json"] == "artifact"
    assert by_name["containers-image/oci1-config.json"] == "oci-manifest"


def test_two_processes_equal_one(fixture_frame: pd.DataFrame) -> None:
    """The pool engine with small chunks returns exactly the single-process frame."""
    pd.testing.assert_frame_equal(classify(FIXTURES / "blobs", workers=2, chunk_size=7),
                                  fixture_frame)


def test_parquet_output_equals_in_memory_frame(fixture_frame: pd.DataFrame,
                                              tmp_path: Path) -> None:
    """Rows streamed to Parquet read back equal to the in-memory frame; the call returns
    the summary whose counts add up to the rows."""
    out = tmp_path / "rows.parquet"
    summary = classify(FIXTURES / "blobs", workers=2, chunk_size=16, output=out)
    pd.testing.assert_frame_equal(read_classified(out), fixture_frame)
    assert summary["count"].sum() == len(fixture_frame)
    top = summary.iloc[0]
    images = (fixture_frame.kind == "oci-manifest").sum()
    assert (top.kind, top["count"]) == ("oci-manifest", images)


def test_bad_arguments_are_invalid_argument(tmp_path: Path) -> None:
    """Unknown engines, non-positive chunk sizes and worker counts are InvalidArgument."""
    with pytest.raises(InvalidArgument):
        classify(tmp_path, engine="spark")  # type: ignore[call-overload]
    with pytest.raises(InvalidArgument):
        classify(tmp_path, chunk_size=0)
    with pytest.raises(InvalidArgument):
        classify(tmp_path, workers=0)


def test_empty_input_gives_an_empty_typed_frame(tmp_path: Path) -> None:
    """An empty folder classifies to zero rows with the canonical columns."""
    frame = classify(tmp_path, workers=1)
    assert len(frame) == 0
    assert tuple(frame.columns) == CLASSIFY.names


def test_a_negative_limit_is_an_invalid_argument(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """classify(limit=-1) raises InvalidArgument like a zero chunk_size (it used to call
    every blob too-large), and `mstoolkit classify --limit -1` exits with the invalid
    argument code and one line, as `--chunk-size 0` does; a zero limit is allowed."""
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a").write_bytes(b"{}")
    with pytest.raises(InvalidArgument, match="limit"):
        classify(dump, workers=1, limit=-1)
    assert classify(dump, workers=1, limit=0)["error"].astype(str).tolist() == ["too-large"]
    for flag, value in (("--limit", "-1"), ("--chunk-size", "0")):
        assert main(["classify", flag, value, "-q", str(dump)]) == ExitCode.INVALID_ARGUMENT
        assert capsys.readouterr().err.count("\n") == 1


def test_pool_workers_fork_only_from_a_single_threaded_process(tmp_path: Path) -> None:
    """With another thread running (as in a Jupyter kernel) workers come from a fork
    server instead of a fork of the threaded process, and the rows are the same."""
    import threading  # noqa: PLC0415

    from mstoolkit.catalog.classify import start_method  # noqa: PLC0415

    dump = tmp_path / "dump"
    dump.mkdir()
    for row in expected_rows()[:40]:
        (dump / row.file.replace("/", "_")).write_bytes(row.read())
    alone = classify(dump, workers=2, chunk_size=7)
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)
    busy.start()
    try:
        assert start_method() == "forkserver"
        threaded = classify(dump, workers=2, chunk_size=7)
    finally:
        stop.set()
        busy.join()
    pd.testing.assert_frame_equal(alone, threaded)
