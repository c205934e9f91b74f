"""Catalog over real content stores filled with the fixture blobs, labels and fetches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from mstoolkit.catalog import Catalog, classify
from mstoolkit.catalog.schema import (
    FETCHES,
    LABEL_HISTORY,
    LABELS,
    LAYERS,
    MANIFESTS,
    PLATFORMS,
    Table,
)
from mstoolkit.content import FetchRecord, Info, LocalStore, MemoryStore, Store, write_blob
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidArgument
from tests.catalog.inputs import expected_label
from tests.support.fixtures_data import FIXTURES, expected_rows

SOURCE = "containerd.io/distribution.source."
WINDOWS = "blobs/ggcr/tarball-README.md__L226.json"
ATTESTED = "blobs/buildkit/attestation-storage.md__L134.json"
START = datetime(2025, 1, 1, tzinfo=UTC)


def _digest(file: str) -> str:
    return str(Digest.from_bytes((FIXTURES / file).read_bytes()))


def _fill(store: Store) -> None:
    """Every fixture blob, labelled as seen in docker.io/library/r<i%3>; the Windows image
    also in quay.io, and a later label change; two fetch records for one digest."""
    for i, row in enumerate(expected_rows()):
        data = row.read()
        labels = {SOURCE + "docker.io": f"library/r{i % 3}"}
        if row.file == WINDOWS:
            labels[SOURCE + "quay.io"] = "team/win"
        desc = Descriptor("application/octet-stream", Digest.from_bytes(data), len(data))
        write_blob(store, f"ref-{i}", data, desc, labels=labels, reason="test fill")
    windows = Digest.parse(_digest(WINDOWS))
    store.update(Info(windows, labels={SOURCE + "docker.io": "library/r0,library/zz"}),
                 f"labels.{SOURCE}docker.io", reason="seen again")
    for minutes, media_type in ((1, "application/json"),
                                (5, "application/vnd.docker.distribution.manifest.v2+json")):
        store.record_fetch(FetchRecord(START + timedelta(minutes=minutes), "docker.io",
                                       "library/r0", "latest", str(windows), media_type, 1174,
                                       "ok", "", 97 - minutes))


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStore]:
    store = LocalStore(tmp_path_factory.mktemp("catalog") / "store")
    _fill(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def manifests(local_store: LocalStore) -> pd.DataFrame:
    return Catalog(local_store).manifests()


def _typed(frame: pd.DataFrame, table: Table) -> None:
    assert tuple(frame.columns) == table.names
    for col in table.columns:
        if col.dtype.value == "category":
            assert isinstance(frame[col.name].dtype, pd.CategoricalDtype), col.name
        else:
            assert str(frame[col.name].dtype) == str(pd.Series([], dtype=col.dtype.value).dtype)


def test_manifests_has_one_typed_row_per_blob(manifests: pd.DataFrame) -> None:
    """manifests() lists each distinct fixture blob once, in the MANIFESTS dtypes."""
    _typed(manifests, MANIFESTS)
    assert len(manifests) == len({_digest(r.file) for r in expected_rows()})
    assert manifests["digest"].is_unique


def test_manifests_media_types_and_errors_follow_moby(manifests: pd.DataFrame) -> None:
    """Detected media types are EXPECTED.tsv's; errors are its labels, or invalid-manifest
    for blobs moby detects but whose structure is broken."""
    rows = manifests.set_index("digest")
    for row in expected_rows():
        got = rows.loc[_digest(row.file)]
        assert got["media_type"] == row.expected_media_type, row.file
        assert got["error"] in (expected_label(row.expected_error), "invalid-manifest"), row.file


def test_manifests_agree_with_classify_on_kind_and_verdicts(manifests: pd.DataFrame) -> None:
    """Apart from invalid-manifest rows, kind and verdicts equal classify()'s for the same
    bytes."""
    dumped = classify(FIXTURES / "blobs", workers=1).drop_duplicates("digest")
    both = manifests.merge(dumped, on="digest", suffixes=("", "_c"))
    both = both[both["error"] != "invalid-manifest"]
    assert len(both) > 200
    for column in ["kind", "verdict_docker_26", "verdict_containerd_2_1"]:
        assert (both[column].astype(str) == both[f"{column}_c"].astype(str)).all(), column


def test_sources_seen_times_and_declared_type(manifests: pd.DataFrame) -> None:
    """Registries and repositories come from the source labels, first/last seen from the
    label history, the declared media type from the newest fetch."""
    row = manifests.set_index("digest").loc[_digest(WINDOWS)]
    assert row["registry"] == "docker.io,quay.io"
    assert row["repositories"] == "docker.io/library/r0,docker.io/library/zz,quay.io/team/win"
    assert row["last_seen"] > row["first_seen"]
    assert row["declared_media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert (row["layer_count"], row["layer_bytes"]) == (3, 101145811 + 1669 + 949)
    assert row["config_media_type"] == "application/vnd.docker.container.image.v1+json"


def test_layers_match_the_manifest_counts(local_store: LocalStore,
                                          manifests: pd.DataFrame) -> None:
    """layers() has layer_count rows per manifest, their sizes sum to layer_bytes, and the
    Windows base layer with a URL is foreign."""
    layers = Catalog(local_store).layers()
    _typed(layers, LAYERS)
    per = layers.groupby("manifest_digest", observed=True).agg(n=("position", "size"))
    counts = manifests.set_index("digest")["layer_count"].dropna()
    assert per["n"].sort_index().to_dict() == counts[counts > 0].sort_index().to_dict()
    win = layers[layers["manifest_digest"] == _digest(WINDOWS)]
    assert win["foreign"].tolist() == [True, False, False]
    assert win["urls"].iloc[0].startswith("https://mcr.microsoft.com/")


def test_platforms_of_an_index_and_its_attestation(local_store: LocalStore) -> None:
    """platforms() lists each index entry with its platform, marking buildkit attestations."""
    platforms = Catalog(local_store).platforms()
    _typed(platforms, PLATFORMS)
    entries = platforms[platforms["index_digest"] == _digest(ATTESTED)]
    assert entries["platform"].tolist() == ["linux/amd64", "unknown/unknown"]
    assert entries["attestation"].tolist() == [False, True]


def test_labels_history_and_fetches(local_store: LocalStore) -> None:
    """labels(), label_history() and fetches() tabulate the store's records."""
    catalog = Catalog(local_store)
    labels, history, fetches = catalog.labels(), catalog.label_history(), catalog.fetches()
    _typed(labels, LABELS)
    _typed(history, LABEL_HISTORY)
    _typed(fetches, FETCHES)
    windows = labels[labels["digest"] == _digest(WINDOWS)]
    assert windows["key"].tolist() == [SOURCE + "docker.io", SOURCE + "quay.io"]
    change = history[history["reason"] == "seen again"].iloc[0]
    assert change["old"] in ("library/r0", "library/r1", "library/r2")
    assert change["new"] == "library/r0,library/zz"
    assert fetches["ratelimit_remaining"].tolist() == [96, 92]


