"""Small frames in the catalog's exact shapes (CLASSIFY and MANIFESTS), built by hand.

The plots must work on both shapes, so the tests build one of each with known counts and
pass them through the catalog's own ``conform`` to get the real dtypes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from mstoolkit import mediatypes as mt
from mstoolkit.catalog.schema import CLASSIFY, MANIFESTS, conform
from mstoolkit.catalog.verdicts import with_verdicts

KIND_OF = {
    mt.DOCKER_SCHEMA1_SIGNED: "schema1",
    mt.DOCKER_SCHEMA1: "schema1",
    mt.DOCKER_SCHEMA2: "schema2",
    mt.OCI_MANIFEST: "oci-manifest",
    mt.OCI_INDEX: "oci-index",
    mt.DOCKER_MANIFEST_LIST: "list",
    "": "invalid",
}

#: (repository, media type, how many, year) of the classify frame.
CLASSIFY_ROWS = (
    ("library/old", mt.DOCKER_SCHEMA1_SIGNED, 6, 2016),
    ("library/old", mt.DOCKER_SCHEMA2, 2, 2018),
    ("library/new", mt.OCI_MANIFEST, 5, 2023),
    ("library/new", mt.OCI_INDEX, 1, 2023),
    ("team/app", mt.DOCKER_SCHEMA1, 1, 2017),
    ("team/app", mt.DOCKER_SCHEMA2, 3, 2019),
    ("", "", 2, 2020),
)


def classify_frame() -> pd.DataFrame:
    """20 rows as ``classify()`` returns them: 7 schema1, 2 undetected, 3 repositories."""
    rows: list[dict[str, Any]] = []
    for repo, media_type, count, year in CLASSIFY_ROWS:
        for i in range(count):
            rows.append({
                "source": "dump.jsonl",
                "locator": str(len(rows) + 1),
                "registry": "registry.example" if repo else "",
                "repository": repo,
                "created": datetime(year, 1 + i % 12, 1, tzinfo=UTC),
                "digest": f"sha256:{len(rows):064x}",
                "size": 100 + len(rows),
                "declared_media_type": media_type,
                "media_type": media_type,
                "kind": KIND_OF[media_type],
                "error": "json-syntax" if not media_type else "",
            })
    return conform(with_verdicts(pd.DataFrame(rows)), CLASSIFY)


def manifests_frame() -> pd.DataFrame:
    """5 rows as ``Catalog.manifests()`` returns them; one schema1 held by two repositories."""
    host = "127.0.0.1:5000"
    specs = (
        (mt.DOCKER_SCHEMA1_SIGNED, f"{host}/library/hello,{host}/library/tiny"),
        (mt.DOCKER_SCHEMA2, f"{host}/library/hello"),
        (mt.DOCKER_SCHEMA2, f"{host}/cross/one,{host}/cross/two,{host}/library/tiny"),
        (mt.OCI_INDEX, f"{host}/multiarch/hello"),
        (mt.OCI_MANIFEST, f"{host}/multiarch/hello"),
    )
    seen = datetime(2024, 5, 1, tzinfo=UTC)
    rows = [
        {
            "digest": f"sha256:{i:064x}",
            "size": 500,
            "declared_media_type": media_type,
            "media_type": media_type,
            "kind": KIND_OF[media_type],
            "schema_version": 2 if "v1" not in media_type else 1,
            "layer_count": None,
            "layer_bytes": None,
            "config_media_type": "",
            "artifact_type": "",
            "subject_digest": "",
            "platforms": "",
            "registry": host,
            "repositories": repos,
            "first_seen": seen,
            "last_seen": seen,
            "error": "",
        }
        for i, (media_type, repos) in enumerate(specs)
    ]
    return conform(with_verdicts(pd.DataFrame(rows)), MANIFESTS)


def history_frame() -> pd.DataFrame:
    """Five label changes, as ``Catalog.label_history()`` returns them."""
    base = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    events = (
        (0, "manifest fetched"),
        (60, "manifest fetched"),
        (120, "manifest seen in repository"),
        (180, "manifest fetched"),
        (240, "manifest seen in repository"),
    )
    return pd.DataFrame({
        "digest": [f"sha256:{i:064x}" for i in range(len(events))],
        "key": "containerd.io/distribution.source.127.0.0.1:5000",
        "old": [None] * len(events),
        "new": ["library/hello"] * len(events),
        "at": [base + pd.Timedelta(seconds=s) for s, _ in events],
        "reason": [r for _, r in events],
        "actor": "test",
    })
