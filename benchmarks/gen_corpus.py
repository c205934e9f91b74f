#!/usr/bin/env python3
# Provenance: copied unchanged (apart from this comment) from the project's shared
# performance anchors, ../shared/bench/gen_corpus.py (GEN_VERSION 1), a reference tool written
# for mstoolkit's benchmarks. Same (N, seed) -> the same bytes as the anchors were measured on.
"""Deterministic corpus of container-image manifest blobs (stdlib only).

Writes N blobs shaped like what a registry or a local content store holds:
OCI image manifests (with and without mediaType), Docker schema2 manifests,
OCI indexes / Docker manifest lists (with buildkit attestation entries),
Docker schema1 signed manifests (prettyjws), OCI 1.1 artifacts, a few
"other" JSON blobs that end up in the same store (helm chart config, image
config, in-toto statement, cosign payload, OCI artifact manifest RC), and a
few invalid ones (bad JSON, truncated, conflicting fields, wrong types).

Outputs, under --out (default: <this dir>/corpus/n<N>):
  layout/oci-layout, layout/index.json, layout/blobs/sha256/<hex>
      one file per blob, file name = sha256 of its bytes
  manifests.jsonl
      one object per line:
      {"digest": "sha256:<hex>", "media_type_hint": <str|null>, "blob": <raw JSON text as a string>}
  meta.json
      parameters, intended category counts, byte totals

The output depends only on (N, seed): blobs are generated in fixed-size
chunks, each with its own RNG, so the worker count does not change a byte.

Usage:
  python3 gen_corpus.py                      # N=200000, files + JSONL
  python3 gen_corpus.py -n 1000000 --no-files
  python3 gen_corpus.py -n 2000 --out /tmp/small --seed 7
"""

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time
from json.encoder import encode_basestring_ascii as _jstr
from multiprocessing import Pool
from random import Random

GEN_VERSION = 1
CHUNK = 2000  # fixed: part of the determinism contract

# ---------------------------------------------------------------- media types
MT_S2 = "application/vnd.docker.distribution.manifest.v2+json"
MT_S2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_S1 = "application/vnd.docker.distribution.manifest.v1+json"
MT_S1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MT_S2_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_S2_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MT_S2_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_OCI_LAYER_ZST = "application/vnd.oci.image.layer.v1.tar+zstd"
MT_OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_OCI_LAYER_ND = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
MT_OCI_EMPTY = "application/vnd.oci.empty.v1+json"
MT_OCI_ARTIFACT_RC = "application/vnd.oci.artifact.manifest.v1+json"
EMPTY_JSON_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
EMPTY_TAR_GZ_DIGEST = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"

# category -> weight (percent)
CATEGORIES = [
    ("oci_manifest", 35.0),
    ("oci_manifest_no_mediatype", 10.0),
    ("docker_schema2", 20.0),
    ("index_or_list", 15.0),
    ("docker_schema1_signed", 8.0),
    ("oci_artifact", 5.0),
    ("invalid", 4.0),
    ("other_media_type", 3.0),
]
_total_w = sum(w for _, w in CATEGORIES)
CUM = []
_acc = 0.0
for _name, _w in CATEGORIES:
    _acc += _w / _total_w
    CUM.append((_acc, _name))

REPOS = [
    "library/ubuntu", "library/alpine", "library/debian", "library/nginx", "library/redis",
    "library/postgres", "library/python", "library/node", "library/golang", "library/busybox",
    "acme/api-server", "acme/worker", "acme/frontend", "infra/prometheus", "infra/grafana",
    "infra/fluent-bit", "ml/trainer", "ml/inference", "tools/ci-runner", "tools/kubectl",
]
TAGS = ["latest", "stable", "1.0", "1.2.3", "v2.4.1", "3.18", "bookworm", "22.04", "main", "edge"]
SOURCES = [
    "https://github.com/acme/api-server", "https://github.com/acme/worker",
    "https://github.com/docker-library/official-images", "https://gitlab.com/infra/images",
    "https://github.com/ml/platform", "https://github.com/tools/ci",
]
LICENSES = ["Apache-2.0", "MIT", "BSD-3-Clause", "GPL-2.0-only", "MPL-2.0"]
VENDORS = ["Acme Corp", "Example Inc.", "Docker Community", "Infra Team"]

