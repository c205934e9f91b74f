"""Builders for every input format classify() reads, made from the real fixture blobs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from tests.support.fixtures_data import FIXTURES, expected_rows

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def expected_label(error: str) -> str:
    """EXPECTED.tsv's Go error text as the classifier's error label."""
    if not error:
        return ""
    if error == "media-type: cannot determine":
        return "cannot-determine"
    if error.startswith("media-type: "):
        return "conflict:" + error.split('"')[1]
    if error.startswith("json: cannot unmarshal"):
        return "json-type"
    return "json-syntax"


def fixture_blobs() -> list[tuple[str, bytes]]:
    """(relative name under blobs/, bytes) of every fixture blob, sorted by name."""
    return [(row.file.removeprefix("blobs/"), row.read()) for row in expected_rows()]


def utf8_blobs() -> list[tuple[str, bytes]]:
    """The fixture blobs a JSON string can carry exactly (valid UTF-8)."""
    out = []
    for name, data in fixture_blobs():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append((name, data))
    return out


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_folder(root: Path, blobs: Iterable[tuple[str, bytes]]) -> Path:
    for name, data in blobs:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def image_parts() -> dict[str, bytes]:
    """A tiny image: a config, a layer (gzip bytes), a manifest pointing at both, and an
    index pointing at the manifest. Keys are the blob roles."""
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    layer = gzip.compress(b"not a manifest, a layer", mtime=0)
    manifest = orjson.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": f"sha256:{sha(config)}", "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": f"sha256:{sha(layer)}", "size": len(layer)}],
    })
    index = orjson.dumps({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": f"sha256:{sha(manifest)}",
                       "size": len(manifest),
                       "platform": {"architecture": "amd64", "os": "linux"}}],
    })
    return {"config": config, "layer": layer, "manifest": manifest, "index": index}


def layout_files(extra: Iterable[bytes] = ()) -> dict[str, bytes]:
    """Files of an OCI layout holding the tiny image plus *extra* unreferenced blobs."""
    parts = image_parts()
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    for data in (*parts.values(), *extra):
        files[f"blobs/sha256/{sha(data)}"] = data
    files["index.json"] = orjson.dumps({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_INDEX, "digest": f"sha256:{sha(parts['index'])}",
                       "size": len(parts["index"])}],
    })
    return files


def docker_save_files() -> dict[str, bytes]:
    """A ``docker save`` archive of the tiny image (layout plus manifest.json)."""
    files = layout_files()
    parts = image_parts()
    files["manifest.json"] = json.dumps([{
        "Config": f"blobs/sha256/{sha(parts['config'])}",
        "RepoTags": ["example.com/tiny:1"],
        "Layers": [f"blobs/sha256/{sha(parts['layer'])}"],
    }]).encode()
    files["repositories"] = b'{"example.com/tiny":{"1":"x"}}'
    return files


def write_tar(path: Path, files: dict[str, bytes]) -> Path:
    """A tarball of *files*; compression by suffix (.tar, .tar.gz, .tar.zst)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    if path.name.endswith(".gz"):
        raw = gzip.compress(raw, mtime=0)
    elif path.name.endswith(".zst"):
        raw = zstandard.ZstdCompressor().compress(raw)
    path.write_bytes(raw)
    return path


def record_lines(blobs: Iterable[tuple[str, bytes]]) -> bytes:
    """JSON Lines of bench-corpus records, one per blob."""
    lines = [
        orjson.dumps({"digest": f"sha256:{sha(data)}", "media_type_hint": None,
                      "blob": data.decode("utf-8")})
        for _, data in blobs
    ]
    return b"\n".join(lines) + b"\n"


def write_jsonl(path: Path, content: bytes) -> Path:
    """*content* written plain, gzip'd or zstd'd by *path*'s suffix."""
    if path.name.endswith(".gz"):
        content = gzip.compress(content, mtime=0)
    elif path.name.endswith((".zst", ".zstd")):
        content = zstandard.ZstdCompressor().compress(content)
    path.write_bytes(content)
    return path


def write_parquet(path: Path, blobs: list[tuple[str, bytes]], *, row_group_size: int = 50,
                  as_string: bool = False) -> Path:
    values = [d.decode("utf-8") for _, d in blobs] if as_string else [d for _, d in blobs]
    table = pa.table({
        "blob": pa.array(values, pa.string() if as_string else pa.binary()),
        "digest": [f"sha256:{sha(d)}" for _, d in blobs],
    })
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


__all__ = [
    "FIXTURES",
    "docker_save_files",
    "expected_label",
    "fixture_blobs",
    "image_parts",
    "layout_files",
    "record_lines",
    "sha",
    "utf8_blobs",
    "write_folder",
    "write_jsonl",
    "write_parquet",
    "write_tar",
]
