"""The mstoolkit command line. Most behaviour is checked in-process through ``main(argv)``
(fast, same code path); the console script itself runs as a subprocess for the entry point,
the exit codes a shell sees, and the demo."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mstoolkit.catalog import classify, read_classified
from mstoolkit.catalog.schema import CLASSIFY, MANIFESTS
from mstoolkit.cli.commands.classify import TABLE_COLUMNS
from mstoolkit.cli.main import main
from mstoolkit.content import LocalStore, write_blob
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from tests.support.fixtures_data import FIXTURES, expected_rows

SCRIPT = Path(sys.executable).parent / "mstoolkit"
BLOBS = FIXTURES / "blobs"


def run(*args: str | Path, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console script with a clean environment and no terminal."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MSTOOLKIT_")}
    environ.update(env or {})
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          env=environ, cwd=cwd, timeout=300, check=False)


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run ``main(argv)`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own exits (usage, --help)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def fixture_frame() -> pd.DataFrame:
    return classify(BLOBS, workers=1)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LocalStore with 20 fixture blobs labelled as seen on docker.io."""
    root = tmp_path_factory.mktemp("cli") / "store"
    store = LocalStore(root)
    for i, row in enumerate(expected_rows()[:20]):
        data = row.read()
        desc = Descriptor("application/octet-stream", Digest.from_bytes(data), len(data))
        write_blob(store, f"r{i}", data, desc,
                   labels={"containerd.io/distribution.source.docker.io": "library/app"})
    store.close()
    return root


def test_console_script_help_and_a_classification() -> None:
    """The installed entry point runs: --help names every command and the exit codes, and
    a classification prints CSV rows with the summary on standard error."""
    helped = run("--help")
    assert helped.returncode == 0
    for word in ("classify", "catalog", "demo", "Exit codes"):
        assert word in helped.stdout
    result = run("classify", BLOBS / "moby", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(io.StringIO(result.stdout))) == len(list((BLOBS / "moby").iterdir()))
    assert result.stderr.startswith("classified ")


@pytest.mark.parametrize(("args", "code", "says"), [
    (("classify",), 2, "required"),
    (("catalog", "manifests", "--store", "/nonexistent/store"), 4, "MSTOOLKIT_STORE"),
])
def test_console_script_exit_codes(args: tuple[str, ...], code: int, says: str) -> None:
    """A shell sees 2 for a usage error and 4 for a missing store, with one line of
    explanation and no traceback."""
    result = run(*args)
    assert result.returncode == code
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_classify_csv_has_every_row_and_column(capsys: pytest.CaptureFixture[str],
                                               fixture_frame: pd.DataFrame) -> None:
    """--format csv prints one row per blob with every CLASSIFY column; the summary goes
    to standard error."""
    code, out, err = cli(capsys, "classify", BLOBS, "--format", "csv", "--workers", "1")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert tuple(frame.columns) == CLASSIFY.names
    assert list(frame["digest"]) == list(fixture_frame["digest"])
    assert "classified 279 blobs: 14 schema1" in err


