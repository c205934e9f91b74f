"""The command line under bad arguments, missing and broken files and stores, bad references:
the documented exit code and exactly one line on standard error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstoolkit.cli.commands import classify as classify_command
from mstoolkit.cli.exit_codes import ExitCode, exit_code_for
from mstoolkit.cli.main import MAX_MESSAGE, main, one_line
from mstoolkit.content import LocalStore
from mstoolkit.mediatypes import OCI_INDEX

INDEX = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}).encode()


def _cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str, *words: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture(autouse=True)
def _no_ambient_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MSTOOLKIT_STORE", str(tmp_path / "no-store"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    store = LocalStore(root)
    with store.writer("r") as writer:
        writer.write(INDEX)
        writer.commit(len(INDEX), None)
    store.close()
    return root


@pytest.mark.parametrize(
    "args",
    [(), ("nope",), ("classify",), ("classify", "--limit", "abc", "x"),
     ("classify", "--fail-on", "nope", "x"), ("catalog", "nope"), ("fetch",),
     ("audit", "r", "--concurrency", "many")],
    ids=["nothing", "unknown-command", "no-path", "limit-not-int", "unknown-engine",
         "unknown-table", "no-ref", "concurrency-not-int"],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    """argparse's usage errors exit 2 with its message and no traceback."""
    code, _, err = _cli(capsys, *args)
    assert code == ExitCode.USAGE
    assert "error:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [(("classify", "{tmp}/x.json", "--workers", "0"), 3, ("workers must be positive",)),
     (("classify", "{tmp}/x.json", "--chunk-size", "-1"), 3, ("chunk_size must be positive",)),
     (("classify", "{tmp}/x.json", "--columns", ",,,"), 3, ("unknown column",)),
     (("classify", "{tmp}/x.json", "-o", "{tmp}/no/dir/out.csv"), 4, ("No such file",)),
     (("classify", "{tmp}/x.json", "-o", "{tmp}"), 3, ("Is a directory",)),
     (("catalog", "manifests", "--store", "{tmp}/nowhere"), 4, ("no content store",)),
     (("catalog", "manifests", "--store", "{tmp}/x.json"), 4, ("no content store",)),
     (("report", "--store", "{tmp}/nowhere"), 4, ("no content store",)),
     (("report", "{tmp}/x.json", "-o", "{tmp}/x.json/sub"), 3, ("Not a directory",)),
     (("fetch", "UPPER"), 3, ("must be lowercase",)),
     (("fetch", "a:b:c"), 3, ("invalid reference format",)),
     (("fetch", ""), 3, ("invalid reference format",)),
     (("fetch", "x" * 300), 3, ("255 characters",)),
     (("fetch", "127.0.0.1:1/a:b", "--platform", "///"), 3, ("invalid platform",)),
     (("fetch", "127.0.0.1:1/a:b", "--store", "{tmp}/s"), 7, ("Connection refused",)),
     (("audit", "http://x"), 3, ("without scheme or path",)),
     (("audit", "127.0.0.1:1", "--concurrency", "0"), 3, ("concurrency must be at least 1",)),
     (("audit", "127.0.0.1:1", "--store", "{tmp}/s"), 7, ("_catalog",))],
    ids=["workers-0", "chunk-negative", "empty-columns", "output-dir-missing",
         "output-is-dir", "store-missing", "store-is-file", "report-store-missing",
         "report-output-under-file", "ref-upper", "ref-colons", "ref-empty", "ref-long",
         "platform-slashes", "registry-refused", "audit-scheme", "audit-concurrency",
         "audit-refused"],
)
def test_bad_input_exits_with_its_category_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], code: int,
    words: tuple[str, ...],
) -> None:
    """Bad values, missing files and stores, bad references and an unreachable registry exit
    with their category's code and one line naming the problem."""
    (tmp_path / "x.json").write_bytes(INDEX)
    got, _, err = _cli(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert got == code, err
    line = _one_error_line(err, *words)
    assert line.startswith(f"mstoolkit {args[0]}: ")


def test_reference_with_newline_stays_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """distribution's message quotes the reference; a newline in it is escaped, not printed."""
    code, _, err = _cli(capsys, "fetch", "A\nB")
    assert code == ExitCode.INVALID_ARGUMENT
    _one_error_line(err, "invalid reference format", "\\n")


def test_huge_messages_are_cut(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    """An error quoting a megabyte of input (here a filter) prints at most MAX_MESSAGE
    characters of it, saying how much was cut."""
    code, _, err = _cli(capsys, "catalog", "manifests", "--store", store_dir,
                        "--filter", "labels.k==" + "x" * 1_000_000 + " y")
    assert code == ExitCode.INVALID_ARGUMENT
    line = _one_error_line(err, "filters: parse error", "more characters)")
    assert len(line) < MAX_MESSAGE + 100


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [("garbage-db", 6, ("metadata database is unreadable",)),
     ("db-is-dir", 6, ("metadata database error",)),
     ("layout-is-dir", 6, ("unreadable oci-layout",)),
     ("layout-wrong", 6, ("unsupported OCI layout",))],
)
def test_unreadable_store_is_failed_precondition(
    capsys: pytest.CaptureFixture[str], store_dir: Path, make: str, code: int,
    words: tuple[str, ...],
) -> None:
    """A store whose metadata or layout file is corrupt (or a directory) exits 6 with one
    line naming the file; the blobs are left alone."""
    if make == "garbage-db":
        (store_dir / "metadata.db").write_bytes(b"\x13garbage" * 1000)
    elif make == "db-is-dir":
        (store_dir / "metadata.db").unlink()
        (store_dir / "metadata.db").mkdir()
    elif make == "layout-is-dir":
        (store_dir / "oci-layout").unlink()
        (store_dir / "oci-layout").mkdir()
    else:
        (store_dir / "oci-layout").write_text("[1]")
    blobs = sorted(p.name for p in (store_dir / "blobs" / "sha256").iterdir())
    if make == "layout-is-dir":  # the reading commands look for the layout file first
        got, _, err = _cli(capsys, "fetch", "127.0.0.1:1/a:b", "--store", store_dir)
    else:
        got, _, err = _cli(capsys, "catalog", "manifests", "--store", store_dir)
    assert got == code, err
    _one_error_line(err, *words)
    assert sorted(p.name for p in (store_dir / "blobs" / "sha256").iterdir()) == blobs


def test_bad_filter_on_a_real_store(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    """A filter RE2 refuses exits 3 naming the reason."""
    code, _, err = _cli(capsys, "catalog", "manifests", "--store", store_dir,
                        "--filter", "labels.k~=/(?=x)/")
    assert code == ExitCode.INVALID_ARGUMENT
    _one_error_line(err, "invalid perl operator")


def test_classify_missing_and_odd_paths_are_rows(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    """classify reports missing paths, devices and empty files as rows, exit 0, no stderr
    beyond the summary."""
    code, out, err = _cli(capsys, "classify", tmp_path / "missing", "/dev/null",
                          "--format", "csv", "-q")
    assert code == ExitCode.OK
    assert "not-found" in out
    assert "Traceback" not in err


def test_unexpected_errors_are_one_line_exit_1(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """An exception that is not an mstoolkit one (a bug) is still one line, exit 1, naming
    its type and asking for a report; the traceback is only logged at -vv."""
    def broken(_args: object) -> int:
        raise TypeError("boom\nsecond line")

    monkeypatch.setattr(classify_command, "run", broken)
    code, _, err = _cli(capsys, "classify", tmp_path)
    assert code == ExitCode.UNKNOWN
    _one_error_line(err, "unexpected error", "TypeError: boom\\nsecond line", "-vv")


@pytest.mark.parametrize(
    ("error", "code"),
    [(TimeoutError("timed out"), 7), (ConnectionRefusedError("refused"), 7),
     (ConnectionResetError("reset"), 7), (IsADirectoryError("dir"), 3),
     (FileNotFoundError("x"), 4), (ValueError("x"), 1)],
)
def test_os_errors_map_to_categories(error: BaseException, code: int) -> None:
    """OS-level timeouts and refused connections (a Dask scheduler away) are 'unavailable'."""
    assert exit_code_for(error) == code


@pytest.mark.parametrize(
    ("message", "shown"),
    [("a\nb", "a\\nb"), ("a\x00b", "a\\x00b"), ("\x1b[31mred", "\\x1b[31mred"),
     ("line\u2028sep", "line\\u2028sep"), ("lone\ud800", "lone\\ud800"), ("é🐳", "é🐳")],
)
def test_one_line_escapes_controls_only(message: str, shown: str) -> None:
    """Control characters, line separators and lone surrogates are escaped; other text is
    printed as it is."""
    assert one_line(message) == shown


def test_table_output_escapes_terminal_control_sequences(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    """A manifest whose mediaType holds ESC sequences (retitle the window, recolour, clear
    the line) or a newline is printed escaped in the table: hostile registry content never
    drives the terminal. CSV and JSON stay data, byte for byte."""
    hostile = "\x1b]0;pwned\x07\x1b[2K\x1b[31mred\nsecond"
    (tmp_path / "m.json").write_text(json.dumps({"mediaType": hostile}), encoding="utf-8")
    code, out, _ = _cli(capsys, "classify", tmp_path / "m.json", "-q", "--columns",
                        "locator,media_type")
    assert code == ExitCode.OK
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\x1b]0;pwned\\x07\\x1b[2K\\x1b[31mred\\nsecond" in out
    code, out, _ = _cli(capsys, "classify", tmp_path / "m.json", "-q", "--format", "json",
                        "--columns", "media_type")
    assert json.loads(out)["media_type"] == hostile
