"""classify() over hostile dumps and Catalog(store) over junk blobs: every bad input becomes a
row with an ``error`` (or is skipped for a documented reason); nothing raises, nothing hangs."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mstoolkit.catalog import Catalog, classify, read_classified
from mstoolkit.content import LocalStore, MemoryStore, Store
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidArgument, InvalidFilter, MstoolkitError, NotFound
from mstoolkit.mediatypes import OCI_INDEX, OCI_MANIFEST
from tests.support.fixtures_data import FIXTURES

pytestmark = pytest.mark.timeout(60)

D = "sha256:" + "a" * 64
FIXTURE_BLOBS = FIXTURES / "blobs"
INDEX = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}).encode()


def _rows(path: Path | str) -> pd.DataFrame:
    frame = classify(path, workers=1, progress=False)
    return frame.set_index("locator", drop=False)


def _errors(frame: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in zip(frame["locator"], frame["error"], strict=True)}


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder with loops, devices, a FIFO, a socket and a non-UTF-8 file name."""
    root = tmp_path / "folder"
    (root / "sub").mkdir(parents=True)
    (root / "good.json").write_bytes(INDEX)
    (root / "sub" / "loop").symlink_to("..")
    (root / "selfloop").symlink_to("selfloop")
    (root / "dangling").symlink_to("/nonexistent/blob")
    (root / "zero").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo")
    (root / ("sha256:" + "a" * 64)).mkdir()
    (root / "empty").write_bytes(b"")
    (root / "big").write_bytes(b"{" + b" " * (5 << 20) + b"}")
    with open(os.fsencode(root) + b"/\xff-not-utf8", "wb") as handle:
        handle.write(INDEX)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock"))
    yield root
    sock.close()


def test_classify_hostile_folder(hostile_folder: Path) -> None:
    """Symlink loops, /dev/zero, a FIFO, a socket, a directory named like a blob, a 5 MB file
    and a file name that is not UTF-8 each get a row (the name shown with a \\xff escape;
    it crashed the Arrow conversion with UnicodeEncodeError), and nothing hangs; what is not
    a regular file (FIFO, device, socket) is a read error, not broken JSON."""
    errors = _errors(_rows(hostile_folder))
    assert errors == {
        "big": "too-large", "dangling": "not-found", "empty": "json-syntax",
        "fifo": "read-error", "good.json": "", "selfloop": "read-error", "sock": "read-error",
        "zero": "read-error", "\\xff-not-utf8": "",
    }


def test_classify_paths_that_are_not_utf8_or_missing(tmp_path: Path) -> None:
    """A missing path, also one whose name is not UTF-8, is one not-found row, not a crash."""
    for name in ("nope", b"\xffnope".decode("utf-8", "surrogateescape"), "\ud800nope"):
        frame = classify(str(tmp_path / name), workers=1, progress=False)
        assert frame["error"].tolist() == ["not-found"]
        assert frame["source"].iloc[0].endswith("nope")


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w") -> None:
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)


def _member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE,
            link: str = "") -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.type = kind
    info.linkname = link
    return info, data if kind == tarfile.REGTYPE else None


