"""Exit code table and store location rules, without a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from mstoolkit import errors
from mstoolkit.cli.exit_codes import ExitCode, exit_code_for
from mstoolkit.cli.main import build_parser, command_modules
from mstoolkit.cli.settings import default_dump, store_path


@pytest.mark.parametrize(("error", "code"), [
    (errors.InvalidArgument("x"), 3),
    (errors.InvalidDigest("bad"), 3),
    (errors.NotFound("x"), 4),
    (errors.AlreadyExists("x"), 5),
    (errors.DigestMismatch("x"), 6),
    (errors.Unavailable("x"), 7),
    (errors.Unauthenticated("x"), 8),
    (errors.PermissionDenied("x"), 9),
    (FileNotFoundError("x"), 4),
    (PermissionError("x"), 9),
    (RuntimeError("x"), 1),
])
def test_exit_code_follows_the_error_category(error: BaseException, code: int) -> None:
    """Each error category (leaves included) maps to its exit code; the rest to 1."""
    assert exit_code_for(error) == code


def test_exit_codes_are_distinct() -> None:
    """No two outcomes share an exit code."""
    values = [c.value for c in ExitCode]
    assert len(values) == len(set(values))


def test_store_path_lookup_order(tmp_path: Path) -> None:
    """--store beats MSTOOLKIT_STORE, which beats XDG_CACHE_HOME, which beats ~/.cache."""
    env = {"MSTOOLKIT_STORE": "/env/store", "XDG_CACHE_HOME": "/xdg"}
    assert store_path("/flag", env) == Path("/flag")
    assert store_path(None, env) == Path("/env/store")
    assert store_path(None, {"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/mstoolkit/store")
    assert store_path(None, {}) == Path("~/.cache/mstoolkit/store").expanduser()


def test_default_dump_prefers_mstoolkit_data(tmp_path: Path) -> None:
    """MSTOOLKIT_DATA points at a folder holding manifests.jsonl.zst."""
    (tmp_path / "manifests.jsonl.zst").write_bytes(b"")
    assert default_dump({"MSTOOLKIT_DATA": str(tmp_path)}) == tmp_path / "manifests.jsonl.zst"
    assert default_dump({}).name == "manifests.jsonl.zst"


def test_every_command_module_has_the_command_interface() -> None:
    """Each module in cli/commands has NAME, HELP, register and run, and becomes a
    subcommand."""
    modules = command_modules()
    assert {m.NAME for m in modules} >= {"classify", "catalog", "demo"}
    for module in modules:
        assert callable(module.register)
        assert callable(module.run)
    parser = build_parser()
    args = parser.parse_args(["classify", "x", "--format", "csv"])
    assert (args.command, args.format, args.quiet) == ("classify", "csv", False)
