"""Real registries for tests: Debian's ``docker-registry`` (CNCF distribution 2.8) on loopback.

Session fixtures, each a :class:`RegistryServer` (url, host, datadir, inventory rows, log):

``registry_server``
    started on a free port in a temp folder and seeded by ``tests/registry_harness/seed.sh``
    (skopeo: schema2, OCI, signed schema1, manifest list, OCI index, cross-repo digests,
    nested names, a deleted repo, ``pagination/many`` with 25 tags). No auth. Read-only: tests
    must not push or delete here (others assert the exact inventory).
``htpasswd_registry``
    the same content behind HTTP Basic auth (``.credentials`` = ``(user, password)``).
``token_registry``
    the same content behind distribution's ``auth: token``; ``.token_issuer`` is the
    :class:`~tests.support.token_issuer.TokenIssuer` it trusts (users in ``.credentials``).

The auth registries start from a copy of the seeded storage taken right after seeding (the
filesystem driver's folder is self-contained), which saves two seeds. ``scratch_registry``
(function scope) is an empty registry a test may write to.

If a registry cannot be set up or started, the fixture calls ``pytest.fail`` with the
reason and the log tail: real-server tests never skip. Everything is stopped in ``finally``.

What distribution 2.8.2 does that tests rely on: it converts schema2 to signed schema1 on a
GET by tag without a schema2 Accept, and signs schema1 anew on every GET (the body changes,
``Docker-Content-Digest`` does not); it refuses OCI types to clients that do not accept them
(404 ``MANIFEST_UNKNOWN``); ``_catalog`` pages with ``n``/``Link`` but ``tags/list`` ignores
them; a deleted repo lists ``"tags": null``; there is no referrers API (plain-text 404).
When a test fails, ``server.log_tail()`` shows the registry's own account of the request.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.token_issuer import TokenIssuer

HARNESS = Path(__file__).resolve().parent.parent / "registry_harness"
INVENTORY = HARNESS / "seed-inventory.tsv"
HTPASSWD_USER = ("auditor", "s3cret:with-colon")
TOKEN_USER = ("robot", "t0ken-pass")

__all__ = [
    "HARNESS",
    "HTPASSWD_USER",
    "INVENTORY",
    "TOKEN_USER",
    "InventoryRow",
    "RegistryServer",
    "read_inventory",
    "run_setup",
    "seed_registry",
    "start_registry",
    "stop_registry",
]


@dataclass(frozen=True)
class InventoryRow:
    """One row of the seed inventory: what the registry holds under a tag (or, for index
    children, ``tag == "-"``, by digest). ``media_type == "-"`` marks a deleted manifest."""

    repo: str
    tag: str
    digest: str
    media_type: str
    note: str

    @property
    def deleted(self) -> bool:
        return self.media_type == "-"

    @property
    def child(self) -> bool:
        return self.tag == "-"

    @property
    def reference(self) -> str:
        """The tag, or the digest for an index child."""
        return self.digest if self.child else self.tag

    def __str__(self) -> str:
        return f"{self.repo}:{self.tag}" if not self.child else f"{self.repo}@{self.digest[:19]}"


def read_inventory(path: Path = INVENTORY) -> tuple[InventoryRow, ...]:
    """Parse a seed inventory TSV (header ``repo tag digest media_type note``)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple(InventoryRow(**row) for row in rows)


