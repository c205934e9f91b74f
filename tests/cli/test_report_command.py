"""`mstoolkit report`: the store (filled from the seeded registry) or dumps, to a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from mstoolkit.cli import report as report_module
from mstoolkit.cli.commands import report as report_command
from mstoolkit.cli.exit_codes import ExitCode
from mstoolkit.cli.main import main
from mstoolkit.content import LocalStore
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.registry import RegistryClient
from tests.support.fixtures_data import FIXTURES
from tests.support.registry_server import RegistryServer


def _cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_default_directory_matches_the_writer() -> None:
    """The command's default folder is the report writer's (kept apart to keep imports light)."""
    assert report_command.DEFAULT_REPORT_DIR == report_module.DEFAULT_REPORT_DIR


@pytest.mark.registry
def test_report_on_the_store(
    registry_server: RegistryServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After pulls into a store, report writes the charts (with history) and says where."""
    local = LocalStore(tmp_path / "store")
    with RegistryClient(registry_server.host, insecure=True) as client:
        store = ManifestStore(local, client)
        for reference in ("library/hello:v2s1", "library/hello:v2s2", "cross/one:multi"):
            store.pull(f"{registry_server.host}/{reference}")
    local.close()
    out_dir = tmp_path / "out"
    code, out, err = _cli(capsys, "report", "--store", tmp_path / "store", "-o", out_dir)
    assert code == ExitCode.OK, err
    assert out.strip() == f"report: {out_dir / 'index.html'}"
    assert "1 schema1" in err
    names = {p.name for p in out_dir.iterdir()}
    assert {"index.html", "media-types.png", "verdicts.png", "history.png",
            "schema1-by-repository.png", "manifests.csv"} <= names
    assert f"the store {tmp_path / 'store'}" in (out_dir / "index.html").read_text()


def test_report_on_dumps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With PATHs the report covers those dumps, classified on the way; -q prints nothing."""
    out_dir = tmp_path / "out"
    code, out, err = _cli(capsys, "report", "-q", FIXTURES / "blobs", "-o", out_dir,
                          "--workers", "1", "--title", "fixtures")
    assert code == ExitCode.OK, err
    assert (out, err) == ("", "")
    page = (out_dir / "index.html").read_text()
    assert "<title>fixtures</title>" in page


def test_report_without_a_store_is_not_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reporting on a store that does not exist exits 4 with one line, and creates nothing."""
    code, out, err = _cli(capsys, "report", "--store", tmp_path / "none", "-o", tmp_path / "o")
    assert out == ""
    assert code == ExitCode.NOT_FOUND
    assert "no content store" in err
    assert not (tmp_path / "o").exists()
    assert not (tmp_path / "none").exists()
