"""The catalog layer: manifests as pandas DataFrames, from dumps and from content stores.

``classify(paths)`` batch-classifies dumps (folders, OCI layouts, tarballs, JSON Lines,
Parquet) on every core or on a Dask cluster; ``Catalog(store)`` tabulates a content store;
``schema`` defines every column; ``df.mst`` (registered here) asks the usual questions.
The Dask engine loads only when asked for (``engine="dask"``,
``mstoolkit.catalog.dask_engine``).
"""

from mstoolkit.catalog.accessor import MstAccessor
from mstoolkit.catalog.catalog import Catalog, CatalogStore
from mstoolkit.catalog.classify import DEFAULT_CHUNK_SIZE, classify, read_classified
from mstoolkit.catalog.prevalence import prevalence
from mstoolkit.catalog.readers import Blob, read_blobs
from mstoolkit.catalog.schema import (
    CLASSIFY,
    FETCHES,
    LABEL_HISTORY,
    LABELS,
    LAYERS,
    MANIFESTS,
    PLATFORMS,
    VERDICT_COLUMNS,
    BlobError,
    Kind,
    Verdict,
    conform,
    empty_frame,
)
from mstoolkit.catalog.verdicts import Engine, verdict_for, verdict_table, with_verdicts

__all__ = [
    "Blob",
    "BlobError",
    "CLASSIFY",
    "Catalog",
    "CatalogStore",
    "DEFAULT_CHUNK_SIZE",
    "Engine",
    "FETCHES",
    "Kind",
    "LABELS",
    "LABEL_HISTORY",
    "LAYERS",
    "MANIFESTS",
    "MstAccessor",
    "PLATFORMS",
    "VERDICT_COLUMNS",
    "Verdict",
    "classify",
    "conform",
    "empty_frame",
    "prevalence",
    "read_blobs",
    "read_classified",
    "verdict_for",
    "verdict_table",
    "with_verdicts",
]


def __dir__() -> list[str]:
    return sorted(__all__)