PLATFORMS = [
    {"architecture": "amd64", "os": "linux"},
    {"architecture": "arm64", "os": "linux", "variant": "v8"},
    {"architecture": "arm", "os": "linux", "variant": "v7"},
    {"architecture": "arm", "os": "linux", "variant": "v6"},
    {"architecture": "386", "os": "linux"},
    {"architecture": "ppc64le", "os": "linux"},
    {"architecture": "s390x", "os": "linux"},
    {"architecture": "riscv64", "os": "linux"},
    {"architecture": "mips64le", "os": "linux"},
    {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5820"},
    {"architecture": "amd64", "os": "windows", "os.version": "10.0.20348.2461"},
    {"architecture": "amd64", "os": "windows", "os.version": "10.0.25398.887"},
]

ARTIFACTS = [
    # (artifactType, layer mediaType, typical layer size range, annotations on layer)
    ("application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.dev.sigstore.bundle.v0.3+json", (2000, 9000)),
    ("application/vnd.cncf.notary.signature", "application/jose+json", (1500, 4000)),
    ("application/spdx+json", "application/spdx+json", (20000, 4000000)),
    ("application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", (20000, 3000000)),
    ("application/vnd.in-toto+json", "application/vnd.in-toto+json", (3000, 60000)),
    ("application/vnd.cncf.helm.config.v1+json", "application/vnd.cncf.helm.chart.content.v1.tar+gzip", (3000, 90000)),
]

HEX = "0123456789abcdef"
_SIZE_RE = re.compile(r'("size":\s*)\d+')
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# ---------------------------------------------------------------- helpers
def hex64(r):
    return "%064x" % r.getrandbits(256)


def dig(r):
    return "sha256:%064x" % r.getrandbits(256)


def b64url(r, n):
    return "".join(r.choices(B64URL, k=n))


def ts(r, nanos=None):
    # 2015-01-01 .. 2025-12-31
    t = time.gmtime(1420070400 + r.randrange(11 * 365 * 86400))
    base = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    if nanos is None:
        nanos = r.random() < 0.5
    if nanos:
        return "%s.%09dZ" % (base, r.randrange(10 ** 9))
    return base + "Z"


def layer_count(r):
    # mostly 3..15, long tail to 40
    n = int(r.lognormvariate(math.log(7.0), 0.65))
    return 1 if n < 1 else 40 if n > 40 else n


def layer_size(r):
    if r.random() < 0.04:
        return 32  # empty tar.gz layers do show up
    s = int(r.lognormvariate(math.log(4_000_000), 2.2))
    return 100 if s < 100 else min(s, 3_000_000_000)


def dumps(obj, style):
    if style == 0:
        return json.dumps(obj, separators=(",", ":"))
    return json.dumps(obj, indent=style)


def oci_annotations(r, k):
    pool = [
        ("org.opencontainers.image.created", lambda: ts(r, False)),
        ("org.opencontainers.image.source", lambda: r.choice(SOURCES)),
        ("org.opencontainers.image.revision", lambda: "%040x" % r.getrandbits(160)),
        ("org.opencontainers.image.version", lambda: "%d.%d.%d" % (r.randrange(5), r.randrange(30), r.randrange(20))),
        ("org.opencontainers.image.licenses", lambda: r.choice(LICENSES)),
        ("org.opencontainers.image.vendor", lambda: r.choice(VENDORS)),
        ("org.opencontainers.image.title", lambda: r.choice(REPOS).split("/")[1]),
        ("org.opencontainers.image.description", lambda: "Image for %s built from %s" % (r.choice(REPOS), r.choice(SOURCES))),
        ("org.opencontainers.image.url", lambda: r.choice(SOURCES)),
        ("org.opencontainers.image.base.name", lambda: "docker.io/%s:%s" % (r.choice(REPOS), r.choice(TAGS))),
        ("org.opencontainers.image.base.digest", lambda: dig(r)),
        ("org.opencontainers.image.authors", lambda: "team-%d@example.com" % r.randrange(100)),
    ]
    picked = r.sample(pool, min(k, len(pool)))
    return {key: f() for key, f in picked}


# ---------------------------------------------------------------- builders
# each returns (text, media_type_hint)

def build_oci_manifest(r, with_mediatype=True):
    zstd = r.random() < 0.10
    n = layer_count(r)
    layers = []
    for _ in range(n):
        lm = MT_OCI_LAYER_ZST if zstd else (MT_OCI_LAYER_TAR if r.random() < 0.02 else MT_OCI_LAYER_GZ)
        d = {"mediaType": lm, "digest": dig(r), "size": layer_size(r)}
        if r.random() < 0.05:  # estargz / stargz annotations
            d["annotations"] = {
                "containerd.io/snapshot/stargz/toc.digest": dig(r),
                "io.containers.estargz.uncompressed-size": str(d["size"] * 3 + r.randrange(1000)),
            }
        layers.append(d)
    if r.random() < 0.01:
        layers.append({"mediaType": MT_OCI_LAYER_ND, "digest": dig(r), "size": layer_size(r),
                       "urls": ["https://mcr.example.com/blob/%s" % hex64(r)]})
    m = {"schemaVersion": 2}
    if with_mediatype:
        m["mediaType"] = MT_OCI_MANIFEST
    m["config"] = {"mediaType": MT_OCI_CONFIG, "digest": dig(r), "size": r.randrange(400, 20000)}
    m["layers"] = layers
    if r.random() < 0.4:
        m["annotations"] = oci_annotations(r, r.randint(1, 8))
    # buildkit/containerd: 2-space indent; ggcr/crane/podman: compact
    style = 2 if r.random() < 0.6 else 0
    return dumps(m, style), MT_OCI_MANIFEST


def build_schema2(r):
    n = layer_count(r)
    windows = r.random() < 0.03
    layers = []
    if windows:
        for _ in range(r.randint(1, 2)):
            layers.append({"mediaType": MT_S2_FOREIGN, "size": r.randrange(100_000_000, 2_500_000_000),
                           "digest": dig(r), "urls": ["https://mcr.microsoft.example/d/%s" % hex64(r)]})
    for _ in range(n):
        layers.append({"mediaType": MT_S2_LAYER, "size": layer_size(r), "digest": dig(r)})
    m = {
        "schemaVersion": 2,
        "mediaType": MT_S2,
        "config": {"mediaType": MT_S2_CONFIG, "size": r.randrange(1000, 25000), "digest": dig(r)},
        "layers": layers,
    }
    # docker/distribution marshals with 3-space indent
    style = 3 if r.random() < 0.8 else 0
    return dumps(m, style), MT_S2


def build_index(r):
    u = r.random()
    k = r.randint(2, 12)
    plats = r.sample(PLATFORMS, k)
    if u < 0.30:  # docker manifest list
        ms = [{"mediaType": MT_S2, "size": r.randrange(500, 3500), "digest": dig(r), "platform": p} for p in plats]
        m = {"schemaVersion": 2, "mediaType": MT_S2_LIST, "manifests": ms}
        return dumps(m, 3 if r.random() < 0.7 else 0), MT_S2_LIST
    # OCI index
    ms = []
    attest = u < 0.80 and r.random() < 0.75  # buildkit with provenance/SBOM attestations
    for p in plats:
        d = {"mediaType": MT_OCI_MANIFEST, "digest": dig(r), "size": r.randrange(500, 3500), "platform": p}
        if r.random() < 0.1:
            d["annotations"] = {"org.opencontainers.image.ref.name": r.choice(TAGS)}
        ms.append(d)
    if attest:
        for d in list(ms):
            ms.append({
                "mediaType": MT_OCI_MANIFEST,
                "digest": dig(r),
                "size": r.randrange(500, 1200),
                "annotations": {
                    "vnd.docker.reference.digest": d["digest"],
                    "vnd.docker.reference.type": "attestation-manifest",
                },
                "platform": {"architecture": "unknown", "os": "unknown"},
            })
    m = {"schemaVersion": 2}
    no_mt = u >= 0.95  # some older OCI tools omitted mediaType on indexes
    if not no_mt:
        m["mediaType"] = MT_OCI_INDEX
    m["manifests"] = ms
    if r.random() < 0.5:
        m["annotations"] = oci_annotations(r, r.randint(1, 5))
    return dumps(m, 2 if r.random() < 0.65 else 0), MT_OCI_INDEX


def _v1_config(r, cmd):
    return {
        "Hostname": "%012x" % r.getrandbits(48), "Domainname": "", "User": "",
        "AttachStdin": False, "AttachStdout": False, "AttachStderr": False,
        "Tty": False, "OpenStdin": False, "StdinOnce": False,
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "VERSION=%d.%d.%d" % (r.randrange(9), r.randrange(20), r.randrange(20))],
        "Cmd": cmd, "ArgsEscaped": True, "Image": dig(r), "Volumes": None,
        "WorkingDir": r.choice(["", "/app", "/usr/src/app"]), "Entrypoint": None,
        "OnBuild": None, "Labels": {"maintainer": "team-%d@example.com" % r.randrange(50)},
    }


