"""The LocalStore's SQLite side: labels, label history, ingest log and fetch log.

Why SQLite: several kernels and pool workers share one store, and SQLite in WAL mode gives
them atomic multi-row transactions, readers that never block the writer, and a busy timeout
instead of lost updates. A ``kill -9`` in the middle of a transaction rolls it back on the next
open; ``synchronous=NORMAL`` keeps that guarantee for process crashes (a power cut may lose the
last transactions, never the database's consistency).

Every mutation runs in ``BEGIN IMMEDIATE`` and re-checks the blob file *inside* the
transaction (the ``present``/``gone``/``stat`` callbacks). The blob files are the truth; the
rows only annotate them. That is what keeps a commit racing a delete, or a reconcile racing a
commit, from attaching labels to a blob that is gone.

The schema version lives in ``PRAGMA user_version`` and the file is tagged with
``PRAGMA application_id``. A newer version, a foreign database or a corrupt file raises
:class:`FailedPrecondition` naming the file and what to do; it is never rebuilt silently.

Connections are per process: after a ``fork`` the child opens its own and never touches (or
closes) the one it inherited, as SQLite requires.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from mstoolkit.content._common import content_not_found, label_diff
from mstoolkit.content.protocols import EPOCH, FetchRecord, IngestRecord, LabelChange
from mstoolkit.digest import ALGORITHMS, Digest
from mstoolkit.errors import FailedPrecondition, MstoolkitError, Unavailable

__all__ = [
    "APPLICATION_ID",
    "BatchCommit",
    "BlobRow",
    "Metadata",
    "RECONCILE_REASON",
    "SCHEMA_VERSION",
    "from_micros",
    "known_digest",
    "stored_digest",
    "to_micros",
]

log = logging.getLogger("mstoolkit.content")

SCHEMA_VERSION = 1
#: ``PRAGMA application_id`` of an mstoolkit metadata database ("MSTK").
APPLICATION_ID = 0x4D53544B
#: The reason recorded for label rows dropped because their blob file is gone.
RECONCILE_REASON = "reconcile: blob missing"

_SCHEMA_V1 = """
CREATE TABLE blobs (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE labels (
    digest TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (digest, key)
) WITHOUT ROWID;
CREATE TABLE label_history (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    key TEXT NOT NULL,
    old TEXT,
    new TEXT,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX label_history_by_digest ON label_history (digest, key, id);
CREATE INDEX label_history_by_key ON label_history (key, id);
CREATE TABLE ingest_log (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,
    digest TEXT,
    size INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE fetch_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    registry TEXT NOT NULL,
    repository TEXT NOT NULL,
    reference TEXT NOT NULL,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_category TEXT NOT NULL,
    ratelimit_remaining INTEGER
);
"""

#: ``_MIGRATIONS[v]`` upgrades a database from version ``v`` to ``v + 1``.
_MIGRATIONS: dict[int, str] = {0: _SCHEMA_V1}

_MICRO = timedelta(microseconds=1)
_HEX = re.compile(r"[a-f0-9]+").fullmatch


def to_micros(at: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return EPOCH + value * _MICRO


@dataclass(frozen=True, slots=True)
class BatchCommit:
    """One blob of :meth:`Metadata.record_commits`: the rows a single commit would write."""

    digest: Digest
    size: int
    labels: Mapping[str, str]
    reason: str
    ref: str
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BlobRow:
    """The metadata of one blob: absent ``created``/``updated`` mean "no row, use the file"."""

    size: int | None
    created_at: datetime | None
    updated_at: datetime | None
    labels: Mapping[str, str]


_NO_ROW = BlobRow(None, None, None, MappingProxyType({}))


class Metadata:
    """One ``metadata.db``; safe to share between threads, reopened per process."""

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._timeout = timeout
        self._pid = os.getpid()
        self._lock = threading.RLock()
        self._inherited: list[sqlite3.Connection] = []
        self._conn: sqlite3.Connection | None = None
        with self._errors():
            self._conn = self._open()

    # -- connection handling -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path),
            timeout=self._timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: SQLite refused WAL mode (%s); expect contention", self.path, mode)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if version == SCHEMA_VERSION and app_id == APPLICATION_ID:
            return
        self._check_version(version, app_id, conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            self._check_version(version, app_id, conn)
            while version < SCHEMA_VERSION:
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                version += 1
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _check_version(self, version: int, app_id: int, conn: sqlite3.Connection) -> None:
        if version > SCHEMA_VERSION:
            raise FailedPrecondition(
                f"{self.path}: metadata schema version {version} is newer than this mstoolkit "
                f"supports ({SCHEMA_VERSION}); upgrade mstoolkit to open this store"
            )
        foreign = app_id not in (0, APPLICATION_ID) or (
            app_id == 0
            and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        )
        if foreign:
            raise FailedPrecondition(
                f"{self.path}: not an mstoolkit metadata database (application_id "
                f"{app_id:#x}, user_version {version}); move it aside to start a fresh one"
            )

    def _forget_parent(self) -> None:
        if self._pid != os.getpid():
            # A forked child: never use or close the parent's connection; keep it referenced
            # so garbage collection does not close it behind the parent's back either. The
            # lock is replaced too: the fork may have copied it in a held state.
            if self._conn is not None:
                self._inherited.append(self._conn)
            self._conn = None
            self._lock = threading.RLock()
            self._pid = os.getpid()

    def _connection(self) -> sqlite3.Connection:
        # Called with self._lock held, so that close() in another thread can neither close
        # the connection between this and its use nor race a second open.
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def close(self) -> None:
        self._forget_parent()
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except MstoolkitError:
            raise
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise Unavailable(
                    f"{self.path}: metadata database busy for more than {self._timeout}s ({exc})"
                ) from exc
            raise FailedPrecondition(f"{self.path}: metadata database error: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise FailedPrecondition(
                f"{self.path}: metadata database is unreadable ({exc}). The blobs are intact; "
                "move metadata.db aside to start a fresh one (labels and history are lost)"
            ) from exc

    @contextmanager
    def _txn(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self._forget_parent()
            with self._lock:
                conn = self._connection()
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                if conn.in_transaction:
                    conn.execute("COMMIT")

    # -- reads ---------------------------------------------------------------------------

    def blob(self, digest: Digest) -> BlobRow:
        key = str(digest)
        with self._txn(write=False) as conn:
            row = conn.execute(
                "SELECT size, created_at, updated_at FROM blobs WHERE digest = ?", (key,)
            ).fetchone()
            labels = conn.execute(
                "SELECT key, value FROM labels WHERE digest = ? ORDER BY key", (key,)
            ).fetchall()
        if row is None and not labels:
            return _NO_ROW
        return _row(row, dict(labels))

    def snapshot(self) -> dict[str, BlobRow]:
        """Every row at one instant, for :meth:`LocalStore.walk`."""
        with self._txn(write=False) as conn:
            rows = conn.execute("SELECT digest, size, created_at, updated_at FROM blobs").fetchall()
            labels = conn.execute("SELECT digest, key, value FROM labels ORDER BY digest, key")
            grouped: dict[str, dict[str, str]] = {}
            for digest, key, value in labels:
                grouped.setdefault(digest, {})[key] = value
        out = {digest: _row((size, c, u), grouped.pop(digest, {})) for digest, size, c, u in rows}
        for digest, lbls in grouped.items():
            out[digest] = _row(None, lbls)
        return out

    # -- mutations -----------------------------------------------------------------------

    def record_commit(
        self,
        digest: Digest,
        size: int,
        labels: Mapping[str, str],
        *,
        at: datetime,
        reason: str,
        actor: str,
        ref: str,
        started_at: datetime | None,
        present: Callable[[], bool],
    ) -> bool:
        """Rows for a blob just made visible; False (nothing written) if it is gone again."""
        key, now = str(digest), to_micros(at)
        with self._txn(write=True) as conn:
            if not present():
                conn.execute("ROLLBACK")
                return False
            stale = dict(conn.execute("SELECT key, value FROM labels WHERE digest = ?", (key,)))
            history: list[_HistoryRow] = [
                (key, k, v, None, now, RECONCILE_REASON, actor) for k, v in sorted(stale.items())
            ]
            history += [(key, k, None, v, now, reason, actor) for k, v in sorted(labels.items())]
            conn.execute("DELETE FROM labels WHERE digest = ?", (key,))
            conn.execute(
                "INSERT OR REPLACE INTO blobs (digest, size, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (key, size, now, now),
            )
            conn.executemany(
                "INSERT INTO labels (digest, key, value) VALUES (?, ?, ?)",
                [(key, k, v) for k, v in labels.items()],
            )
            _insert_history(conn, history)
            _insert_ingest(conn, ref, key, size, started_at, now, "committed", actor)
        return True

    def record_ingest_end(
        self,
        ref: str,
        digest: Digest | None,
        size: int,
        *,
        started_at: datetime | None,
        at: datetime,
        outcome: str,
        actor: str,
    ) -> None:
        with self._txn(write=True) as conn:
            _insert_ingest(
                conn, ref, str(digest) if digest else None, size, started_at, to_micros(at),
                outcome, actor,
            )

    def update_labels(
        self,
        digest: Digest,
        plan: Callable[[Mapping[str, str]], Mapping[str, str]],
        *,
        at: datetime,
        reason: str,
        actor: str,
        stat: Callable[[], os.stat_result | None],
        touch: bool = True,
    ) -> tuple[int, datetime, datetime, dict[str, str]]:
        """Apply ``plan(current labels)``; returns size, created, updated and the labels.

        The read, *plan* and the writes share one ``BEGIN IMMEDIATE`` transaction, so this is
        an atomic read-modify-write across threads and processes (*plan* runs holding the
        database's write lock: it must be quick and must not touch the store). With
        ``touch=False`` a plan that changes nothing writes nothing, not even ``updated_at``.
        """
        key, now = str(digest), to_micros(at)
        with self._txn(write=True) as conn:
            st = stat()
            if st is None:
                raise content_not_found(digest)
            row = conn.execute(
                "SELECT created_at, updated_at FROM blobs WHERE digest = ?", (key,)
            ).fetchone()
            current = dict(conn.execute("SELECT key, value FROM labels WHERE digest = ?", (key,)))
            new = dict(plan(current))
            changes = label_diff(current, new)
            created = row[0] if row is not None else to_micros(_mtime(st))
            if not changes and not touch:
                updated = row[1] if row is not None else created
                return st.st_size, from_micros(created), from_micros(updated), new
            conn.execute(
                "INSERT OR REPLACE INTO blobs (digest, size, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (key, st.st_size, created, now),
            )
            conn.executemany(
                "DELETE FROM labels WHERE digest = ? AND key = ?",
                [(key, k) for k, _, v in changes if v is None],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO labels (digest, key, value) VALUES (?, ?, ?)",
                [(key, k, v) for k, _, v in changes if v is not None],
            )
            _insert_history(conn, [(key, k, o, n, now, reason, actor) for k, o, n in changes])
        return st.st_size, from_micros(created), at, new

    def record_delete(
        self,
        digest: Digest,
        *,
        at: datetime,
        reason: str,
        actor: str,
        gone: Callable[[], bool],
    ) -> None:
        """Drop the rows of a deleted blob, unless it was committed again meanwhile."""
        key, now = str(digest), to_micros(at)
        with self._txn(write=True) as conn:
            if not gone():
                conn.execute("ROLLBACK")
                return
            _drop(conn, key, now, reason, actor)

    def reconcile(self, present: Callable[[str], bool], *, at: datetime, actor: str) -> int:
        """Drop the rows of every blob whose file is gone; returns how many blobs."""
        now = to_micros(at)
        with self._txn(write=True) as conn:
            query = "SELECT digest FROM blobs UNION SELECT digest FROM labels"
            digests = [d for (d,) in conn.execute(query)]
            orphans = [d for d in digests if not present(d)]
            for digest in orphans:
                _drop(conn, digest, now, RECONCILE_REASON, actor)
        if orphans:
            log.info("%s: dropped metadata of %d missing blob(s)", self.path, len(orphans))
        return len(orphans)

    # -- logs ----------------------------------------------------------------------------

    def label_history(self, digest: Digest | None, key: str | None) -> list[LabelChange]:
        where, args = [], []
        if digest is not None:
            where.append("digest = ?")
            args.append(str(digest))
        if key is not None:
            where.append("key = ?")
            args.append(key)
        sql = "SELECT digest, key, old, new, at, reason, actor FROM label_history"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._txn(write=False) as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        digests: dict[str, Digest] = {}
        out = []
        for d, k, o, n, at, r, a in rows:
            dgst = digests.get(d)
            if dgst is None:
                dgst = digests[d] = stored_digest(d)
            out.append(LabelChange(dgst, k, o, n, from_micros(at), r, a))
        return out

    def label_spans(self) -> dict[str, tuple[datetime, datetime]]:
        """Each digest's first and last label change (``label_history`` in one query)."""
        with self._txn(write=False) as conn:
            rows = conn.execute("SELECT digest, at FROM label_history").fetchall()
        spans: dict[str, list[int]] = {}
        for digest, at in rows:
            span = spans.get(digest)
            if span is None:
                spans[digest] = [at, at]
            elif at < span[0]:
                span[0] = at
            elif at > span[1]:
                span[1] = at
        return {d: (from_micros(first), from_micros(last)) for d, (first, last) in spans.items()}

    def record_fetch(self, rec: FetchRecord) -> None:
        with self._txn(write=True) as conn:
            conn.execute(
                "INSERT INTO fetch_log (at, registry, repository, reference, digest, media_type,"
                " size, outcome, error_category, ratelimit_remaining)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    to_micros(rec.at), rec.registry, rec.repository, rec.reference, rec.digest,
                    rec.media_type, rec.size, rec.outcome, rec.error_category,
                    rec.ratelimit_remaining,
                ),
            )

    def record_fetches(self, recs: Sequence[FetchRecord]) -> None:
        """Many :meth:`record_fetch` rows in one transaction (an audit logs one per manifest)."""
        if not recs:
            return
        with self._txn(write=True) as conn:
            conn.executemany(
                "INSERT INTO fetch_log (at, registry, repository, reference, digest, media_type,"
                " size, outcome, error_category, ratelimit_remaining)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        to_micros(rec.at), rec.registry, rec.repository, rec.reference,
                        rec.digest, rec.media_type, rec.size, rec.outcome, rec.error_category,
                        rec.ratelimit_remaining,
                    )
                    for rec in recs
                ],
            )

    def record_commits(
        self,
        commits: Sequence[BatchCommit],
        *,
        at: datetime,
        actor: str,
        present: Callable[[Digest], bool],
    ) -> list[bool]:
        """:meth:`record_commit` for many blobs in ONE transaction (the batch's group commit).

        Each blob is re-checked inside the transaction as there; the answer says, per commit,
        whether its rows were written (False: its blob is gone again).
        """
        now = to_micros(at)
        written: list[bool] = []
        history: list[_HistoryRow] = []
        labels_rows: list[tuple[str, str, str]] = []
        blob_rows: list[tuple[str, int, int, int]] = []
        ingest_rows: list[tuple[str, str, int, int | None, int, str, str]] = []
        with self._txn(write=True) as conn:
            for commit in commits:
                if not present(commit.digest):
                    written.append(False)
                    continue
                key = str(commit.digest)
                stale = conn.execute("SELECT key, value FROM labels WHERE digest = ?", (key,))
                history += [
                    (key, k, v, None, now, RECONCILE_REASON, actor) for k, v in sorted(stale)
                ]
                history += [
                    (key, k, None, v, now, commit.reason, actor)
                    for k, v in sorted(commit.labels.items())
                ]
                conn.execute("DELETE FROM labels WHERE digest = ?", (key,))
                blob_rows.append((key, commit.size, now, now))
                labels_rows += [(key, k, v) for k, v in commit.labels.items()]
                started = to_micros(commit.started_at) if commit.started_at else None
                ingest_rows.append(
                    (commit.ref, key, commit.size, started, now, "committed", actor)
                )
                written.append(True)
            conn.executemany(
                "INSERT OR REPLACE INTO blobs (digest, size, created_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                blob_rows,
            )
            conn.executemany(
                "INSERT INTO labels (digest, key, value) VALUES (?, ?, ?)", labels_rows
            )
            _insert_history(conn, history)
            if ingest_rows:
                conn.executemany(
                    "INSERT INTO ingest_log (ref, digest, size, started_at, finished_at, outcome,"
                    " actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ingest_rows,
                )
        return written

    def logged_references(self, registry: str, outcomes: Sequence[str]) -> set[tuple[str, str]]:
        """Distinct (repository, reference) of *registry*'s fetch rows with a digest and one
        of *outcomes*, computed by SQLite: the log grows by a row per manifest per audit, too
        many to turn into records just to learn which tags were seen."""
        marks = ", ".join("?" * len(outcomes))
        with self._txn(write=False) as conn:
            rows = conn.execute(
                "SELECT DISTINCT repository, reference FROM fetch_log WHERE registry = ?"
                f" AND digest != '' AND outcome IN ({marks})",
                (registry, *outcomes),
            ).fetchall()
        return {(str(repo), str(ref)) for repo, ref in rows}

    def fetch_log(self) -> list[FetchRecord]:
        with self._txn(write=False) as conn:
            rows = conn.execute(
                "SELECT at, registry, repository, reference, digest, media_type, size, outcome,"
                " error_category, ratelimit_remaining FROM fetch_log ORDER BY id"
            ).fetchall()
        return [FetchRecord(from_micros(r[0]), *r[1:]) for r in rows]

    def ingest_log(self) -> list[IngestRecord]:
        with self._txn(write=False) as conn:
            rows = conn.execute(
                "SELECT ref, digest, size, started_at, finished_at, outcome, actor"
                " FROM ingest_log ORDER BY id"
            ).fetchall()
        return [
            IngestRecord(
                ref,
                Digest.parse(d) if d else None,
                size,
                from_micros(s) if s is not None else None,
                from_micros(f),
                outcome,
                actor,
            )
            for ref, d, size, s, f, outcome, actor in rows
        ]

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` or the problems it found."""
        with self._txn(write=False) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)


def known_digest(algorithm: str, encoded: str) -> Digest:
    """A Digest of parts already checked (a registered algorithm and hex of its length), built
    without re-validating: walks and history reads meet 100,000 of them."""
    dgst = object.__new__(Digest)
    object.__setattr__(dgst, "algorithm", algorithm)
    object.__setattr__(dgst, "encoded", encoded)
    return dgst


def stored_digest(text: str) -> Digest:
    """The Digest of a digest string this store wrote: one cheap check, and
    :meth:`Digest.parse` (with its go-digest error) for anything it does not pass."""
    algorithm, _, encoded = text.partition(":")
    if ALGORITHMS.get(algorithm) == len(encoded) and _HEX(encoded):
        return known_digest(algorithm, encoded)
    return Digest.parse(text)


def _row(row: tuple[int, int, int] | None, labels: dict[str, str]) -> BlobRow:
    frozen = MappingProxyType(labels)
    if row is None:
        return BlobRow(None, None, None, frozen)
    size, created, updated = row
    return BlobRow(size, from_micros(created), from_micros(updated), frozen)


def _mtime(st: os.stat_result) -> datetime:
    return EPOCH + (st.st_mtime_ns // 1000) * _MICRO


_HistoryRow = tuple[str, str, str | None, str | None, int, str, str]


def _insert_history(conn: sqlite3.Connection, rows: list[_HistoryRow]) -> None:
    if rows:
        conn.executemany(
            "INSERT INTO label_history (digest, key, old, new, at, reason, actor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _insert_ingest(
    conn: sqlite3.Connection,
    ref: str,
    digest: str | None,
    size: int,
    started_at: datetime | None,
    finished_at: int,
    outcome: str,
    actor: str,
) -> None:
    conn.execute(
        "INSERT INTO ingest_log (ref, digest, size, started_at, finished_at, outcome, actor)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            ref, digest, size, to_micros(started_at) if started_at else None, finished_at,
            outcome, actor,
        ),
    )


def _drop(conn: sqlite3.Connection, key: str, now: int, reason: str, actor: str) -> None:
    labels = conn.execute(
        "SELECT key, value FROM labels WHERE digest = ? ORDER BY key", (key,)
    ).fetchall()
    _insert_history(conn, [(key, k, v, None, now, reason, actor) for k, v in labels])
    conn.execute("DELETE FROM labels WHERE digest = ?", (key,))
    conn.execute("DELETE FROM blobs WHERE digest = ?", (key,))


def __dir__() -> list[str]:
    return sorted(__all__)
