"""The catalog's process pool: answers in order, errors as raised, a dead worker as an error."""

from __future__ import annotations

import os
import signal

import pytest

from mstoolkit.catalog.pool import map_in_order
from mstoolkit.errors import InvalidArgument, Unavailable


def _square(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


def _die_on(value: int, fatal: int) -> int:
    if value == fatal:
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def _refuse(value: int) -> int:
    if value == 3:
        raise InvalidArgument(f"no {value}")
    return value


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_answers_come_in_input_order_from_other_processes(method: str) -> None:
    """Every item is answered once, in input order, by a worker process, whatever the start
    method."""
    got = list(map_in_order(_square, ((i, (i,)) for i in range(50)), workers=2, method=method,
                            in_flight=3))
    assert [key for key, _ in got] == list(range(50))
    assert [answer for _, (answer, _) in got] == [i * i for i in range(50)]
    assert os.getpid() not in {pid for _, (_, pid) in got}


def test_a_killed_worker_is_unavailable_not_a_hang() -> None:
    """A worker killed by SIGKILL (as the out-of-memory killer does) fails the map with
    Unavailable; multiprocessing.Pool would have waited for its answer forever."""
    work = ((i, (i, 5)) for i in range(20))
    with pytest.raises(Unavailable, match="worker process died"):
        list(map_in_order(_die_on, work, workers=2, method="fork"))


def test_an_exception_in_the_function_is_raised_as_is() -> None:
    """The worker's own exception reaches the caller with its class and message, after the
    answers that came before it."""
    answers = map_in_order(_refuse, ((i, (i,)) for i in range(6)), workers=2, method="fork")
    assert [next(answers) for _ in range(3)] == [(0, 0), (1, 1), (2, 2)]
    with pytest.raises(InvalidArgument, match="no 3"):
        next(answers)


def test_closing_early_stops_the_workers() -> None:
    """Closing the iterator after a few answers shuts the pool down: no worker is left."""
    import multiprocessing  # noqa: PLC0415

    answers = map_in_order(_square, ((i, (i,)) for i in range(10_000)), workers=2,
                           method="fork")
    assert next(answers)[0] == 0
    answers.close()
    assert multiprocessing.active_children() == []


def test_workers_must_be_positive() -> None:
    """Zero workers is a bad argument, said before any process starts."""
    with pytest.raises(InvalidArgument, match="positive"):
        list(map_in_order(_square, [], workers=0))