def build_schema1(r, with_mediatype=False):
    n = r.randint(6, 40)
    repo = r.choice(REPOS)
    ids = [hex64(r) for _ in range(n)]
    fs = []
    hist = []
    for i in range(n):
        empty = r.random() < 0.55 and i != n - 1
        fs.append({"blobSum": EMPTY_TAR_GZ_DIGEST if empty else dig(r)})
        parent = ids[i + 1] if i + 1 < n else None
        if i == 0:
            cmd = ["/bin/sh", "-c", "#(nop) ", 'CMD ["%s"]' % r.choice(["bash", "nginx", "redis-server", "python3"])]
            v1 = {
                "architecture": "amd64",
                "config": _v1_config(r, cmd),
                "container": hex64(r),
                "container_config": _v1_config(r, cmd),
                "created": ts(r),
                "docker_version": r.choice(["1.12.6", "17.06.2-ce", "18.09.7", "19.03.12"]),
                "id": ids[i],
                "os": "linux",
                "parent": parent,
            }
        else:
            if empty:
                c = "/bin/sh -c #(nop)  %s" % r.choice([
                    "ENV LANG=C.UTF-8", "EXPOSE 8080/tcp", "WORKDIR /app",
                    "LABEL maintainer=team@example.com", "ENTRYPOINT [\"/docker-entrypoint.sh\"]"])
            else:
                c = r.choice([
                    "/bin/sh -c #(nop) ADD file:%s in / " % hex64(r),
                    "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*",
                    "/bin/sh -c #(nop) COPY dir:%s in /app " % hex64(r),
                    "/bin/sh -c set -eux; groupadd -r app --gid=999; useradd -r -g app --uid=999 app",
                    "/bin/sh -c pip install --no-cache-dir -r requirements.txt",
                    "/bin/sh -c set -eux; \tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tdirmngr \t\tgnupg \t\twget \t; \trm -rf /var/lib/apt/lists/*; \tdpkgArch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; \twget -O /usr/local/bin/gosu \"https://github.com/tianon/gosu/releases/download/$GOSU_VERSION/gosu-$dpkgArch\"; \tchmod +x /usr/local/bin/gosu; \tgosu --version; \tgosu nobody true",
                    "/bin/sh -c set -ex \t&& buildDeps=' \t\tgcc \t\tlibc6-dev \t\tmake \t\twget \t' \t&& apt-get update \t&& apt-get install -y $buildDeps --no-install-recommends \t&& rm -rf /var/lib/apt/lists/* \t&& wget -O app.tar.gz \"$APP_DOWNLOAD_URL\" \t&& echo \"$APP_DOWNLOAD_SHA *app.tar.gz\" | sha256sum -c - \t&& mkdir -p /usr/src/app \t&& tar -xzf app.tar.gz -C /usr/src/app --strip-components=1 \t&& rm app.tar.gz \t&& make -C /usr/src/app \t&& make -C /usr/src/app install \t&& rm -r /usr/src/app \t&& apt-get purge -y --auto-remove $buildDeps",
                ])
            v1 = {"id": ids[i], "created": ts(r), "container_config": {"Cmd": [c]}}
            if parent:
                v1["parent"] = parent
            if empty:
                v1["throwaway"] = True
            elif r.random() < 0.5:
                v1["Size"] = r.randrange(0, 200_000_000)
        hist.append({"v1Compatibility": json.dumps(v1, separators=(",", ":"))})
    protected = b64url(r, r.choice([100, 104, 108, 112, 148]))
    m = {"schemaVersion": 1}
    if with_mediatype:
        m["mediaType"] = MT_S1
    m.update({
        "name": repo,
        "tag": r.choice(TAGS),
        "architecture": "amd64",
        "fsLayers": fs,
        "history": hist,
        "signatures": [{
            "header": {
                "jwk": {
                    "crv": "P-256",
                    "kid": ":".join("".join(r.choices(B32, k=4)) for _ in range(12)),
                    "kty": "EC",
                    "x": b64url(r, 43),
                    "y": b64url(r, 43),
                },
                "alg": "ES256",
            },
            "signature": b64url(r, 86),
            "protected": protected,
        }],
    })
    return dumps(m, 3), (MT_S1 if with_mediatype else MT_S1_SIGNED)


