"""The catalog's fast path over a LocalStore (``iter_blobs`` and ``label_spans``) gives the
tables its generic path (``walk``/``read``/``label_history``) gives for the same store."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mstoolkit.catalog import Catalog
from mstoolkit.catalog.catalog import _BlobIterator, _SpanSource
from mstoolkit.catalog.extract import extract
from mstoolkit.catalog.schema import Kind
from mstoolkit.content import FetchRecord, Info, LocalStore
from mstoolkit.digest import Digest, DigestLike
from tests.catalog.test_catalog import _fill

TABLES = ["manifests", "layers", "platforms", "labels", "label_history", "fetches"]


class GenericView:
    """A store seen only through the four methods of ``CatalogStore``."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store

    def walk(self, *filters: str) -> Iterator[Info]:
        return self._store.walk(*filters)

    def read(self, digest: DigestLike) -> bytes:
        return self._store.read(digest)

    def label_history(self, digest: DigestLike | None = None,
                      key: str | None = None) -> Sequence[Any]:
        return self._store.label_history(digest, key)

    def fetch_log(self) -> Sequence[FetchRecord]:
        return self._store.fetch_log()


@pytest.fixture(scope="module")
def odd_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStore]:
    """The fixture store plus a blob with no metadata row, a directory and a misnamed file in
    blobs/, and a deleted blob whose label history remains."""
    store = LocalStore(tmp_path_factory.mktemp("bulk") / "store")
    _fill(store)
    folder = Path(store.root, "blobs", "sha256")
    data = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",' \
           b'"manifests":[]}'
    (folder / Digest.from_bytes(data).encoded).write_bytes(data)
    os.mkdir(folder / ("0" * 64))
    (folder / "README").write_bytes(b"not a blob")
    gone = next(iter(store.walk())).digest
    store.delete(gone, reason="test")
    yield store
    store.close()


def _frames(catalog: Catalog) -> dict[str, pd.DataFrame]:
    return {name: getattr(catalog, name)() for name in TABLES}


@pytest.mark.parametrize("options", [
    {},
    {"filters": ['labels."containerd.io/distribution.source.quay.io"', "labels.nothing"]},
    {"limit": 1500},
    {"validate": True},
], ids=["plain", "filtered", "limit", "validate"])
def test_fast_path_equals_generic_path(odd_store: LocalStore, options: dict[str, Any]) -> None:
    """Every table is the same whether the catalog uses iter_blobs/label_spans or not."""
    fast = _frames(Catalog(odd_store, **options))
    generic = _frames(Catalog(GenericView(odd_store), **options))
    assert len(fast["manifests"]) > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(fast[name], generic[name], check_exact=True)


def test_limit_marks_large_blobs_too_large(odd_store: LocalStore) -> None:
    """Through the fast path, blobs over the limit are too-large and the others are read."""
    frame = Catalog(odd_store, limit=1500).manifests()
    large = frame["size"] > 1500
    assert large.any()
    assert (~large).any()
    assert set(frame.loc[large, "error"]) == {"too-large"}
    assert "too-large" not in set(frame.loc[~large, "error"])


def test_first_and_last_seen_come_from_the_label_history(odd_store: LocalStore) -> None:
    """first_seen/last_seen are the oldest and newest label change of each digest."""
    frame = Catalog(odd_store).manifests().set_index("digest")
    history = Catalog(odd_store).label_history().groupby("digest", observed=True)["at"]
    both = frame.join(history.min().rename("lo")).join(history.max().rename("hi"))
    recorded = both.dropna(subset=["lo"])
    assert len(recorded) == len(frame) - 1  # the row-less blob has no history
    assert (recorded["first_seen"] == recorded["lo"]).all()
    assert (recorded["last_seen"] == recorded["hi"]).all()


def test_local_store_takes_the_fast_path(odd_store: LocalStore) -> None:
    """LocalStore offers the bulk reads and the generic view does not, so the comparisons
    above really compare two paths."""
    view = GenericView(odd_store)
    assert isinstance(odd_store, _BlobIterator)
    assert isinstance(odd_store, _SpanSource)
    assert not isinstance(view, _BlobIterator)
    assert not isinstance(view, _SpanSource)


def test_fields_pickle_round_trip(odd_store: LocalStore) -> None:
    """Fields come back from a pool process equal, kind, layers and entries included."""
    every = [extract(data, detail=True) for _, data in odd_store.iter_blobs() if data]
    assert {f.kind for f in every} >= {Kind.OCI_INDEX, Kind.SCHEMA2}
    assert any(f.layers for f in every)
    assert any(f.entries for f in every)
    back = pickle.loads(pickle.dumps(every))
    assert back == every
    assert all(type(f.kind) is Kind for f in back)