def test_classify_json_lines_and_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json writes JSON Lines; --columns picks and orders columns."""
    code, out, _ = cli(capsys, "classify", BLOBS, "--format", "json", "--columns",
                       "kind,digest", "--workers", "1")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 279
    assert list(records[0]) == ["kind", "digest"]


def test_classify_table_shows_the_compact_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """The default table shows the compact column set; --quiet leaves stderr empty."""
    code, out, err = cli(capsys, "classify", BLOBS / "moby", "-q", "--workers", "1")
    assert code == 0
    assert out.splitlines()[0].split() == list(TABLE_COLUMNS)
    assert err == ""


def test_classify_parquet_output_streams_rows(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path,
                                             fixture_frame: pd.DataFrame) -> None:
    """--format parquet -o FILE writes the rows, equal to the in-process frame."""
    out = tmp_path / "rows.parquet"
    code, _, err = cli(capsys, "classify", BLOBS, "--format", "parquet", "-o", out,
                       "--workers", "2")
    assert code == 0, err
    pd.testing.assert_frame_equal(read_classified(out), fixture_frame)


def test_fail_on_exits_10_when_an_engine_would_refuse(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    """--fail-on docker_28_2 exits 10 on the fixtures (schema1 inside) and 0 on a folder of
    schema2 manifests only."""
    assert cli(capsys, "classify", BLOBS, "-q", "--workers", "1",
               "--fail-on", "docker_28_2")[0] == 10
    clean = tmp_path / "clean"
    clean.mkdir()
    schema2 = [r for r in expected_rows()
               if r.expected_media_type.endswith("manifest.v2+json") and not r.expected_error]
    for i, row in enumerate(schema2[:3]):
        (clean / f"{i}.json").write_bytes(row.read())
    assert cli(capsys, "classify", clean, "-q", "--fail-on", "docker_28_2")[0] == 0


@pytest.mark.parametrize(("args", "code", "says"), [
    (("classify",), 2, "required"),
    (("classify", str(BLOBS / "moby"), "--columns", "nope"), 3, "unknown column"),
    (("classify", str(BLOBS / "moby"), "-o", "/nonexistent/dir/out.csv"), 4, "No such file"),
    (("catalog", "manifests", "--store", "/nonexistent/store"), 4, "MSTOOLKIT_STORE"),
    (("classify", str(BLOBS / "moby"), "--format", "parquet"), 3, "-o FILE"),
])
def test_errors_exit_with_their_categorys_code(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               args: tuple[str, ...], code: int,
                                               says: str) -> None:
    """Usage errors exit 2, bad arguments 3, missing files and stores 4, each with one line
    on standard error and no traceback."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    got, _, err = cli(capsys, *args)
    assert got == code
    assert says in err
    assert "Traceback" not in err


def test_catalog_manifests_from_store_flag_and_env(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   store_dir: Path) -> None:
    """catalog manifests reads the store named by --store, or by MSTOOLKIT_STORE."""
    by_flag = cli(capsys, "catalog", "--store", store_dir, "manifests", "--format", "csv")
    monkeypatch.setenv("MSTOOLKIT_STORE", str(store_dir))
    by_env = cli(capsys, "catalog", "manifests", "--format", "csv")
    assert by_flag[0] == by_env[0] == 0, by_flag[2]
    assert by_flag[1] == by_env[1]
    frame = pd.read_csv(io.StringIO(by_flag[1]), keep_default_na=False)
    assert tuple(frame.columns) == MANIFESTS.names
    assert len(frame) == len({Digest.from_bytes(r.read()) for r in expected_rows()[:20]})
    assert set(frame["repositories"]) == {"docker.io/library/app"}


def test_catalog_store_defaults_to_the_xdg_cache(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 store_dir: Path, tmp_path: Path) -> None:
    """Without --store or MSTOOLKIT_STORE the store is $XDG_CACHE_HOME/mstoolkit/store."""
    cache = tmp_path / "cache"
    (cache / "mstoolkit").mkdir(parents=True)
    (cache / "mstoolkit" / "store").symlink_to(store_dir)
    monkeypatch.delenv("MSTOOLKIT_STORE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    code, out, err = cli(capsys, "catalog", "labels", "--format", "json")
    assert code == 0, err
    assert len(out.splitlines()) == len(
        {Digest.from_bytes(r.read()) for r in expected_rows()[:20]})


def test_catalog_history_and_fetches_tables(capsys: pytest.CaptureFixture[str],
                                            store_dir: Path) -> None:
    """history lists the label changes the fill made; fetches is empty but well-formed."""
    code, out, _ = cli(capsys, "catalog", "history", "--store", store_dir, "--format", "csv")
    assert code == 0
    assert len(pd.read_csv(io.StringIO(out))) >= 1
    assert cli(capsys, "catalog", "fetches", "--store", store_dir)[:2] == (0, "(no rows)\n")


def test_demo_summarises_the_bundled_dump_and_writes_the_report(tmp_path: Path) -> None:
    """demo classifies the bundled 25,000 manifests, prints kinds, the schema1 share and the
    verdicts, and writes the report page."""
    result = run("demo", "-o", tmp_path / "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "25,000 manifests" in result.stdout
    assert "schema1 share: 8.4%" in result.stdout
    assert "needs-env" in result.stdout
    assert (tmp_path / "report" / "index.html").is_file()


def test_demo_on_another_dump_without_report(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    """--dump classifies something else; --no-report writes nothing."""
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "demo", "--dump", BLOBS, "--no-report", "--workers", "1")
    assert code == 0, err
    assert "279 manifests" in out
    assert not (tmp_path / "mstoolkit-report").exists()
