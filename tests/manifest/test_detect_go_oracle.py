"""The detector against Go itself: the committed oracle answers always, and the live Go
program (tests/manifest/go_oracle) on fixtures, the fact table and generated inputs when
``go`` is installed (the only test here that may skip, and only for that reason)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.manifest._detect_inputs import (
    BENCH_EDGE_CASES,
    GO_FACTS,
    generated_inputs,
    jsonish_bytes,
)
from tests.manifest._go_oracle import (
    Answer,
    answer_inputs,
    ask_go,
    ask_python,
    build,
    go_available,
    read_answers,
)
from tests.support.fixtures_data import expected_rows

ANSWERS = read_answers()

needs_go = pytest.mark.skipif(
    not go_available(),
    reason="Go toolchain ('go') not on PATH: the live differential test against Go's "
           "encoding/json is skipped; the committed oracle answers are still checked",
)


@pytest.fixture(autouse=True)
def _quiet_deprecation_warnings() -> Iterator[None]:
    """The closed-gate runs log moby's notice for every schema1 input; keep output short."""
    logger = logging.getLogger("mstoolkit.manifest.detect")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def mismatches(inputs: list[bytes], answers: list[Answer]) -> list[tuple[bytes, Answer, Answer]]:
    return [(blob, want, got) for blob, want in zip(inputs, answers, strict=True)
            if (got := ask_python(blob)) != want]


def test_committed_answers() -> None:
    """Python agrees with Go's recorded answer (label, both gate states, message, offset) on
    every input of oracle_answers.tsv."""
    assert len(ANSWERS) > 1500
    bad = mismatches([blob for blob, _ in ANSWERS], [answer for _, answer in ANSWERS])
    assert bad == []


def test_committed_answers_cover_the_tables() -> None:
    """The committed answers include the fact table and bench edge cases, with the labels
    the tables claim, so those tables are Go's word and not ours."""
    recorded = dict(ANSWERS)
    for what, blob, label in GO_FACTS:
        if blob in recorded:
            assert recorded[blob].label == label, what
    for blob, label in BENCH_EDGE_CASES:
        assert recorded[blob].label == label
    assert sum(blob in recorded for _, blob, _ in GO_FACTS) >= len(GO_FACTS) - 4


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not go_available():
        pytest.skip("Go toolchain ('go') not on PATH")
    return build(tmp_path_factory.mktemp("go-oracle"))


@needs_go
def test_go_agrees_on_every_fixture(oracle: Path) -> None:
    """Go and Python give the same answers on every fixture blob."""
    inputs = [row.read() for row in expected_rows()]
    assert mismatches(inputs, ask_go(oracle, inputs)) == []


@needs_go
def test_go_agrees_on_the_fact_table(oracle: Path) -> None:
    """Go gives the table's label for every fact (the 10000-deep ones too), and Python
    gives Go's full answers."""
    inputs = [blob for _, blob, _ in GO_FACTS]
    answers = ask_go(oracle, inputs)
    assert [a.label for a in answers] == [label for _, _, label in GO_FACTS]
    assert mismatches(inputs, answers) == []


@needs_go
def test_committed_answers_are_current(oracle: Path) -> None:
    """The committed TSV is what Go says today (regenerate: python -m tests.manifest._go_oracle)."""
    inputs = answer_inputs()
    assert [blob for blob, _ in ANSWERS] == inputs
    assert ask_go(oracle, inputs) == [answer for _, answer in ANSWERS]


@needs_go
def test_go_agrees_on_fresh_generated_inputs(oracle: Path) -> None:
    """Go and Python agree on 4000 generated inputs the TSV does not hold."""
    inputs = generated_inputs(7, 4000)
    assert mismatches(inputs, ask_go(oracle, inputs)) == []


@needs_go
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.data_too_large,
                                                                HealthCheck.too_slow])
@given(batch=st.lists(jsonish_bytes(), min_size=300, max_size=300))
def test_go_agrees_on_hypothesis_batches(oracle: Path, batch: list[bytes]) -> None:
    """Go and Python agree on hypothesis-generated batches (one Go run per batch)."""
    assert mismatches(batch, ask_go(oracle, batch)) == []
