"""The package surface: light import, sorted and complete __all__ everywhere."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import mstoolkit

HEAVY = ("pandas", "matplotlib", "ipywidgets", "numpy", "pyarrow", "dask")


def _public_modules() -> list[str]:
    names = ["mstoolkit"]
    for info in pkgutil.walk_packages(mstoolkit.__path__, "mstoolkit."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def test_import_mstoolkit_stays_light() -> None:
    """`import mstoolkit` loads none of the notebook libraries (checked in a fresh process)."""
    code = (
        "import sys, mstoolkit\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


@pytest.mark.parametrize("name", _public_modules())
def test_public_module_all_is_sorted_complete_and_dir_shows_it(name: str) -> None:
    """Each public module lists its API in a sorted __all__, and dir() shows only that."""
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ names missing attributes {missing}"
    assert dir(module) == sorted(exported)
