"""The real-world manifest fixtures copied from other projects (see tests/fixtures/README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass(frozen=True)
class ExpectedRow:
    """One row of EXPECTED.tsv: what moby's detector says of one fixture blob."""

    file: str
    expected_media_type: str
    expected_error: str
    note: str
    env_unset_result: str

    @property
    def path(self) -> Path:
        return FIXTURES / self.file

    def read(self) -> bytes:
        return self.path.read_bytes()


def _tsv(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def expected_rows() -> list[ExpectedRow]:
    """Every EXPECTED.tsv row, for parametrising tests at collection time."""
    return [ExpectedRow(**row) for row in _tsv("EXPECTED.tsv")]


def moby_cases() -> list[dict[str, str]]:
    """moby's own detector unit-test cases (moby_detect_cases.tsv)."""
    return _tsv("moby_detect_cases.tsv")


def provenance_rows() -> list[dict[str, str]]:
    """PROVENANCE.tsv: one row per upstream occurrence of a fixture blob."""
    return _tsv("PROVENANCE.tsv")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