def test_classify_tar_with_traversal_and_links_reads_without_extracting(tmp_path: Path) -> None:
    """Members named ../../x or /abs are classified as data (never written anywhere); links,
    devices and FIFOs inside the tarball are not followed."""
    path = tmp_path / "evil.tar"
    _tar(path, [
        _member("../../../../evil", INDEX), _member("/abs/evil", INDEX),
        _member("link", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        _member("hard", kind=tarfile.LNKTYPE, link="../../etc/shadow"),
        _member("dev", kind=tarfile.CHRTYPE), _member("fifo", kind=tarfile.FIFOTYPE),
    ])
    frame = _rows(path)
    assert set(frame["error"]) == {""}
    assert set(frame["media_type"]) == {OCI_INDEX}
    assert len(frame) == 2
    assert not (tmp_path.parent / "evil").exists()


def test_classify_tar_with_absurd_member_size(tmp_path: Path) -> None:
    """A header claiming an 8 GB member in a tiny file gives too-large and bad-archive rows."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info, data = _member("a", INDEX)
        archive.addfile(info, io.BytesIO(data))
    raw = bytearray(buffer.getvalue())
    raw[124:136] = b"77777777777\x00"
    raw[148:156] = b" " * 8
    raw[148:156] = b"%06o\x00 " % sum(raw[:512])
    path = tmp_path / "absurd.tar"
    path.write_bytes(bytes(raw))
    assert set(_rows(path)["error"]) == {"too-large", "bad-archive"}


@pytest.mark.parametrize(
    ("name", "data"),
    [("empty.tar", b""), ("notatar.tar", b"hello, not a tarball"),
     ("notgz.tgz", b"\x1f\x8bgarbage"), ("bad.jsonl.zst", b"\x28\xb5\x2f\xfdgarbage"),
     ("notgz.jsonl.gz", b"plain text"), ("corrupt.parquet", b"PAR1garbagePAR1"),
     ("empty.parquet", b"")],
)
def test_classify_corrupt_containers_give_bad_archive(tmp_path: Path, name: str,
                                                      data: bytes) -> None:
    """An empty, truncated or mislabelled container is one bad-archive row."""
    path = tmp_path / name
    path.write_bytes(data)
    assert set(_rows(path)["error"]) == {"bad-archive"}


def test_classify_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    """A gzip cut in half gives the members before the cut and a bad-archive row."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for i in range(50):
            info, data = _member(f"m{i}", INDEX + os.urandom(512).hex().encode())
            archive.addfile(info, io.BytesIO(data))
    packed = gzip.compress(buffer.getvalue())
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(packed[: len(packed) // 2])
    frame = _rows(path)
    assert frame["error"].iloc[-1] == "bad-archive"
    assert (frame["error"] != "bad-archive").sum() >= 1


def test_classify_broken_jsonl(tmp_path: Path) -> None:
    """Broken lines, wrong types, non-UTF-8, deep nesting and a 10 MB line each get a row
    numbered by line; blank lines get none."""
    lines = [
        json.dumps({"blob": INDEX.decode()}).encode(), b"{broken", b"", b"\xff\xfe", b"[1,2]",
        b'"str"', b'{"blob":5}', b"[" * 100_000, b'{"x":"' + b"a" * (10 << 20) + b'"}',
        b'{"mediaType":"\xff"}',
    ]
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"\n".join(lines))
    assert _errors(_rows(path)) == {
        "1": "", "2": "json-syntax", "4": "json-syntax", "5": "json-type", "6": "json-type",
        "7": "bad-record", "8": "json-syntax", "9": "too-large", "10": "",
    }


@pytest.mark.parametrize(
    ("table", "errors"),
    [(pa.table({"blob": [1, 2]}), {"bad-record"}),
     (pa.table({"blob": [[1, 2], [3]]}), {"bad-record"}),
     (pa.table({"blob": pa.array([None], type=pa.binary())}), {"bad-record"}),
     (pa.table({"other": ["a"]}), {"bad-archive"}),
     (pa.table({"blob": [INDEX.decode()], "digest": [5]}), {""}),
     (pa.table({"blob": [INDEX], "digest": [{"a": 1}]}), {""})],
    ids=["int-blobs", "list-blobs", "null-blobs", "no-blob-column", "int-digest",
         "struct-digest"],
)
def test_classify_parquet_with_wrong_column_types(tmp_path: Path, table: pa.Table,
                                                  errors: set[str]) -> None:
    """Blob columns of the wrong type are bad-record rows; a missing one is bad-archive; a
    digest column of the wrong type is ignored rather than trusted."""
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    assert set(_rows(path)["error"]) == errors


# --- Catalog over junk blobs ---------------------------------------------------------------
def _manifest(**fields: object) -> bytes:
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "a/b", "digest": D, "size": 1},
                       "layers": [], **fields}).encode()


JUNK = {
    "empty": b"", "nul": b"\x00", "not-utf8": b"\xff" * 100, "deep": b"[" * 100_000,
    "layers-wrong": _manifest(layers="x"), "config-wrong": _manifest(config=5),
    "size-past-int64": _manifest(layers=[{"mediaType": "a/b", "digest": D, "size": 2**63}]),
    "sum-past-int64": _manifest(layers=[{"mediaType": "a/b", "digest": D, "size": 2**62}] * 2),
    "index-damaged": json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                                 "manifests": [{"digest": 5}, None, "x"]}).encode(),
    "schema1-hostile": json.dumps({"schemaVersion": 1, "name": 5, "fsLayers": "x",
                                   "signatures": [{"protected": "!!"}]}).encode(),
    "huge-media-type": json.dumps({"mediaType": "x" * 100_000}).encode(),
}