@dataclass
class RegistryServer:
    """A running harness registry."""

    url: str
    datadir: Path
    inventory: tuple[InventoryRow, ...]
    credentials: tuple[str, str] | None = None
    token_issuer: TokenIssuer | None = None
    storage_template: Path | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, what the clients take as ``registry``."""
        return self.url.removeprefix("http://")

    @property
    def log_path(self) -> Path:
        return self.datadir / "registry.log"

    @property
    def live_rows(self) -> tuple[InventoryRow, ...]:
        """Every inventory row whose manifest is still served."""
        return tuple(row for row in self.inventory if not row.deleted)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the registry's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"(no log: {exc})"


def _run(args: list[str], *, what: str, timeout: float, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            args,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"registry harness: {what} could not run: {exc}", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"registry harness: {what} failed (exit {done.returncode}):\n"
            f"{done.stderr[-3000:]}{done.stdout[-1000:]}",
            pytrace=False,
        )
    return done.stdout


def run_setup() -> None:
    """Install the Debian packages if missing (quick no-op when present)."""
    _run(["bash", str(HARNESS / "setup.sh")], what="setup.sh", timeout=600)


def start_registry(
    datadir: Path, *, htpasswd: tuple[str, str] | None = None, token_realm: str | None = None
) -> str:
    """Start a registry from *datadir* on a free port; returns its URL."""
    args = ["bash", str(HARNESS / "start.sh")]
    if htpasswd is not None:
        args += ["--htpasswd", f"{htpasswd[0]}:{htpasswd[1]}"]
    if token_realm is not None:
        args += ["--token", token_realm]
    args += ["0", str(datadir)]
    return _run(args, what="start.sh", timeout=60).strip()


def stop_registry(datadir: Path, *, purge: bool = False) -> None:
    """Stop the registry started from *datadir* (only that pid); ``purge`` deletes the folder."""
    args = ["bash", str(HARNESS / "stop.sh")] + (["--purge"] if purge else []) + [str(datadir)]
    subprocess.run(args, check=False, capture_output=True, timeout=60)


def seed_registry(url: str, inventory: Path) -> tuple[InventoryRow, ...]:
    """Push the reproducible test images; returns the inventory the seed wrote."""
    _run(["bash", str(HARNESS / "seed.sh"), url, str(inventory)], what="seed.sh", timeout=300)
    return read_inventory(inventory)


def _copy_storage(template: Path, datadir: Path) -> None:
    datadir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, datadir / "storage")


@pytest.fixture(scope="session")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    """A seeded, unauthenticated registry for the whole session (read-only for tests)."""
    run_setup()
    base = tmp_path_factory.mktemp("registry")
    datadir = base / "plain"
    url = start_registry(datadir)
    try:
        inventory = seed_registry(url, base / "inventory.tsv")
        template = base / "storage-template"
        shutil.copytree(datadir / "storage", template)
        yield RegistryServer(url, datadir, inventory, storage_template=template)
    finally:
        stop_registry(datadir)


@pytest.fixture(scope="session")
def htpasswd_registry(
    registry_server: RegistryServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RegistryServer]:
    """The seeded content behind HTTP Basic auth (``credentials`` = ``HTPASSWD_USER``)."""
    assert registry_server.storage_template is not None
    datadir = tmp_path_factory.mktemp("registry-htpasswd") / "state"
    _copy_storage(registry_server.storage_template, datadir)
    url = start_registry(datadir, htpasswd=HTPASSWD_USER)
    try:
        yield RegistryServer(url, datadir, registry_server.inventory, credentials=HTPASSWD_USER)
    finally:
        stop_registry(datadir)


@pytest.fixture(scope="session")
def token_registry(
    registry_server: RegistryServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RegistryServer]:
    """The seeded content behind ``auth: token``, trusting a test :class:`TokenIssuer`.

    The issuer knows ``TOKEN_USER`` and grants what is asked (the registry enforces it);
    anonymous requests get tokens without access.
    """
    assert registry_server.storage_template is not None
    datadir = tmp_path_factory.mktemp("registry-token") / "state"
    _copy_storage(registry_server.storage_template, datadir)
    issuer = TokenIssuer(users=dict([TOKEN_USER]))
    realm = issuer.start()
    try:
        url = start_registry(datadir, token_realm=realm)
        try:
            issuer.load_key(datadir / "token.key", datadir / "token.crt")
            yield RegistryServer(
                url,
                datadir,
                registry_server.inventory,
                credentials=TOKEN_USER,
                token_issuer=issuer,
            )
        finally:
            stop_registry(datadir)
    finally:
        issuer.stop()


@pytest.fixture
def scratch_registry(tmp_path: Path) -> Iterator[RegistryServer]:
    """An empty registry of the test's own, to push to (about 0.2 s to start)."""
    run_setup()
    datadir = tmp_path / "scratch"
    url = start_registry(datadir)
    try:
        yield RegistryServer(url, datadir, ())
    finally:
        stop_registry(datadir)
