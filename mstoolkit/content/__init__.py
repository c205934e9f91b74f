"""Content store: containerd's semantics on disk and in memory, with label history.

:class:`LocalStore` keeps blobs in an OCI-layout directory and metadata in SQLite, safe for
several kernels and pool workers at once; :class:`MemoryStore` is the in-process fake with the
same behaviour. Both satisfy :class:`Store` and pass :mod:`mstoolkit.content.testing`.
"""

from mstoolkit.content.filters import parse_all
from mstoolkit.content.helpers import exists, open_writer, read_blob, write_blob
from mstoolkit.content.local import LocalStore
from mstoolkit.content.memory import MemoryStore
from mstoolkit.content.protocols import (
    FetchRecord,
    Info,
    Ingester,
    IngestManager,
    IngestRecord,
    LabelChange,
    LabelTransform,
    Manager,
    Provider,
    ReaderAt,
    Status,
    Store,
    Writer,
)

__all__ = [
    "FetchRecord",
    "Info",
    "IngestManager",
    "IngestRecord",
    "Ingester",
    "LabelChange",
    "LabelTransform",
    "LocalStore",
    "Manager",
    "MemoryStore",
    "Provider",
    "ReaderAt",
    "Status",
    "Store",
    "Writer",
    "exists",
    "open_writer",
    "parse_all",
    "read_blob",
    "write_blob",
]


def __dir__() -> list[str]:
    return sorted(__all__)
