"""A seeded, realistic manifest dump: registries, repositories and a decade of pushes.

The bundled ``data/manifests.jsonl.zst`` is written by :func:`write_dump`. It simulates what
a crawl of several registries returns: each repository lives for some years and pushes
images; what an image looks like depends on the year and the registry:

* schema1 until Docker 1.10 (2016) brought schema2, lingering longest where registries kept
  it (quay.io served schema1 until 2020; old private registries), never on ghcr.io;
* OCI manifests instead of Docker schema2 growing with buildkit, the default from 2023;
* multi-platform indexes and lists from 2017, buildkit attestations from 2023;
* signatures (cosign's ``.sig`` tags, later OCI 1.1 referrers), SBOM referrers and Helm
  charts as artifacts from 2021;
* a small share of junk a crawl picks up (truncated bodies, proxy error pages, registry
  error documents served with 200, conflicting fields).

Layers are drawn from per-family, per-architecture base images and per-repository
application layers that change a few at a time, as real images do; shared digests are why
tens of thousands of manifests compress to a few MB.

Records are JSON objects ``{"registry", "repository", "tag", "created", "media_type_hint",
"blob"}``: the shape classify() reads, with the registry's Content-Type as the hint. The
output depends only on ``(n, seed)``.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import zstandard

from mstoolkit import mediatypes as mt
from mstoolkit.catalog import synth_blobs as blobs
from mstoolkit.catalog.synth_blobs import Layer

__all__ = ["DEFAULT_N", "DEFAULT_SEED", "SynthRecord", "generate", "write_dump"]


def __dir__() -> list[str]:
    return sorted(__all__)


DEFAULT_N: Final = 25_000
DEFAULT_SEED: Final = 20240227  # the day moby disabled schema1 pulls by default

#: registry -> (weight, first year, schema1 propensity multiplier, namespaces)
_REGISTRIES: Final = {
    "docker.io": (40, 2014, 1.0, ("library", "bitnami", "grafana", "acme", "jdoe", "ml-lab")),
    "quay.io": (14, 2014, 2.5, ("coreos", "prometheus", "keycloak", "acme", "biocontainers")),
    "ghcr.io": (14, 2020, 0.0, ("acme", "open-telemetry", "fluxcd", "jdoe", "ml-lab")),
    "registry.gitlab.com": (8, 2016, 0.8, ("acme/platform", "gitlab-org/ci", "jdoe/tools")),
    "gcr.io": (8, 2015, 1.3, ("google-containers", "distroless", "acme-prod")),
    "public.ecr.aws": (6, 2021, 0.0, ("aws-cli", "eks-distro", "acme")),
    "registry.example.com": (10, 2014, 1.6, ("payments", "search", "legacy", "data", "web")),
}
_NAMES: Final = (
    "api", "worker", "frontend", "gateway", "scheduler", "exporter", "agent", "operator",
    "cli", "db-migrate", "cache", "proxy", "indexer", "notifier", "billing", "auth",
    "reports", "etl", "trainer", "inference", "nginx", "redis", "postgres", "python",
    "node", "golang", "alpine", "debian", "busybox", "kubectl", "terraform", "helm",
)
_FAMILIES: Final = ("debian", "alpine", "ubuntu", "distroless", "busybox", "centos")
_PLATFORMS: Final = (
    {"architecture": "amd64", "os": "linux"},
    {"architecture": "arm64", "os": "linux", "variant": "v8"},
    {"architecture": "arm", "os": "linux", "variant": "v7"},
    {"architecture": "ppc64le", "os": "linux"},
    {"architecture": "s390x", "os": "linux"},
    {"architecture": "386", "os": "linux"},
)
_SCHEMA1_BY_YEAR: Final = {2014: 1.0, 2015: 0.97, 2016: 0.6, 2017: 0.3, 2018: 0.15,
                           2019: 0.08, 2020: 0.04, 2021: 0.02, 2022: 0.01}
_OCI_BY_YEAR: Final = {2019: 0.03, 2020: 0.06, 2021: 0.12, 2022: 0.25, 2023: 0.5, 2024: 0.65}
_MULTI_BY_YEAR: Final = {2017: 0.05, 2018: 0.1, 2019: 0.15, 2020: 0.2, 2021: 0.3,
                         2022: 0.35, 2023: 0.4, 2024: 0.45}
_LAST_YEAR: Final = 2025
_JUNK: Final = 0.012
_MAX_PUSHES: Final = 150


def _by_year(table: dict[int, float], year: int, before: float, after: float) -> float:
    if year < min(table):
        return before
    if year > max(table):
        return after
    return table[year]


@dataclass(frozen=True, slots=True)
class SynthRecord:
    """One pushed blob: where it lives, when it was pushed, and its text."""

    registry: str
    repository: str
    tag: str
    created: str
    media_type_hint: str
    blob: str

    def to_json(self) -> str:
        """The JSON Lines form (one line, no newline)."""
        return json.dumps({
            "registry": self.registry, "repository": self.repository, "tag": self.tag,
            "created": self.created, "media_type_hint": self.media_type_hint or None,
            "blob": self.blob,
        }, separators=(",", ":"))


@dataclass(slots=True)
class _Repo:
    registry: str
    name: str
    start: int
    end: int
    family: str
    multiarch: float
    signs: bool
    chart: bool
    app: dict[str, list[Layer]] = field(default_factory=dict)


class _World:
    """Base images per family/architecture/quarter, and the RNG everything draws from."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.bases: dict[tuple[str, str, int], list[Layer]] = {}

    def base(self, family: str, arch: str, moment: datetime) -> list[Layer]:
        key = (family, arch, moment.year * 4 + (moment.month - 1) // 3)
        if key not in self.bases:
            count = 1 if family in ("alpine", "busybox", "distroless") else 2
            self.bases[key] = [self.layer(2_000_000, 60_000_000) for _ in range(count)]
        return self.bases[key]

    def layer(self, low: int = 200, high: int = 90_000_000) -> Layer:
        return Layer(blobs.random_digest(self.rng), self.rng.randrange(low, high))

    def app_layers(self, repo: _Repo, arch: str) -> list[Layer]:
        layers = repo.app.get(arch)
        if layers is None:
            layers = repo.app[arch] = [self.layer() for _ in range(self.rng.randint(2, 6))]
        else:
            changed = self.rng.randint(1, min(2, len(layers)))
            layers[-changed:] = [self.layer() for _ in range(changed)]
        return layers


def _repos(world: _World, count: int) -> list[_Repo]:
    rng = world.rng
    registries = list(_REGISTRIES)
    weights = [_REGISTRIES[r][0] for r in registries]
    seen: set[tuple[str, str]] = set()
    repos: list[_Repo] = []
    while len(repos) < count:
        registry = rng.choices(registries, weights)[0]
        _, first, _, namespaces = _REGISTRIES[registry]
        name = f"{rng.choice(namespaces)}/{rng.choice(_NAMES)}"
        if len(seen) < 4 * count and (registry, name) in seen:
            name = f"{name}-{rng.randrange(2, 99)}"
        if (registry, name) in seen:
            continue
        seen.add((registry, name))
        start = first + int((_LAST_YEAR + 1 - first) * rng.random() ** 1.4)
        end = min(_LAST_YEAR, start + int(rng.expovariate(1 / 5)))
        repos.append(_Repo(
            registry, name, start, end, rng.choice(_FAMILIES),
            multiarch=rng.choice((0.0, 0.0, 1.0, 1.0, 2.0)),
            signs=rng.random() < 0.25, chart=rng.random() < 0.04,
        ))
    return repos


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _push_times(world: _World, repo: _Repo, count: int) -> list[datetime]:
    start = datetime(repo.start, 1, 1, tzinfo=UTC)
    span = (datetime(repo.end, 12, 31, tzinfo=UTC) - start).total_seconds()
    seconds = sorted(world.rng.uniform(0, span) for _ in range(count))
    return [start + timedelta(seconds=int(s)) for s in seconds]


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _image(world: _World, repo: _Repo, tag: str, moment: datetime) -> Iterator[SynthRecord]:
    """The records of one push: a single manifest, or an index and its children, plus any
    signature and attestations."""
    rng = world.rng
    year = moment.year
    created = _iso(moment)

    def record(text: str, hint: str, record_tag: str = "") -> SynthRecord:
        return SynthRecord(repo.registry, repo.name, record_tag, created, hint, text)

    if repo.chart and year >= 2021:
        yield record(blobs.artifact_manifest(rng, "", None, created=created,
                                             config_type="application/vnd.cncf.helm.config.v1+json"),
                     mt.OCI_MANIFEST, tag)
        return
    registry_bias = _REGISTRIES[repo.registry][2]
    if rng.random() < min(1.0, _by_year(_SCHEMA1_BY_YEAR, year, 1.0, 0.005) * registry_bias):
        layers = world.base(repo.family, "amd64", moment) + world.app_layers(repo, "amd64")
        signed = rng.random() < 0.9
        text = blobs.schema1(rng, repo.name, tag, layers, created, signed=signed,
                             signer=repo.registry)
        yield record(text, mt.DOCKER_SCHEMA1_SIGNED if signed else mt.DOCKER_SCHEMA1, tag)
        return
    oci = rng.random() < _by_year(_OCI_BY_YEAR, year, 0.01, 0.75)
    multi = rng.random() < _by_year(_MULTI_BY_YEAR, year, 0.0, 0.5) * repo.multiarch
    platforms = _PLATFORMS[: rng.randint(2, len(_PLATFORMS))] if multi else _PLATFORMS[:1]
    children: list[tuple[str, int, dict[str, str]]] = []
    child_records: list[SynthRecord] = []
    for platform in platforms:
        arch = platform["architecture"]
        layers = world.base(repo.family, arch, moment) + world.app_layers(repo, arch)
        config = world.layer(900, 12_000)
        if oci:
            text = blobs.oci_manifest(config, layers, compact=rng.random() < 0.4,
                                      zstd=year >= 2023 and rng.random() < 0.05)
        else:
            text = blobs.schema2(config, layers)
        children.append((_digest(text), len(text), platform))
        child_records.append(record(text, mt.OCI_MANIFEST if oci else mt.DOCKER_SCHEMA2,
                                    "" if multi else tag))
    subject = (children[0][0], children[0][1])
    if multi:
        attest: list[tuple[str, int, str]] = []
        if oci and year >= 2023 and rng.random() < 0.6:
            for digest, _, _ in children:
                text = blobs.attestation_manifest(rng, digest)
                attest.append((_digest(text), len(text), digest))
                child_records.append(record(text, mt.OCI_MANIFEST))
        text = blobs.index(children, docker=not oci, attestations=attest)
        yield record(text, mt.OCI_INDEX if oci else mt.DOCKER_MANIFEST_LIST, tag)
        subject = (_digest(text), len(text))
    yield from child_records
    if repo.signs and year >= 2021:
        kind = "application/vnd.dev.sigstore.bundle.v0.3+json" if year >= 2024 else (
            "application/vnd.dev.cosign.artifact.sig.v1+json")
        sig_tag = "" if year >= 2024 else f"{subject[0].replace(':', '-')}.sig"
        yield record(blobs.artifact_manifest(rng, kind, subject, created=created),
                     mt.OCI_MANIFEST, sig_tag)
    if year >= 2023 and rng.random() < 0.15:
        yield record(blobs.artifact_manifest(rng, "application/spdx+json", subject),
                     mt.OCI_MANIFEST)


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """*n* records, deterministic in ``(n, seed)``, grouped by repository, oldest first."""
    world = _World(seed)
    rng = world.rng
    repos = _repos(world, max(1, n // 10))
    emitted = 0
    while emitted < n:
        for repo in repos:
            pushes = min(_MAX_PUSHES, max(1, int(rng.paretovariate(1.2) * 3)))
            versions = [f"{repo.start - 2013}.{minor}.{patch}"
                        for minor in range(pushes) for patch in (0, 1)][:pushes]
            for version, moment in zip(versions, _push_times(world, repo, pushes), strict=True):
                for pushed in _image(world, repo, version, moment):
                    item = pushed
                    if rng.random() < _JUNK:
                        item = SynthRecord(pushed.registry, pushed.repository, pushed.tag,
                                           pushed.created, pushed.media_type_hint,
                                           blobs.broken_blob(rng, pushed.blob))
                    yield item
                    emitted += 1
                    if emitted >= n:
                        return


def write_dump(path: str | Path, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`generate`'s records as JSON Lines, zstd-compressed for ``.zst`` paths
    (level 19 with long-distance matching: the repeated layer digests are far apart)."""
    target = Path(path)
    text = "".join(r.to_json() + "\n" for r in generate(n, seed)).encode()
    if target.name.endswith(".zst"):
        params = zstandard.ZstdCompressionParameters.from_level(
            19, window_log=27, enable_ldm=True)
        text = zstandard.ZstdCompressor(compression_params=params).compress(text)
    target.write_bytes(text)
    return target
