"""Manifest blobs as registries store them, for the synthetic dump (:mod:`.synth`).

Shapes follow the bench corpus generator (``../shared/bench/gen_corpus.py``) and the real
fixtures: distribution's 3-space indented schema2 and schema1, buildkit's 2-space OCI
manifests and indexes with attestation entries, compact ggcr/crane output, signed schema1
with ``v1Compatibility`` history and a JWS signature, OCI 1.1 artifacts with ``subject``.

Every function takes the simulation's :class:`random.Random` and returns the blob's text;
digests it mentions are passed in, so that layers shared between images really share
digests (which is also what lets the dump compress to a few MB).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from mstoolkit import mediatypes as mt

__all__ = [
    "Layer",
    "artifact_manifest",
    "attestation_manifest",
    "broken_blob",
    "index",
    "oci_manifest",
    "random_digest",
    "schema1",
    "schema2",
]


def __dir__() -> list[str]:
    return sorted(__all__)


EMPTY_JSON_DIGEST: Final = (
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
)
EMPTY_TAR_GZ_DIGEST: Final = (
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
)
_B64URL: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer as manifests cite it."""

    digest: str
    size: int


def random_digest(rng: random.Random) -> str:
    """A fresh sha256 digest string (of nothing real: the dump holds manifests only)."""
    return f"sha256:{rng.getrandbits(256):064x}"


def _dumps(doc: Any, indent: int | None) -> str:
    if indent is None:
        return json.dumps(doc, separators=(",", ":"))
    return json.dumps(doc, indent=indent)


def schema2(config: Layer, layers: Sequence[Layer]) -> str:
    """A Docker schema2 manifest as distribution marshals it (3-space indent)."""
    return _dumps({
        "schemaVersion": 2,
        "mediaType": mt.DOCKER_SCHEMA2,
        "config": {"mediaType": mt.DOCKER_CONFIG, "size": config.size,
                   "digest": config.digest},
        "layers": [{"mediaType": mt.DOCKER_LAYER, "size": x.size, "digest": x.digest}
                   for x in layers],
    }, 3)


def oci_manifest(config: Layer, layers: Sequence[Layer], *, compact: bool,
                 annotations: dict[str, str] | None = None, zstd: bool = False) -> str:
    """An OCI image manifest, buildkit-style (2-space) or crane-style (compact)."""
    layer_type = mt.OCI_LAYER_ZSTD if zstd else mt.OCI_LAYER_GZIP
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": layer_type, "digest": x.digest, "size": x.size}
                   for x in layers],
    }
    if annotations:
        doc["annotations"] = annotations
    return _dumps(doc, None if compact else 2)


def index(children: Sequence[tuple[str, int, dict[str, str]]], *, docker: bool,
          attestations: Sequence[tuple[str, int, str]] = (),
          annotations: dict[str, str] | None = None) -> str:
    """A manifest list (*docker*) or OCI index of ``(digest, size, platform)`` children,
    with buildkit attestation entries ``(digest, size, subject digest)``."""
    child_type = mt.DOCKER_SCHEMA2 if docker else mt.OCI_MANIFEST
    manifests: list[dict[str, Any]] = [
        {"mediaType": child_type, "digest": d, "size": s, "platform": p}
        for d, s, p in children
    ]
    for digest, size, subject in attestations:
        manifests.append({
            "mediaType": mt.OCI_MANIFEST, "digest": digest, "size": size,
            "annotations": {"vnd.docker.reference.digest": subject,
                            "vnd.docker.reference.type": "attestation-manifest"},
            "platform": {"architecture": "unknown", "os": "unknown"},
        })
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": mt.DOCKER_MANIFEST_LIST if docker else mt.OCI_INDEX,
        "manifests": manifests,
    }
    if annotations:
        doc["annotations"] = annotations
    return _dumps(doc, 3 if docker else 2)


def attestation_manifest(rng: random.Random, subject: str) -> str:
    """A buildkit provenance/SBOM attestation manifest (in-toto layers)."""
    return _dumps({
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": random_digest(rng),
                   "size": rng.randrange(160, 260)},
        "layers": [{
            "mediaType": "application/vnd.in-toto+json",
            "digest": random_digest(rng), "size": rng.randrange(1500, 90_000),
            "annotations": {"in-toto.io/predicate-type": predicate},
        } for predicate in ("https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document")],
        "annotations": {"vnd.docker.reference.digest": subject,
                        "vnd.docker.reference.type": "attestation-manifest"},
    }, 2)


