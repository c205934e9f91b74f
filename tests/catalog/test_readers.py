"""Every input format classify() reads, built from the fixture blobs, gives the same answers."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pandas as pd
import pytest

from mstoolkit.catalog.classify import classify
from mstoolkit.catalog.readers import input_format, read_blobs
from tests.catalog.inputs import (
    FIXTURES,
    docker_save_files,
    fixture_blobs,
    image_parts,
    layout_files,
    record_lines,
    sha,
    utf8_blobs,
    write_folder,
    write_jsonl,
    write_parquet,
    write_tar,
)

Answer = tuple[str, str, str, str]


def _answers(frame: pd.DataFrame) -> list[Answer]:
    """(digest, media type, error, kind) of every row, sorted: what must not depend on the
    container the blobs came in."""
    cols = frame[["digest", "media_type", "error", "kind"]].astype(str)
    return sorted(tuple(row) for row in cols.itertuples(index=False))


@pytest.fixture(scope="module")
def folder_answers() -> dict[str, Answer]:
    frame = classify(FIXTURES / "blobs", workers=1)
    return {row[0]: row for row in _answers(frame)}


def _expected(folder_answers: dict[str, Answer], blobs: list[tuple[str, bytes]]) -> list[Answer]:
    return sorted(folder_answers[f"sha256:{sha(d)}"] for _, d in blobs)


def _image_rows(frame: pd.DataFrame) -> pd.DataFrame:
    parts = image_parts()
    names = {f"blobs/sha256/{sha(parts[k])}": k for k in ("manifest", "index")}
    rows = frame[frame["locator"].isin(names)]
    return rows.assign(role=rows["locator"].map(names)).set_index("role")


def test_input_formats_are_recognised_by_path(tmp_path: Path) -> None:
    """Directories, layouts, tarballs, JSON Lines (plain and compressed), Parquet, loose
    files and missing paths are told apart by what is on disk and by suffix."""
    write_folder(tmp_path / "layout", layout_files().items())
    (tmp_path / "dir").mkdir()
    cases = {"layout": "layout", "dir": "folder", "a.tar.gz": "tar", "a.tgz": "tar",
             "a.jsonl": "jsonl", "a.ndjson.zst": "jsonl-stream", "a.jsonl.gz": "jsonl-stream",
             "a.parquet": "parquet", "a.json": "file", "nope": "missing"}
    for name in cases:
        if not (tmp_path / name).exists() and name != "nope":
            (tmp_path / name).write_bytes(b"")
    assert {n: input_format(tmp_path / n).kind for n in cases} == cases


def test_oci_layout_classifies_manifests_and_skips_configs_and_layers(
    tmp_path: Path, folder_answers: dict[str, Answer]
) -> None:
    """A layout's unreferenced blobs are all classified, its image's config and layer are
    skipped, and descriptors give the declared media types."""
    extras = fixture_blobs()
    root = write_folder(tmp_path / "layout", layout_files(d for _, d in extras).items())
    frame = classify(root, workers=2, chunk_size=40)
    image = _image_rows(frame)
    assert len(frame) == len({sha(d) for _, d in extras}) + 2
    assert image.loc["index", "declared_media_type"] == "application/vnd.oci.image.index.v1+json"
    assert image.loc["manifest", "kind"] == "oci-manifest"
    rest = _answers(frame[~frame["locator"].isin(set(image["locator"]))])
    assert rest == sorted(set(_expected(folder_answers, extras)))


def test_layout_blob_that_does_not_hash_to_its_name_is_a_digest_mismatch(
    tmp_path: Path,
) -> None:
    """A layout blob whose bytes changed keeps its detection but is flagged and invalid."""
    root = write_folder(tmp_path / "layout", layout_files().items())
    manifest = image_parts()["manifest"]
    (root / "blobs" / "sha256" / sha(manifest)).write_bytes(manifest + b" ")
    frame = classify(root, workers=1)
    row = _image_rows(frame).loc["manifest"]
    assert (row["error"], row["kind"], row["media_type"]) == (
        "digest-mismatch", "invalid", "application/vnd.oci.image.manifest.v1+json")
    assert row["digest"] == f"sha256:{sha(manifest + b' ')}"


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz", ".tar.zst"])
def test_oci_tarball_equals_the_same_layout_on_disk(tmp_path: Path, suffix: str) -> None:
    """An OCI layout in a tarball (plain, gzip, zstd) classifies like the directory."""
    files = layout_files(d for _, d in utf8_blobs()[:40])
    directory = classify(write_folder(tmp_path / "layout", files.items()), workers=1)
    tarball = classify(write_tar(tmp_path / f"image{suffix}", files), workers=2, chunk_size=9)
    assert _answers(tarball) == _answers(directory)
    cols = ["locator", "declared_media_type"]
    in_tar = tarball[cols].astype(str).sort_values("locator").reset_index(drop=True)
    on_disk = directory[cols].astype(str).sort_values("locator").reset_index(drop=True)
    pd.testing.assert_frame_equal(in_tar, on_disk)


def test_docker_save_archive_yields_only_its_manifests(tmp_path: Path) -> None:
    """A docker-save tarball gives its index and manifest; configs, layers, manifest.json,
    repositories and oci-layout are not rows."""
    frame = classify(write_tar(tmp_path / "save.tar", docker_save_files()), workers=1)
    assert sorted(frame["kind"].astype(str)) == ["oci-index", "oci-manifest"]
    assert set(_image_rows(frame).index) == {"index", "manifest"}


def test_plain_tarball_of_blobs_classifies_every_member(
    tmp_path: Path, folder_answers: dict[str, Answer]
) -> None:
    """A tarball that is not an image layout is a bag of blobs, one row per member."""
    blobs = fixture_blobs()
    frame = classify(write_tar(tmp_path / "dump.tar.gz", dict(blobs)), workers=2, chunk_size=50)
    assert _answers(frame) == _expected(folder_answers, blobs)
    assert list(frame["locator"]) == [name for name, _ in blobs]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".ndjson.zst"])
def test_jsonl_records_equal_the_folder_and_number_lines(
    tmp_path: Path, suffix: str, folder_answers: dict[str, Answer]
) -> None:
    """Bench-corpus records, plain or compressed, give the folder's answers; locators are
    1-based line numbers even when the file is cut into many ranges or blocks."""
    blobs = utf8_blobs()
    path = write_jsonl(tmp_path / f"dump{suffix}", record_lines(blobs))
    frame = classify(path, workers=2, chunk_size=3)
    assert _answers(frame) == _expected(folder_answers, blobs)
    assert list(frame["locator"]) == [str(i) for i in range(1, len(blobs) + 1)]
    assert (frame["digest"] == [f"sha256:{sha(d)}" for _, d in blobs]).all()


def test_jsonl_raw_manifest_lines_and_blank_lines(tmp_path: Path) -> None:
    """Lines that are manifests themselves are classified as such (like the same bytes in
    files); blank lines are counted for numbering but are not rows."""
    lines = [d.strip() for _, d in utf8_blobs() if d.strip() and b"\n" not in d.strip()]
    content = b"\n\n".join(lines) + b"\n"
    frame = classify(write_jsonl(tmp_path / "raw.jsonl", content), workers=2, chunk_size=1)
    as_files = write_folder(tmp_path / "files", ((str(i), d) for i, d in enumerate(lines)))
    assert len(frame) == len(lines)
    assert list(frame["locator"]) == [str(1 + 2 * i) for i in range(len(lines))]
    assert _answers(frame) == _answers(classify(as_files, workers=1))


@pytest.mark.parametrize("as_string", [False, True])
def test_parquet_blob_column_equals_the_folder(
    tmp_path: Path, as_string: bool, folder_answers: dict[str, Answer]
) -> None:
    """A Parquet file with a binary (or string) blob column gives the folder's answers;
    locators are 0-based row numbers across row groups."""
    blobs = utf8_blobs() if as_string else fixture_blobs()
    path = write_parquet(tmp_path / "dump.parquet", blobs, as_string=as_string)
    frame = classify(path, workers=2, chunk_size=60)
    assert _answers(frame) == _expected(folder_answers, blobs)
    assert list(frame["locator"]) == [str(i) for i in range(len(blobs))]


def test_loose_files_are_grouped_by_directory(tmp_path: Path) -> None:
    """Files named one by one get their directory as source and their name as locator."""
    blobs = utf8_blobs()[:3]
    write_folder(tmp_path, blobs)
    frame = classify([tmp_path / n for n, _ in blobs], workers=1)
    assert set(frame["source"]) == {str(tmp_path / blobs[0][0]).rsplit("/", 1)[0]}
    assert list(frame["locator"]) == [n.rsplit("/", 1)[1] for n, _ in blobs]


def test_bad_inputs_become_error_rows_and_the_run_goes_on(tmp_path: Path) -> None:
    """Missing paths, corrupt archives, broken records, oversize blobs and a fake Parquet
    file each give an error row; good blobs around them are still classified."""
    good = [(n, d) for n, d in utf8_blobs() if len(d) < 200][:5]
    tar = write_tar(tmp_path / "cut.tar.gz", dict(good)).read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(tar[: len(tar) * 2 // 3])
    stream = write_jsonl(tmp_path / "cut.jsonl.gz", record_lines(good)).read_bytes()
    (tmp_path / "cut.jsonl.gz").write_bytes(stream[:-20])
    (tmp_path / "records.jsonl").write_bytes(
        record_lines(good[:1]) + orjson.dumps({"blob": 5}) + b"\n"
        + orjson.dumps({"blob": "x" * 300}) + b"\n")
    (tmp_path / "fake.parquet").write_bytes(b"not parquet")
    paths = ["cut.tar.gz", "cut.jsonl.gz", "records.jsonl", "fake.parquet", "missing.jsonl"]
    frame = classify([tmp_path / p for p in paths], workers=2, limit=200)
    errors = frame.groupby("source", observed=True)["error"].agg(lambda s: sorted(set(s)))
    by_name = {Path(k).name: v for k, v in errors.items()}
    assert "bad-archive" in by_name["cut.tar.gz"]
    assert "bad-archive" in by_name["cut.jsonl.gz"]
    assert by_name["records.jsonl"] == sorted({"", "bad-record", "too-large"})
    assert by_name["fake.parquet"] == ["bad-archive"]
    assert by_name["missing.jsonl"] == ["not-found"]
    oversize = frame[frame["error"] == "too-large"]
    assert oversize["size"].tolist() == [300]


def test_read_blobs_streams_sources_locators_and_bytes(tmp_path: Path) -> None:
    """read_blobs yields each blob's bytes with its source, locator and declared type."""
    blobs = utf8_blobs()[:4]
    path = write_jsonl(tmp_path / "r.jsonl", record_lines(blobs))
    got = list(read_blobs([path]))
    assert [(b.source, b.locator, b.data) for b in got] == [
        (str(path), str(i + 1), d) for i, (_, d) in enumerate(blobs)]


