"""The manifest store: moby's ``manifestStore`` over a content store, pulls and audits.

``ManifestStore(local, remote).get(desc, ref)`` serves a manifest from the cache or fetches
and keeps it; ``.pull(reference)`` and ``.audit(registry)`` build on it and report rows
(``PullResult``, ``AuditResult``) that the catalog turns into DataFrames.
"""

from mstoolkit.manifest_store.protocols import ContentStore, ManifestGetter
from mstoolkit.manifest_store.results import AuditResult, FetchOutcome, FetchRow, PullResult
from mstoolkit.manifest_store.store import ManifestStore, Served, Source

__all__ = [
    "AuditResult",
    "ContentStore",
    "FetchOutcome",
    "FetchRow",
    "ManifestGetter",
    "ManifestStore",
    "PullResult",
    "Served",
    "Source",
]


def __dir__() -> list[str]:
    return sorted(__all__)
