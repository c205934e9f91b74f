"""``mstoolkit fetch`` and ``mstoolkit audit`` against the real seeded registry."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from mstoolkit.cli.commands.fetch import ROW_COLUMNS, TABLE_COLUMNS
from mstoolkit.cli.main import main
from mstoolkit.content import LocalStore
from mstoolkit.digest import Digest
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run ``main(argv)`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def row(server: RegistryServer, repo: str, tag: str) -> str:
    return next(r.digest for r in server.live_rows if r.repo == repo and r.tag == tag)


def test_fetch_a_tag_then_again_from_the_cache(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """fetch caches the manifest and prints its row; the second run serves it from the cache."""
    store = tmp_path / "store"
    ref = f"{registry_server.host}/library/hello:v2s2"
    code, out, err = cli(capsys, "fetch", ref, "--store", store)
    assert code == 0, err
    assert out.splitlines()[0].split() == list(TABLE_COLUMNS)
    assert row(registry_server, "library/hello", "v2s2") in out
    assert "1 fetched, 0 from the cache, 0 failed" in err
    code, out, err = cli(capsys, "fetch", ref, "--store", store, "--format", "json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["outcome"] for r in records] == ["cached"]
    assert list(records[0]) == list(ROW_COLUMNS)
    local = LocalStore(store)
    try:
        assert local.info(records[0]["digest"]).labels[
            f"containerd.io/distribution.source.{registry_server.host}"
        ] == "library/hello"
    finally:
        local.close()


def test_fetch_an_index_with_one_platform_as_csv(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """An index brings its children; --platform keeps one; CSV has every column."""
    ref = f"{registry_server.host}/multiarch/hello:oci-index"
    code, out, err = cli(capsys, "fetch", ref, "--store", tmp_path / "s", "--format", "csv",
                         "--platform", "linux/arm/v7", "-q")
    assert code == 0, err
    assert err == ""
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert tuple(frame.columns) == ROW_COLUMNS
    assert list(frame["platform"]) == ["", "linux/arm/v7"]
    assert frame["digest"][0] == row(registry_server, "multiarch/hello", "oci-index")


def test_fetch_raw_prints_the_manifest_bytes(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """--raw writes the manifest itself, which hashes to the inventory digest."""
    digest = row(registry_server, "library/tiny", "oci")
    code = main(["fetch", f"{registry_server.host}/library/tiny@{digest}", "--raw",
                 "--store", str(tmp_path / "s")])
    assert code == 0
    out = capsys.readouterr().out
    assert Digest.from_bytes(out.encode()) == Digest.parse(digest)


def test_fetch_of_a_missing_manifest_exits_4(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """A tag the registry does not have is one line on stderr and exit code 4."""
    code, _, err = cli(capsys, "fetch", f"{registry_server.host}/library/hello:nope",
                       "--store", tmp_path / "s")
    assert code == 4
    assert "Traceback" not in err
    assert err.startswith("mstoolkit fetch:")


def test_audit_the_registry_then_catalog_the_cache(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """audit fills the store with every live inventory row; catalog then lists them."""
    store = tmp_path / "store"
    code, out, err = cli(capsys, "audit", registry_server.host, "--store", store,
                         "--concurrency", "4", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert len(frame) == len(registry_server.live_rows)
    assert set(frame["outcome"]) <= {"fetched", "cached"}
    assert "audited" in err
    assert "0 failed" in err
    code, out, err = cli(capsys, "catalog", "manifests", "--store", store, "--format", "csv")
    assert code == 0, err
    digests = set(pd.read_csv(io.StringIO(out), keep_default_na=False)["digest"])
    assert {r.digest for r in registry_server.live_rows} <= digests


def test_audit_some_repositories_and_strict_failures(
    capsys: pytest.CaptureFixture[str], registry_server: RegistryServer, tmp_path: Path
) -> None:
    """--repo limits the audit; a missing repository is a row, and --strict exits with its code."""
    store = tmp_path / "store"
    args = ["audit", registry_server.host, "--store", store, "--repo", "library/tiny",
            "--repo", "no/such", "--format", "json", "-q"]
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["repository"] for r in records} == {"library/tiny", "no/such"}
    failed = [r for r in records if r["outcome"] == "error"]
    assert [(r["repository"], r["error_category"]) for r in failed] == [("no/such", "not-found")]
    code, _, _ = cli(capsys, *args, "--strict")
    assert code == 4