def build_artifact(r):
    at, lmt, (lo, hi) = r.choice(ARTIFACTS)
    helm = at.startswith("application/vnd.cncf.helm")
    m = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST}
    if helm:
        # helm charts: the artifact type is carried by config.mediaType
        m["config"] = {"mediaType": at, "digest": dig(r), "size": r.randrange(150, 900)}
    else:
        m["artifactType"] = at
        m["config"] = {"mediaType": MT_OCI_EMPTY, "digest": EMPTY_JSON_DIGEST, "size": 2, "data": "e30="}
    nl = 1 if r.random() < 0.85 else r.randint(2, 3)
    layers = []
    for _ in range(nl):
        d = {"mediaType": lmt, "digest": dig(r), "size": r.randrange(lo, hi)}
        if r.random() < 0.3:
            d["annotations"] = {"org.opencontainers.image.title": "%s.json" % hex64(r)[:12]}
        layers.append(d)
    if r.random() < 0.05 and not helm:
        layers = [{"mediaType": MT_OCI_EMPTY, "digest": EMPTY_JSON_DIGEST, "size": 2, "data": "e30="}]
    m["layers"] = layers
    if not helm:
        m["subject"] = {"mediaType": r.choice([MT_OCI_MANIFEST, MT_OCI_INDEX]), "digest": dig(r),
                        "size": r.randrange(500, 9000)}
    ann = {"org.opencontainers.image.created": ts(r, False)}
    if at.startswith("application/vnd.dev.sigstore"):
        ann["dev.sigstore.bundle.content"] = "dsse-envelope"
        ann["dev.sigstore.bundle.predicateType"] = "https://slsa.dev/provenance/v1"
    if at == "application/vnd.cncf.notary.signature":
        ann["io.cncf.notary.x509chain.thumbprint#S256"] = '["%s"]' % hex64(r)
    m["annotations"] = ann
    return dumps(m, 0 if r.random() < 0.6 else 2), MT_OCI_MANIFEST