def artifact_manifest(rng: random.Random, artifact_type: str, subject: tuple[str, int] | None,
                      *, config_type: str = "", created: str = "") -> str:
    """An OCI 1.1 artifact (signature, SBOM, Helm chart) on an image manifest."""
    if config_type:
        config = {"mediaType": config_type, "digest": random_digest(rng),
                  "size": rng.randrange(150, 900)}
    else:
        config = {"mediaType": mt.OCI_EMPTY, "digest": EMPTY_JSON_DIGEST, "size": 2,
                  "data": "e30="}
    doc: dict[str, Any] = {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST}
    if not config_type:
        doc["artifactType"] = artifact_type
    doc["config"] = config
    doc["layers"] = [{"mediaType": artifact_type if not config_type
                      else "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                      "digest": random_digest(rng), "size": rng.randrange(900, 40_000)}]
    if subject is not None:
        doc["subject"] = {"mediaType": mt.OCI_MANIFEST, "digest": subject[0],
                          "size": subject[1]}
    if created:
        doc["annotations"] = {"org.opencontainers.image.created": created}
    return _dumps(doc, None)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_B64URL, k=n))


def _v1_ids(layers: Sequence[Layer]) -> list[str]:
    """v1 image ids, newest first, chained from the bottom layer up: pushes that share
    layers share ids, as ``docker push`` of schema1 produced them."""
    ids: list[str] = []
    parent = ""
    for layer in layers:
        parent = hashlib.sha256(f"{layer.digest}{parent}".encode()).hexdigest()
        ids.append(parent)
    return ids[::-1]


def schema1(rng: random.Random, name: str, tag: str, layers: Sequence[Layer], created: str,
            *, signed: bool, signer: str = "registry") -> str:
    """A schema1 manifest (``fsLayers`` newest first, one ``v1Compatibility`` per layer),
    signed with *signer*'s key (registries signed schema1 with their own key)."""
    ids = _v1_ids(layers)
    history = []
    for i, layer_id in enumerate(ids):
        v1: dict[str, Any] = {"id": layer_id, "created": created,
                              "container_config": {"Cmd": ["/bin/sh -c #(nop) layer"]}}
        if i + 1 < len(ids):
            v1["parent"] = ids[i + 1]
        if i == 0:
            v1.update(architecture="amd64", os="linux", docker_version="1.13.1",
                      config={"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/bin:/bin"]})
        history.append({"v1Compatibility": json.dumps(v1, separators=(",", ":"))})
    doc: dict[str, Any] = {
        "schemaVersion": 1, "name": name, "tag": tag, "architecture": "amd64",
        "fsLayers": [{"blobSum": x.digest} for x in reversed(layers)],
        "history": history,
    }
    payload = _dumps(doc, 3)
    if not signed:
        return payload
    # libtrust's "pretty" JWS: the signatures array is spliced in before the closing
    # "\n}", and the protected header says where (formatLength) and what followed
    # (formatTail), so the payload can be rebuilt byte for byte.
    tail = "\n}"
    header = json.dumps({"formatLength": len(payload) - len(tail),
                         "formatTail": _b64url(tail.encode()), "time": created},
                        separators=(",", ":"))
    key = random.Random(signer)
    doc["signatures"] = [{
        "header": {"jwk": {"crv": "P-256", "kid": _b64(key, 24), "kty": "EC",
                           "x": _b64(key, 43), "y": _b64(key, 43)}, "alg": "ES256"},
        "signature": _b64(rng, 86),
        "protected": _b64url(header.encode()),
    }]
    return _dumps(doc, 3)


def broken_blob(rng: random.Random, good: str) -> str:
    """What scraped dumps contain besides manifests: truncated downloads, proxy error
    pages, registry error bodies served with 200, conflicting fields."""
    choice = rng.random()
    if choice < 0.45:
        return good[: int(len(good) * (0.3 + 0.6 * rng.random()))]
    if choice < 0.65:
        return ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
    if choice < 0.85:
        return _dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown",
                                   "detail": {"Tag": "latest"}}]}, None)
    doc = json.loads(good) if good.lstrip().startswith("{") else {}
    doc["fsLayers"] = [{"blobSum": EMPTY_TAR_GZ_DIGEST}]
    return _dumps(doc, 3)
