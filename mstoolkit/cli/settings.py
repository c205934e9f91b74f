"""Where things are: the content store and the bundled data, from flags, environment, defaults.

The store is ``--store DIR``, else ``$MSTOOLKIT_STORE``, else
``$XDG_CACHE_HOME/mstoolkit/store`` (``~/.cache/mstoolkit/store`` without XDG), the per-user
cache directory the XDG base-directory spec names. The bundled dump is ``--dump PATH``, else
``$MSTOOLKIT_DATA/manifests.jsonl.zst``, else the ``data/`` folder of this checkout, else
``./data``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import mstoolkit
from mstoolkit.content import LocalStore
from mstoolkit.errors import NotFound

__all__ = [
    "DUMP_NAME",
    "STORE_ENV",
    "add_store_argument",
    "default_dump",
    "open_existing_store",
    "store_path",
]


def __dir__() -> list[str]:
    return sorted(__all__)


STORE_ENV: Final = "MSTOOLKIT_STORE"
DATA_ENV: Final = "MSTOOLKIT_DATA"
DUMP_NAME: Final = "manifests.jsonl.zst"


def store_path(flag: str | None, env: Mapping[str, str] | None = None) -> Path:
    """The content store directory (see the module docstring)."""
    environ = os.environ if env is None else env
    if flag:
        return Path(flag).expanduser()
    if environ.get(STORE_ENV):
        return Path(environ[STORE_ENV]).expanduser()
    cache = environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(cache) / "mstoolkit" / "store"


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """``--store DIR`` with the lookup order in its help."""
    parser.add_argument(
        "--store", metavar="DIR",
        help=f"content store directory (default: ${STORE_ENV}, else "
             "$XDG_CACHE_HOME/mstoolkit/store, else ~/.cache/mstoolkit/store)",
    )


def open_existing_store(flag: str | None) -> LocalStore:
    """The store at :func:`store_path`; :class:`NotFound` if there is none yet (reading
    commands must not create an empty store as a side effect)."""
    path = store_path(flag)
    if not (path / "oci-layout").is_file():
        raise NotFound(f"no content store at {path} (use --store DIR or set {STORE_ENV})")
    return LocalStore(path)


def default_dump(env: Mapping[str, str] | None = None) -> Path:
    """The bundled synthetic dump; :class:`NotFound` if no candidate exists."""
    environ = os.environ if env is None else env
    candidates = []
    if environ.get(DATA_ENV):
        candidates.append(Path(environ[DATA_ENV]) / DUMP_NAME)
    candidates.append(Path(mstoolkit.__file__).resolve().parent.parent / "data" / DUMP_NAME)
    candidates.append(Path.cwd() / "data" / DUMP_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise NotFound(f"bundled dump not found (tried {tried}); pass --dump PATH")