@pytest.mark.parametrize("suffix", [".jsonl.zst", ".tar.zst"])
def test_truncated_zstd_stream_is_a_bad_archive_row_not_silence(
    tmp_path: Path, suffix: str
) -> None:
    """A zstd file cut inside a frame gives a bad-archive row, as a cut gzip file does,
    instead of quietly classifying fewer blobs."""
    good = utf8_blobs()[:40]
    path = tmp_path / f"cut{suffix}"
    if suffix == ".tar.zst":
        write_tar(path, dict(good))
    else:
        write_jsonl(path, record_lines(good))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    frame = classify(path, workers=1)
    assert "bad-archive" in set(frame["error"].astype(str))


@pytest.mark.timeout(60)
def test_a_fifo_in_a_folder_or_layout_does_not_hang_the_run(tmp_path: Path) -> None:
    """A named pipe among the blobs (or as a layout's index.json) is a read-error row of
    size 0 instead of blocking classify() forever waiting for a writer."""
    blobs = utf8_blobs()[:2]
    write_folder(tmp_path / "dump", blobs)
    os.mkfifo(tmp_path / "dump" / "pipe")
    frame = classify(tmp_path / "dump", workers=1)
    assert len(frame) == len(blobs) + 1
    pipe = frame[frame["locator"] == "pipe"]
    assert pipe["size"].tolist() == [0]
    assert pipe["error"].astype(str).tolist() == ["read-error"]
    assert pipe["kind"].astype(str).tolist() == ["invalid"]
    layout = tmp_path / "layout"
    layout.mkdir()
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    os.mkfifo(layout / "index.json")
    assert classify(layout, workers=1).empty


def test_non_regular_files_are_read_errors_not_json_syntax(tmp_path: Path) -> None:
    """A FIFO or a device among a dump's or a layout's blobs is a read-error row (how every
    file that cannot be read is labelled), while an empty regular file is still a blob
    that is not JSON; the same with one process or two."""
    dump = write_folder(tmp_path / "dump", utf8_blobs()[:1])
    os.mkfifo(dump / "pipe")
    (dump / "zeros").symlink_to("/dev/zero")
    (dump / "empty").write_bytes(b"")
    layout = tmp_path / "layout"
    (layout / "blobs" / "sha256").mkdir(parents=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    os.mkfifo(layout / "blobs" / "sha256" / ("a" * 64))
    (layout / "blobs" / "sha256" / ("b" * 64)).symlink_to("/dev/zero")
    for workers in (1, 2):
        frame = classify([dump, layout], workers=workers)
        errors = dict(zip(frame["locator"], frame["error"].astype(str), strict=True))
        assert errors["pipe"] == errors["zeros"] == "read-error"
        assert errors["empty"] == "json-syntax"
        assert errors["blobs/sha256/" + "a" * 64] == "read-error"
        assert errors["blobs/sha256/" + "b" * 64] == "read-error"