@pytest.fixture(params=["local", "memory"])
def junk_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store holding every JUNK blob, labelled with odd distribution-source labels."""
    store: Store = LocalStore(tmp_path / "store") if request.param == "local" else MemoryStore()
    labels = [{"containerd.io/distribution.source.docker.io": "a,b,,," + "x" * 3000},
              {"containerd.io/distribution.source.": "é,🐳"}, {"k\x00": "\x00"}]
    for i, data in enumerate(JUNK.values()):
        with store.writer(f"r{i}") as writer:
            writer.write(data)
            writer.commit(len(data), None, labels=labels[i % len(labels)])
    yield store
    close = getattr(store, "close", None)
    if close is not None:
        close()


@pytest.mark.parametrize("validate", [False, True])
def test_catalog_over_junk_blobs(junk_store: Store, validate: bool) -> None:
    """Every junk blob is a manifests row with an error or NA fields, never an exception; a
    layer-size sum past int64 is NA rather than a pandas TypeError."""
    catalog = Catalog(junk_store, validate=validate)
    frame = catalog.manifests().set_index("digest")
    assert len(frame) == len(JUNK)
    error = {name: frame.loc[str(Digest.from_bytes(data)), "error"]
             for name, data in JUNK.items()}
    assert error["empty"] == "json-syntax"
    assert error["deep"] == "json-syntax"
    for name in ("layers-wrong", "config-wrong", "size-past-int64", "index-damaged"):
        assert error[name] == "invalid-manifest", name
    summed = frame.loc[str(Digest.from_bytes(JUNK["sum-past-int64"]))]
    assert summed["error"] == ""
    assert pd.isna(summed["layer_bytes"])
    assert summed["layer_count"] == 2
    for table in (catalog.layers(), catalog.platforms(), catalog.labels(),
                  catalog.label_history(), catalog.fetches()):
        assert isinstance(table, pd.DataFrame)


def test_catalog_over_a_tampered_local_store(tmp_path: Path) -> None:
    """Blob files changed, removed, or replaced by junk behind the store's back never raise:
    the catalog lists what the store walks."""
    store = LocalStore(tmp_path / "store")
    try:
        for i, data in enumerate((INDEX, _manifest(), b"{}")):
            with store.writer(f"r{i}") as writer:
                writer.write(data)
                writer.commit(len(data), None)
        blobs = tmp_path / "store" / "blobs" / "sha256"
        tampered = blobs / Digest.from_bytes(INDEX).encoded
        tampered.chmod(0o644)
        tampered.write_bytes(b"tampered")
        (blobs / Digest.from_bytes(b"{}").encoded).unlink()
        (blobs / "junk").write_bytes(b"x")
        (blobs / ("f" * 64)).mkdir()
        (blobs / ("e" * 64)).symlink_to("/dev/zero")
        os.mkfifo(blobs / ("c" * 64))
        frame = Catalog(store).manifests()
        assert str(Digest.from_bytes(_manifest())) in set(frame["digest"])
        assert str(Digest.from_bytes(b"{}")) not in set(frame["digest"])
    finally:
        store.close()


def test_catalog_with_a_bad_filter_is_invalid_filter() -> None:
    """A filter that does not parse is InvalidFilter when the table is asked for."""
    with pytest.raises(InvalidFilter, match="invalid perl operator"):
        Catalog(MemoryStore(), filters=["labels.k~=/(?=x)/"]).manifests()


@pytest.mark.parametrize(
    ("content", "category", "words"),
    [(b"junk", InvalidArgument, ("not a Parquet file",)),
     (b"", InvalidArgument, ("not a Parquet file",)),
     (None, NotFound, ("no classified rows",))],
    ids=["junk", "empty", "missing"],
)
def test_read_classified_on_junk(tmp_path: Path, content: bytes | None,
                                 category: type[MstoolkitError], words: tuple[str, ...]) -> None:
    """read_classified of a file that is not Parquet, or of nothing, is a category (pyarrow's
    ArrowInvalid and pandas' FileNotFoundError escaped)."""
    path = tmp_path / "rows.parquet"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(category) as caught:
        read_classified(path)
    for word in words:
        assert word in str(caught.value)
    wrong = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"x": [1]}), wrong)
    with pytest.raises(InvalidArgument, match="missing columns"):
        read_classified(wrong)


@pytest.mark.parametrize("engine", ["nope", "verdict_docker_25", "", None, 5])
def test_breaks_on_unknown_engine_names_the_engines(engine: object) -> None:
    """df.mst.breaks_on with an engine that does not exist says so and lists the engines,
    instead of blaming the frame for a missing column."""
    frame = classify(FIXTURE_BLOBS / "moby", workers=1, progress=False)
    with pytest.raises(InvalidArgument, match=r"unknown engine .*docker_28_2"):
        frame.mst.breaks_on(engine)
    assert len(frame.mst.breaks_on("docker_28_2")) <= len(frame)


def test_classify_jsonl_records_with_lone_surrogate_escapes(tmp_path: Path) -> None:
    """Record fields written as "\\ud800" escapes (registry, repository, media type hint,
    digest, the blob itself) give rows with the value shown escaped; they crashed the Arrow
    dictionary encoding with UnicodeEncodeError, losing the whole file's rows."""
    lines = [
        '{"blob":"{\\"mediaType\\":\\"x\\"}\\ud800"}',
        '{"blob":"{}","digest":"\\ud800"}',
        '{"blob":"{}","registry":"\\ud800","repository":"\\udcff","created":"\\ud800"}',
        '{"blob":"{}","media_type":"\\ud800"}',
        json.dumps({"blob": INDEX.decode()}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    frame = _rows(path)
    assert frame["locator"].tolist() == ["1", "2", "3", "4", "5"]
    assert frame["registry"].tolist()[2] == "\\ud800"
    assert frame["declared_media_type"].tolist()[3] == "\\ud800"
    assert frame["error"].tolist()[4] == ""
