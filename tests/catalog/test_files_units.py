"""Files units with a directory prefix (how layouts are planned) classify exactly like the
same files named in full, and layout planning keeps its skips, hints and order."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mstoolkit.catalog.chunk import classify_unit
from mstoolkit.catalog.readers import plan, read_unit
from mstoolkit.catalog.units import FilesUnit
from tests.catalog.inputs import layout_files, sha, utf8_blobs

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _write(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_prefixed_unit_equals_full_names(tmp_path: Path) -> None:
    """Rows (locators, digests, mismatches, hints, read errors) are the same whether names
    carry their directory or the unit does, for sha256 and other algorithms."""
    blobs = [data for _, data in utf8_blobs()[:20]]
    files = {f"blobs/sha256/{sha(d)}": d for d in blobs}
    files["blobs/sha256/" + "0" * 64] = blobs[0]  # digest mismatch
    files[f"blobs/sha512/{hashlib.sha512(blobs[1]).hexdigest()}"] = blobs[1]
    _write(tmp_path, files)
    for directory in ("blobs/sha256/", "blobs/sha512/"):
        names = tuple(sorted(n[len(directory):] for n in files if n.startswith(directory)))
        names += ("missing",)
        hints = {names[0]: OCI_MANIFEST}
        prefixed = FilesUnit(str(tmp_path), str(tmp_path), names, digest_names=True,
                             hints=hints, prefix=directory)
        full = FilesUnit(str(tmp_path), str(tmp_path), tuple(directory + n for n in names),
                         digest_names=True, hints={directory + names[0]: OCI_MANIFEST})
        assert prefixed.paths() == list(full.names)
        assert classify_unit(prefixed).batch.equals(classify_unit(full).batch)
        assert list(read_unit(prefixed)[0]) == list(read_unit(full)[0])


def test_layout_plan_skips_configs_and_splits_hints_by_batch(tmp_path: Path) -> None:
    """Configs and layers named by the layout are not planned, every blob else is, in
    sorted order, and each declared media type travels with the unit holding its blob."""
    extra = [data for _, data in utf8_blobs()[:30]]
    files = layout_files(extra)
    _write(tmp_path, files)
    units = [u for u in plan([tmp_path], chunk_size=4) if isinstance(u, FilesUnit)]
    paths = [p for u in units for p in u.paths()]
    blobs = sorted(n for n in files if n.startswith("blobs/"))
    assert len(paths) == len(blobs) - 2  # the tiny image's config and layer
    assert paths == sorted(paths)
    assert set(paths) < set(blobs)
    hints = {u.prefix + name: media_type for u in units for name, media_type in u.hints.items()}
    assert sorted(hints.values()) == sorted(
        ["application/vnd.oci.image.index.v1+json", OCI_MANIFEST])
    for unit in units:
        assert set(unit.hints) <= set(unit.names)


def test_layout_listing_matches_sorted_os_walk(tmp_path: Path) -> None:
    """Blobs are found as sorted(os.walk(blobs)) finds them: nested directories in path
    order ("a" < "a.b" < "a/x"), symlinked directories listed but not entered, file
    symlinks and dangling symlinks kept as files, names sorted within each directory."""
    _write(tmp_path, {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'})
    names = ["blobs/a/1", "blobs/a/x/2", "blobs/a.b/3", "blobs/sha256/f0", "blobs/sha256/0f",
             "blobs/sha256/F", "blobs/sha256/_", "blobs/top", "blobs/sha256/\u00e9"]
    _write(tmp_path, {name: b"{}" for name in names})
    (tmp_path / "blobs/link").symlink_to(tmp_path / "blobs/a")
    (tmp_path / "blobs/sha256/filelink").symlink_to(tmp_path / "blobs/top")
    (tmp_path / "blobs/sha256/dangling").symlink_to(tmp_path / "nowhere")
    expected = []
    for directory, _dirs, files in sorted(os.walk(tmp_path / "blobs")):
        rel = os.path.relpath(directory, tmp_path)
        expected += [f"{rel}/{name}" for name in sorted(files)]
    for chunk_size in (1, 2, 1000):
        units = [u for u in plan([tmp_path], chunk_size=chunk_size) if isinstance(u, FilesUnit)]
        assert [p for u in units for p in u.paths()] == expected
        assert all(len(u.names) <= chunk_size for u in units)


def test_classify_unit_restores_the_garbage_collector_as_found(tmp_path: Path) -> None:
    """The collector paused during a unit is enabled again afterwards, and a collector the
    caller had disabled stays disabled."""
    import gc  # noqa: PLC0415

    _write(tmp_path, {"a": b"{}"})
    unit = FilesUnit(str(tmp_path), str(tmp_path), ("a", "missing"))
    assert gc.isenabled()
    assert classify_unit(unit).batch.num_rows == 2
    assert gc.isenabled()
    gc.disable()
    try:
        classify_unit(unit)
        assert not gc.isenabled()
    finally:
        gc.enable()