def test_validate_runs_the_full_parser(local_store: LocalStore,
                                       manifests: pd.DataFrame) -> None:
    """validate=True also flags what only parse_manifest checks (a schema1 signature whose
    payload does not rebuild), and keeps every fast-path error."""
    checked = Catalog(local_store, validate=True).manifests().set_index("digest")
    fast = manifests.set_index("digest")
    bad = (fast["error"] == "invalid-manifest")
    assert (checked.loc[bad[bad].index, "error"] == "invalid-manifest").all()
    assert (checked["error"] == "invalid-manifest").sum() > bad.sum()


def test_oversize_blobs_are_not_read(local_store: LocalStore) -> None:
    """Blobs over the limit get too-large and no fields."""
    frame = Catalog(local_store, limit=300).manifests()
    big = frame[frame["size"] > 300]
    assert set(big["error"]) == {"too-large"}
    assert set(big["kind"]) == {"invalid"}


@pytest.mark.parametrize("kind", ["local", "memory"])
def test_empty_stores_give_empty_typed_tables(kind: str, tmp_path: Path) -> None:
    """Every table of an empty store is empty with its canonical columns."""
    store: Store = LocalStore(tmp_path / "s") if kind == "local" else MemoryStore()
    catalog = Catalog(store)
    for method, table in [(catalog.manifests, MANIFESTS), (catalog.layers, LAYERS),
                          (catalog.platforms, PLATFORMS), (catalog.labels, LABELS),
                          (catalog.label_history, LABEL_HISTORY), (catalog.fetches, FETCHES)]:
        frame = method()
        assert len(frame) == 0
        assert tuple(frame.columns) == table.names


def test_memory_store_gives_the_local_stores_answers(manifests: pd.DataFrame) -> None:
    """The same content in a MemoryStore tabulates to the same rows (times aside)."""
    store = MemoryStore()
    _fill(store)
    memory = Catalog(store).manifests()
    columns = [c for c in MANIFESTS.names if c not in ("first_seen", "last_seen")]
    ordered = [frame.sort_values("digest").reset_index(drop=True)[columns]
               for frame in (memory, manifests)]
    pd.testing.assert_frame_equal(*ordered)


def test_filters_pass_through_to_walk(local_store: LocalStore) -> None:
    """Containerd filters select blobs, e.g. those labelled for quay.io."""
    quay = Catalog(local_store, filters=[f'labels."{SOURCE}quay.io"']).manifests()
    assert quay["digest"].tolist() == [_digest(WINDOWS)]


def test_a_worker_pool_gives_the_same_tables(local_store: LocalStore,
                                             manifests: pd.DataFrame) -> None:
    """With two pool workers reading and decoding, every table equals the in-process one."""
    pooled, serial = Catalog(local_store, workers=2), Catalog(local_store, workers=1)
    pd.testing.assert_frame_equal(pooled.manifests(), serial.manifests())
    pd.testing.assert_frame_equal(pooled.layers(), serial.layers())
    pd.testing.assert_frame_equal(pooled.platforms(), serial.platforms())
    with pytest.raises(InvalidArgument):
        Catalog(local_store, workers=0)