def build_other(r):
    u = r.random()
    if u < 0.25:  # helm chart config (no mediaType: moby's fallback calls it an index)
        m = {"name": r.choice(REPOS).split("/")[1], "version": "%d.%d.%d" % (r.randrange(5), r.randrange(30), r.randrange(20)),
             "description": "A Helm chart for Kubernetes (%s)" % hex64(r)[:16], "apiVersion": "v2",
             "appVersion": "%d.%d" % (r.randrange(3), r.randrange(30)), "type": "application"}
        if r.random() < 0.5:
            m["dependencies"] = [{"name": "redis", "version": "17.%d.x" % r.randrange(10),
                                  "repository": "oci://registry.example.com/charts"}]
        return dumps(m, 0), "application/vnd.cncf.helm.config.v1+json"
    if u < 0.50:  # OCI image config (has a top-level "config": moby's fallback calls it a manifest)
        nl = layer_count(r)
        m = {"created": ts(r), "architecture": r.choice(["amd64", "arm64"]), "os": "linux",
             "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Cmd": ["/app/server", "--port=%d" % r.randrange(1024, 65535)],
                        "WorkingDir": "/app", "Labels": {"org.opencontainers.image.source": r.choice(SOURCES)}},
             "rootfs": {"type": "layers", "diff_ids": [dig(r) for _ in range(nl)]},
             "history": [{"created": ts(r), "created_by": "RUN /bin/sh -c make build-%d # buildkit" % i, "comment": "buildkit.dockerfile.v0"}
                         for i in range(nl)]}
        return dumps(m, 0), MT_OCI_CONFIG
    if u < 0.70:  # in-toto statement
        m = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
             "subject": [{"name": "pkg:docker/%s@%s" % (r.choice(REPOS), r.choice(TAGS)), "digest": {"sha256": hex64(r)}}],
             "predicate": {"builder": {"id": "https://github.com/actions/runner"}, "buildType": "https://mobyproject.org/buildkit@v1",
                           "metadata": {"buildInvocationID": hex64(r)[:26], "buildStartedOn": ts(r), "buildFinishedOn": ts(r)}}}
        return dumps(m, 0), "application/vnd.in-toto+json"
    if u < 0.85:  # cosign simple-signing payload
        m = {"critical": {"identity": {"docker-reference": "registry.example.com/%s" % r.choice(REPOS)},
                          "image": {"docker-manifest-digest": dig(r)}, "type": "cosign container image signature"},
             "optional": None if r.random() < 0.5 else {"sig": hex64(r)[:16]}}
        return dumps(m, 0), "application/vnd.dev.cosign.simplesigning.v1+json"
    # OCI artifact manifest (1.1 release candidate, later dropped): own mediaType, returned as is
    m = {"mediaType": MT_OCI_ARTIFACT_RC, "artifactType": "application/vnd.example.sbom.v1+json",
         "blobs": [{"mediaType": "application/json", "digest": dig(r), "size": r.randrange(1000, 90000)}],
         "subject": {"mediaType": MT_OCI_MANIFEST, "digest": dig(r), "size": r.randrange(500, 3000)},
         "annotations": {"org.example.sbom.format": "spdx"}}
    return dumps(m, 0), MT_OCI_ARTIFACT_RC


