"""LocalStore's SQLite connection under threads: close() in one thread never breaks another."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mstoolkit.content import LocalStore
from mstoolkit.digest import Digest

MakeStore = Callable[..., LocalStore]


def test_close_racing_reads_in_other_threads_never_fails_them(make_local_store: MakeStore) -> None:
    """Reads racing close() reopen the connection instead of using the one just closed."""
    store = make_local_store()
    digest = Digest.from_bytes(b"shared")
    with store.writer("shared") as writer:
        writer.write(b"shared")
        writer.commit(6, digest, labels={"k": "v"})
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            for _ in range(800):
                assert dict(store.info(digest).labels) == {"k": "v"}
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    def close() -> None:
        while not done.is_set():
            store.close()

    closer = threading.Thread(target=close)
    readers = [threading.Thread(target=read) for _ in range(3)]
    closer.start()
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    done.set()
    closer.join()
    assert errors == []
