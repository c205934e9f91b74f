"""The seeded synthetic dump generator and the bundled dump it wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import zstandard

from mstoolkit.catalog.classify import classify
from mstoolkit.catalog.synth import DEFAULT_N, DEFAULT_SEED, generate, write_dump

DATA = Path(__file__).resolve().parents[2] / "data"


def test_generate_depends_only_on_n_and_seed() -> None:
    """Two runs with the same (n, seed) give the same records; another seed does not."""
    first = [r.to_json() for r in generate(400, seed=5)]
    assert first == [r.to_json() for r in generate(400, seed=5)]
    assert first != [r.to_json() for r in generate(400, seed=6)]
    assert len(first) == 400


def test_index_children_are_real_records_of_the_dump() -> None:
    """Every manifest an index or list points at is itself a record of the dump."""
    records = list(generate(3000, seed=11))
    digests = {"sha256:" + hashlib.sha256(r.blob.encode()).hexdigest() for r in records}
    indexes = [json.loads(r.blob) for r in records
               if r.media_type_hint.endswith(("index.v1+json", "list.v2+json"))
               and r.blob.endswith("}")]
    children = [m["digest"] for doc in indexes for m in doc.get("manifests", [])]
    missing = set(children) - digests
    assert indexes
    # only children a junk record replaced (about 1%) may be missing
    assert len(missing) <= 0.03 * len(set(children))


def test_schema1_fades_with_the_years(tmp_path: Path) -> None:
    """Classified, the dump's schema1 share falls from most of 2014–2015 to almost none
    after 2021, and ghcr.io has none."""
    frame = classify(write_dump(tmp_path / "d.jsonl", 6000, seed=3), workers=1)
    year = frame["created"].dt.year
    share = (frame["kind"] == "schema1").groupby(year).mean()
    assert share[share.index <= 2015].min() > 0.8
    assert share[share.index >= 2022].max() < 0.05
    assert not ((frame["registry"] == "ghcr.io") & (frame["kind"] == "schema1")).any()


@pytest.mark.slow
def test_bundled_dump_is_what_the_generator_writes() -> None:
    """data/manifests.jsonl.zst decompresses to exactly generate(DEFAULT_N, DEFAULT_SEED)."""
    compressed = (DATA / "manifests.jsonl.zst").read_bytes()
    raw = zstandard.ZstdDecompressor().decompress(compressed, max_output_size=1 << 30)
    expected = "".join(r.to_json() + "\n" for r in generate(DEFAULT_N, DEFAULT_SEED))
    assert raw == expected.encode()