def build_invalid(r):
    u = r.random()
    if u < 0.32:  # truncated download
        text, hint = build_oci_manifest(r) if r.random() < 0.6 else build_schema2(r)
        cut = int(len(text) * (0.5 + 0.45 * r.random()))
        return text[:cut], hint
    if u < 0.52:  # bad JSON
        v = r.random()
        text, hint = build_oci_manifest(r, with_mediatype=True)
        if v < 0.25:  # trailing comma
            i = text.rfind("}")
            return text[:i].rstrip() + ",\n}", hint
        if v < 0.45:  # HTML error page from a proxy
            return ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
                    "<!-- request-id: %s -->\r\n</body>\r\n</html>\r\n" % hex64(r)), "text/html"
        if v < 0.65:  # NaN size (Python's json would accept it; JSON and Go do not)
            return _SIZE_RE.sub(r"\1NaN", text, count=1), hint
        if v < 0.85:  # two documents concatenated
            t2, _ = build_oci_manifest(r)
            return text + "\n" + t2, hint
        # single quotes
        return text.replace('"schemaVersion"', "'schemaVersion'", 1), hint
    if u < 0.84:  # well-formed JSON with conflicting fields
        v = r.randrange(8)
        if v == 0:  # schema2 mediaType + manifests
            m = {"schemaVersion": 2, "mediaType": MT_S2,
                 "config": {"mediaType": MT_S2_CONFIG, "size": 1469, "digest": dig(r)},
                 "manifests": [{"mediaType": MT_S2, "size": 528, "digest": dig(r), "platform": PLATFORMS[0]}]}
            return dumps(m, 3), MT_S2
        if v == 1:  # OCI manifest + fsLayers
            m = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
                 "config": {"mediaType": MT_OCI_CONFIG, "digest": dig(r), "size": 812},
                 "layers": [{"mediaType": MT_OCI_LAYER_GZ, "digest": dig(r), "size": layer_size(r)}],
                 "fsLayers": [{"blobSum": dig(r)}]}
            return dumps(m, 2), MT_OCI_MANIFEST
        if v == 2:  # index mediaType + layers
            m = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                 "manifests": [{"mediaType": MT_OCI_MANIFEST, "digest": dig(r), "size": 1000, "platform": PLATFORMS[1]}],
                 "layers": [{"mediaType": MT_OCI_LAYER_GZ, "digest": dig(r), "size": layer_size(r)}]}
            return dumps(m, 2), MT_OCI_INDEX
        if v == 3:  # manifest list mediaType + config
            m = {"schemaVersion": 2, "mediaType": MT_S2_LIST,
                 "config": {"mediaType": MT_S2_CONFIG, "size": 1000, "digest": dig(r)},
                 "manifests": [{"mediaType": MT_S2, "size": 528, "digest": dig(r), "platform": PLATFORMS[0]}]}
            return dumps(m, 3), MT_S2_LIST
        if v == 4:  # schema1 mediaType + layers
            m = {"schemaVersion": 1, "mediaType": MT_S1, "name": r.choice(REPOS), "tag": "latest",
                 "fsLayers": [{"blobSum": dig(r)}],
                 "layers": [{"mediaType": MT_S2_LAYER, "size": 100, "digest": dig(r)}]}
            return dumps(m, 3), MT_S1
        if v == 5:  # no mediaType, manifests + config: cannot determine
            m = {"schemaVersion": 2, "config": {"mediaType": MT_OCI_CONFIG, "digest": dig(r), "size": 700},
                 "manifests": [{"mediaType": MT_OCI_MANIFEST, "digest": dig(r), "size": 900}]}
            return dumps(m, 0), None
        if v == 6:  # no mediaType, fsLayers + layers: cannot determine
            m = {"schemaVersion": 1, "fsLayers": [{"blobSum": dig(r)}],
                 "layers": [{"mediaType": MT_OCI_LAYER_GZ, "digest": dig(r), "size": 50}]}
            return dumps(m, 0), None
        # registry error body served with 200 (valid JSON: moby's fallback calls it an index)
        m = {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown",
                         "detail": {"Tag": r.choice(TAGS), "Name": r.choice(REPOS), "Revision": dig(r)}}]}
        return dumps(m, 0), "application/json"
    # type problems
    v = r.randrange(4)
    if v == 0:  # top-level array
        return dumps([{"mediaType": MT_OCI_MANIFEST, "digest": dig(r), "size": 1200}], 0), MT_OCI_INDEX
    if v == 1:  # mediaType is not a string
        return dumps({"schemaVersion": 2, "mediaType": 2, "config": {"digest": dig(r), "size": 5}, "layers": []}, 0), MT_OCI_MANIFEST
    if v == 2:  # mediaType null (Go leaves it empty: fallback applies)
        return dumps({"schemaVersion": 2, "mediaType": None,
                      "config": {"mediaType": MT_OCI_CONFIG, "digest": dig(r), "size": 640},
                      "layers": [{"mediaType": MT_OCI_LAYER_GZ, "digest": dig(r), "size": layer_size(r)}]}, 0), MT_OCI_MANIFEST
    # "manifests": null on an index (present for Go's RawMessage)
    return dumps({"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": None,
                  "annotations": {"org.opencontainers.image.ref.name": hex64(r)[:12]}}, 0), MT_OCI_INDEX


