"""A stand-in's memory: records by kind and key, as JSON, in one SQLite file.

The real services remember their jobs, HITs and videos across anything that happens to
a process, so the stand-ins do too. Every change is committed before the stand-in
answers (WAL journal, ``synchronous=FULL``: a commit is on disk when it returns), so a
Ctrl-C, a SIGTERM or a ``kill -9`` loses nothing that was answered. Records come back
in the order they were first written (a record rewritten keeps its place), which is the
order the stand-ins list things in. Ids come from counters kept in the same file, so an
id is never handed out twice, restarts included. Without a path (tests) the store lives
in memory and dies with the process.

Calls are synchronous and short: a stand-in's state changes happen on its event loop
one at a time, so a change and its commit are never interleaved with another change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """One stand-in's records and id counters (``path`` None: in memory)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each write is its own transaction unless grouped by batch().
        self.db = sqlite3.connect(
            ":memory:" if path is None else path, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.depth = 0

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes inside into one transaction, committed on leaving (nested
        batches join the outer one)."""
        if self.depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
        self.depth += 1
        try:
            yield
        except BaseException:
            self.depth -= 1
            if self.depth == 0:
                self.db.execute("ROLLBACK")
            raise
        self.depth -= 1
        if self.depth == 0:
            self.db.execute("COMMIT")

    def put(self, kind: str, key: str | int, body: Any) -> None:
        """Write (or rewrite) one record."""
        self.db.execute(
            "INSERT INTO records (kind, key, body) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
            (kind, str(key), json.dumps(body)),
        )

    def delete(self, kind: str, key: str | int) -> None:
        """Forget one record (nothing when there is none)."""
        self.db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, str(key)))

    def load(self, kind: str) -> list[tuple[str, Any]]:
        """Every record of ``kind`` as (key, body), in the order they were first written."""
        rows = self.db.execute(
            "SELECT key, body FROM records WHERE kind = ? ORDER BY rowid", (kind,)
        ).fetchall()
        return [(key, json.loads(body)) for key, body in rows]

    def get(self, kind: str, key: str | int) -> Any:
        """One record's body, or None."""
        row = self.db.execute(
            "SELECT body FROM records WHERE kind = ? AND key = ?", (kind, str(key))
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def next_id(self, name: str, first: int) -> int:
        """The next id of counter ``name``: ``first``, then one more each call, forever."""
        row = self.db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (name, first),
        ).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the file (every change is already committed)."""
        self.db.close()
