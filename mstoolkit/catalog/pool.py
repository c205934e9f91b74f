"""Process pools for the catalog: which start method, and an ordered map that cannot hang.

Both ``classify(workers=N)`` and ``Catalog(workers=N)`` hand units of work to a pool and
consume the answers in input order with a bounded number in flight. Two things matter more
than the pool's own speed:

* **A dead worker is an error, not a hang.** ``multiprocessing.Pool`` replaces a worker
  that dies (the kernel's out-of-memory killer, a crash in a C extension, a ``kill -9``)
  and never answers the task it held, so ``get()`` waits forever. ``ProcessPoolExecutor``
  notices the death and fails every pending future with ``BrokenProcessPool``, which
  :func:`map_in_order` turns into :class:`~mstoolkit.errors.Unavailable`.
* **Forking a threaded process can deadlock the child** (a lock held by another thread at
  the fork stays held forever in the child). :func:`start_method` forks only from a process
  with one Python thread, and uses a fork server, which preloads the catalog once, when
  other threads run (a Jupyter kernel, a Dask client).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final, TypeVar

from mstoolkit.errors import InvalidArgument, Unavailable

__all__ = ["map_in_order", "start_method"]


def __dir__() -> list[str]:
    return sorted(__all__)


K = TypeVar("K")
R = TypeVar("R")

#: What a fork server imports once, so that each worker it forks starts warm.
_PRELOAD: Final = ["mstoolkit.catalog.chunk", "mstoolkit.catalog.catalog"]


def start_method() -> str:
    """``fork`` from a process with one Python thread (a script, the CLI: workers start in
    milliseconds with everything imported), ``forkserver`` when other threads run. The fork
    server is started once per process and imports the classifier once (about a second,
    paid by the first call). Call it before starting threads of your own (a progress bar's
    monitor thread counts)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def map_in_order(func: Callable[..., R], items: Iterable[tuple[K, tuple[Any, ...]]], *,
                 workers: int, method: str | None = None,
                 in_flight: int | None = None) -> Iterator[tuple[K, R]]:
    """``func(*args)`` for each ``(key, args)`` of *items* in *workers* processes; yields
    ``(key, result)`` in input order, with at most *in_flight* calls submitted and not yet
    consumed (default ``2 × workers + 2``), so memory stays bounded however long *items* is.

    An exception raised by *func* is raised here, as it would be in process. A worker that
    dies raises :class:`~mstoolkit.errors.Unavailable`. Closing the iterator early cancels
    what has not started and waits for what has.
    """
    if workers < 1:
        raise InvalidArgument(f"workers must be positive, not {workers}")
    limit = in_flight if in_flight is not None else 2 * workers + 2
    context = multiprocessing.get_context(method or start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
    executor = ProcessPoolExecutor(workers, mp_context=context)
    pending: deque[tuple[K, Future[R]]] = deque()
    try:
        for key, args in items:
            pending.append((key, executor.submit(func, *args)))
            if len(pending) >= limit:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    except BrokenProcessPool as exc:
        # raised by result() for what was in flight, and by submit() once the pool is broken
        raise Unavailable(
            "a worker process died before answering (killed by a signal, for instance by "
            "the out-of-memory killer, or crashed); run again, perhaps with fewer workers "
            "or a smaller chunk_size") from exc
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