BUILDERS = {
    "oci_manifest": lambda r: build_oci_manifest(r, True),
    "oci_manifest_no_mediatype": lambda r: build_oci_manifest(r, False),
    "docker_schema2": build_schema2,
    "index_or_list": build_index,
    "docker_schema1_signed": lambda r: build_schema1(r, r.random() < 0.15),
    "oci_artifact": build_artifact,
    "invalid": build_invalid,
    "other_media_type": build_other,
}


def pick_category(r):
    u = r.random()
    for c, name in CUM:
        if u < c:
            return name
    return CUM[-1][1]


# ---------------------------------------------------------------- chunk worker
_CFG = {}


def _init(cfg):
    _CFG.update(cfg)


def gen_chunk(args):
    seed, ci, lo, hi = args
    r = Random((seed << 40) ^ (ci * 0x9E3779B1) ^ GEN_VERSION)
    blobs_dir = _CFG.get("blobs_dir")
    want_jsonl = _CFG.get("jsonl", True)
    lines = []
    cats = {}
    nbytes = 0
    refs = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for _ in range(lo, hi):
        cat = pick_category(r)
        text, hint = BUILDERS[cat](r)
        data = text.encode("utf-8")
        h = hashlib.sha256(data).hexdigest()
        nbytes += len(data)
        cats[cat] = cats.get(cat, 0) + 1
        if blobs_dir is not None:
            fd = os.open(os.path.join(blobs_dir, h), flags, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        if want_jsonl:
            lines.append('{"digest":"sha256:%s","media_type_hint":%s,"blob":%s}\n'
                         % (h, "null" if hint is None else _jstr(hint), _jstr(text)))
        if len(refs) < 4 and cat in ("index_or_list", "oci_manifest") and hint in (MT_OCI_INDEX, MT_OCI_MANIFEST):
            refs.append((h, len(data), hint))
    return ci, "".join(lines), cats, nbytes, refs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200_000, help="number of blobs (default 200000)")
    ap.add_argument("--seed", type=int, default=20240601, help="RNG seed (default 20240601)")
    ap.add_argument("--out", default=None, help="output dir (default <script dir>/corpus/n<N>)")
    ap.add_argument("--no-files", action="store_true", help="skip the OCI layout (JSONL only)")
    ap.add_argument("--no-jsonl", action="store_true", help="skip the JSONL file")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (output is identical for any value)")
    a = ap.parse_args()

    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "n%d" % a.n)
    os.makedirs(out, exist_ok=True)
    blobs_dir = None
    if not a.no_files:
        layout = os.path.join(out, "layout")
        blobs_dir = os.path.join(layout, "blobs", "sha256")
        os.makedirs(blobs_dir, exist_ok=True)
        stale = 0
        for e in os.scandir(blobs_dir):  # regenerate from scratch: drop blobs of an earlier run
            os.unlink(e.path)
            stale += 1
        if stale:
            print("removed %d blobs of an earlier run from %s" % (stale, blobs_dir), file=sys.stderr)
        with open(os.path.join(layout, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
    cfg = {"blobs_dir": blobs_dir, "jsonl": not a.no_jsonl}

    t0 = time.perf_counter()
    tasks = [(a.seed, ci, lo, min(lo + CHUNK, a.n)) for ci, lo in enumerate(range(0, a.n, CHUNK))]
    cats_total = {}
    nbytes = 0
    refs = []
    jsonl_path = os.path.join(out, "manifests.jsonl")
    jf = None if a.no_jsonl else open(jsonl_path, "w", encoding="utf-8", newline="\n")
    try:
        if a.workers > 1:
            pool = Pool(a.workers, initializer=_init, initargs=(cfg,))
            it = pool.imap(gen_chunk, tasks, chunksize=1)
        else:
            _init(cfg)
            pool = None
            it = map(gen_chunk, tasks)
        for ci, text, cats, nb, rf in it:
            if jf is not None:
                jf.write(text)
            for k, v in cats.items():
                cats_total[k] = cats_total.get(k, 0) + v
            nbytes += nb
            if len(refs) < 8:
                refs.extend(rf[: 8 - len(refs)])
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if jf is not None:
            jf.close()

    if blobs_dir is not None:
        idx = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
               "manifests": [{"mediaType": mt, "digest": "sha256:" + h, "size": sz} for h, sz, mt in refs]}
        with open(os.path.join(out, "layout", "index.json"), "w") as f:
            json.dump(idx, f, indent=2)
    elapsed = time.perf_counter() - t0
    meta = {
        "generator_version": GEN_VERSION, "n": a.n, "seed": a.seed, "chunk": CHUNK,
        "intended_categories": dict(sorted(cats_total.items(), key=lambda kv: -kv[1])),
        "blob_bytes": nbytes,
        "jsonl_bytes": None if a.no_jsonl else os.path.getsize(jsonl_path),
        "files": blobs_dir is not None,
    }
    if blobs_dir is not None:
        nfiles = sum(1 for _ in os.scandir(blobs_dir))
        meta["unique_files"] = nfiles
        if nfiles != a.n:
            print("warning: %d blobs but %d distinct files (duplicate content)" % (a.n, nfiles), file=sys.stderr)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta, indent=2))
    print("generated %d blobs (%.1f MB) into %s in %.1f s" % (a.n, nbytes / 1e6, out, elapsed), file=sys.stderr)


if __name__ == "__main__":
    main()
