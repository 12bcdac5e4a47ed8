"""The connection: transactions, the change log behind `crm undo`, and the few primitives every
room of the store writes with.

Every write runs in one transaction (``BEGIN IMMEDIATE``), so a failure leaves the database as it
was; a command's transaction is recorded as one change (the undo triggers log into it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import model
from ..errors import CrmError
from ..model import LIST_COLUMNS, Row
from ..when import stamp

if TYPE_CHECKING:
    from .facade import Store

CHANGES_KEPT = 100  # how many changes `crm undo` can take back, newest first

# Tables whose rows link to others (parent table, column), checked after a bulk transaction.
LINKED_TABLES = {
    "special_dates": (("contacts", "contact_id"),),
    "stage_changes": (("contacts", "contact_id"),),
    "followups": (("contacts", "contact_id"), ("interactions", "interaction_id")),
    "complaints": (("contacts", "contact_id"), ("interactions", "interaction_id")),
    "notes": (("contacts", "contact_id"),),
    "interactions": (),  # its links to contacts are interaction_contacts, checked apart
}


def new_uid() -> str:
    """A random (version 4) UUID, without importing the uuid module (it costs start-up time)."""
    return new_uids(1)[0]


def new_uids(count: int) -> list[str]:
    """Many random (version 4) UUIDs at once, sorted: bulk imports make one per row."""
    raw = bytearray(os.urandom(16 * count))
    uids = []
    for start in range(0, len(raw), 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40  # version 4
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw[start : start + 16].hex()
        uids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    uids.sort()  # inserted in order, they append to the uid index instead of splitting pages
    return uids


def decode(row: sqlite3.Row | None) -> Row | None:
    """A stored row as a record: list columns as lists, flags (`archived`) as booleans."""
    if row is None:
        return None
    record = dict(row)
    for column in (*LIST_COLUMNS, *model.JSON_COLUMNS):
        if isinstance(record.get(column), str):
            record[column] = json.loads(record[column])
    for column in model.FLAG_COLUMNS:
        if column in record:
            record[column] = bool(record[column])
    return record


def stored(entity: str, record: Row) -> Row:
    """A checked record as the database holds it (model.stored_value of each field)."""
    return {key: model.stored_value(entity, key, value) for key, value in record.items()}


class ChangedSince(CrmError):
    """Rows a change wrote have been changed since by another program: undo refuses."""


class Database:
    """One open crm database: its connection, its transactions and its change log."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._depth = 0
        # Set by the command line: each write transaction is then recorded as one change.
        self.command: str | None = None
        self.clock: Callable[[], dt.datetime] | None = None
        self.change_id: int | None = None
        self.committed = False  # whether a change of this command (one undo can take) is saved
        self._recorded = False
        self.recorded_change: int | None = None  # the change the last transaction recorded

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, bulk: bool = False, continuing: int | None = None) -> Iterator[None]:
        """One write transaction; nested uses join the outer one. `continuing`: the change an
        earlier transaction of the same command recorded (`recorded_change`), which this one adds
        to when nothing else was recorded in between — so `crm undo` takes both back at once.

        `bulk` (imports): foreign keys are not looked up row by row but checked once, on the
        rows the transaction added, before it commits. Safe because the write lock is taken
        before the import reads the ids it links to, so none can vanish meanwhile."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if bulk:
            self.conn.execute("PRAGMA foreign_keys = OFF")  # (only outside a transaction)
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            self._start_change(continuing)
            before = self.conn.total_changes
            firsts = self._first_new_rows() if bulk else {}
            yield
            if bulk:
                self._check_links(firsts)
            wrote = self.conn.total_changes != before
            self._finish_change()
        except BaseException:
            # SQLite may have rolled back already (a full disk does): keep the first error.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            # A transaction that changed nothing leaves the file as it was, byte for byte.
            self.conn.execute("COMMIT" if wrote else "ROLLBACK")
            self.committed = self.committed or (wrote and self._recorded)
            self.recorded_change = self.change_id if wrote and self._recorded else None
        finally:
            self._depth = 0
            self.change_id = None
            if bulk:
                self.conn.execute("PRAGMA foreign_keys = ON")

    def _first_new_rows(self) -> dict[str, int]:
        """For each table that links to another, the first rowid this transaction can add."""
        return {table: self.next_id(table) for table in LINKED_TABLES}

    def _check_links(self, firsts: dict[str, int]) -> None:
        """Every row added in a bulk transaction links to rows that exist (what the foreign
        keys would have checked one by one)."""
        for table, first in firsts.items():
            for parent, column in LINKED_TABLES[table]:
                broken = self.conn.execute(
                    f"SELECT count(*) FROM {table} t WHERE t.id >= ? AND t.{column} IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{column})",
                    (first,),
                ).fetchone()[0]
                if broken:
                    raise CrmError(
                        f"{broken} new {table.replace('_', ' ')} would point at a missing "
                        f"{parent[:-1]}: nothing was written (run `crm doctor`)"
                    )
        links = firsts.get("interactions")
        if (
            links is not None
            and self.conn.execute(
                "SELECT count(*) FROM interaction_contacts l WHERE l.interaction_id >= ? AND "
                "NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = l.contact_id)",
                (links,),
            ).fetchone()[0]
        ):
            raise CrmError("new interactions would link to a missing contact: nothing was written")

    # ------------------------------------------------------------------ the change log

    def _start_change(self, continuing: int | None = None) -> None:
        """Record this transaction as one change (or as more of `continuing`, still the newest
        change); the undo triggers log into it."""
        self._recorded = False
        if self.command is None or self.clock is None:
            return
        newest = self.conn.execute("SELECT max(id) FROM changes").fetchone()[0]
        if continuing is not None and newest == continuing:
            self.change_id = continuing
            self.conn.execute("UPDATE change_state SET current = ? WHERE id = 1", (continuing,))
            return
        cursor = self.conn.execute(
            "INSERT INTO changes (at, command) VALUES (?, ?)", (stamp(self.clock()), self.command)
        )
        self.change_id = cursor.lastrowid
        self.conn.execute("UPDATE change_state SET current = ? WHERE id = 1", (self.change_id,))

    def _finish_change(self) -> None:
        """Stop recording; forget a change that changed nothing, and the oldest beyond the
        ones kept."""
        if self.change_id is None:
            return
        self.conn.execute("UPDATE change_state SET current = NULL WHERE id = 1")
        if not self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM change_log WHERE change_id = ?)", (self.change_id,)
        ).fetchone()[0]:
            self.conn.execute("DELETE FROM changes WHERE id = ?", (self.change_id,))
            return
        self._recorded = True
        oldest = self.conn.execute(
            "SELECT id FROM changes ORDER BY id DESC LIMIT 1 OFFSET ?", (CHANGES_KEPT - 1,)
        ).fetchone()
        if oldest:
            self.conn.execute("DELETE FROM change_log WHERE change_id < ?", (oldest[0],))
            self.conn.execute("DELETE FROM changes WHERE id < ?", (oldest[0],))

    @contextmanager
    def unrecorded(
        self, table: str, undo_sql: str, rows: int, tables: tuple[str, ...] = ()
    ) -> Iterator[None]:
        """A bulk write logged as one statement (a range delete) instead of a row each. The
        undo triggers of the tables written are set aside meanwhile: even asking whether to
        log costs each row more than its insert."""
        with self.without_triggers([f"{t}_undo_insert" for t in (table, *tables)]):
            yield
        if self.change_id is None:
            return
        self.conn.execute(
            "INSERT INTO change_log (change_id, tbl, op, rows, undo_sql) "
            "VALUES (?, ?, 'insert', ?, ?)",
            (self.change_id, table, rows, undo_sql),
        )

    @contextmanager
    def without_triggers(self, names: list[str]) -> Iterator[list[str]]:
        """Triggers set aside for a bulk write and put back as they were. Inside the caller's
        transaction, so they are never missing for anyone else."""
        found = [
            row[0]
            for name in names
            for row in self.conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            )
        ]
        for name in names:
            self.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        yield found
        # (On an error nothing is put back here: the transaction's rollback restores them, and
        # SQLite may have rolled back already — a full disk — so creating them again would fail
        # and hide the first error behind "trigger already exists".)
        for sql in found:
            self.conn.execute(sql)

    def last_change(self) -> Row | None:
        """The newest change that is neither an undo nor undone (nor the one being recorded)."""
        return self.one(
            "SELECT * FROM changes WHERE undoes IS NULL AND undone_by IS NULL AND id IS NOT ? "
            "ORDER BY id DESC LIMIT 1",
            (self.change_id,),
        )

    def replay_inverse(self, change_id: int) -> None:
        """Run the statements that take a change back, newest first (inside a transaction)."""
        for sql, op, rows in self.conn.execute(
            "SELECT undo_sql, op, rows FROM change_log WHERE change_id = ? ORDER BY seq DESC",
            (change_id,),
        ).fetchall():
            done = self.conn.execute(sql).rowcount
            if op != "delete" and done != rows:  # not as this change left it
                raise ChangedSince(f"{rows} row(s) expected, {done} found as the change left them")
        self.conn.execute(
            "UPDATE changes SET undone_by = ? WHERE id = ?", (self.change_id, change_id)
        )
        self.conn.execute("UPDATE changes SET undoes = ? WHERE id = ?", (change_id, self.change_id))

    def has_log(self, change_id: int) -> bool:
        """Whether a change has statements that take it back (see history.FORGET_BARRIER)."""
        return bool(
            self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM change_log WHERE change_id = ? AND op != 'forget')",
                (change_id,),
            ).fetchone()[0]
        )

    def changes(self, limit: int) -> list[Row]:
        """Recent changes with what each did, table by table (+ added, - removed, ~ changed)."""
        return self.all(
            """SELECT g.id, g.at, g.command, g.undoes, g.undone_by,
                      (SELECT group_concat(part, ', ') FROM (
                         SELECT (CASE op WHEN 'insert' THEN '+' WHEN 'delete' THEN '-'
                                         WHEN 'forget' THEN '-' ELSE '~' END)
                                || sum(rows) || ' ' || tbl AS part
                         FROM change_log WHERE change_id = g.id GROUP BY tbl, op ORDER BY min(seq)
                      )) AS changed,
                      EXISTS (SELECT 1 FROM change_log WHERE change_id = g.id AND op = 'forget')
                          AS forgets
               FROM changes g ORDER BY g.id DESC LIMIT ?""",
            (limit,),
        )

    # ------------------------------------------------------------------ primitives

    def one(self, sql: str, params: Any = ()) -> Row | None:
        return decode(self.conn.execute(sql, params).fetchone())

    def all(self, sql: str, params: Any = ()) -> list[Row]:
        return [decode(row) for row in self.conn.execute(sql, params)]  # type: ignore[misc]

    def insert(self, table: str, values: Row) -> int:
        columns = ", ".join(values)
        marks = ", ".join(f":{key}" for key in values)
        cursor = self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        return int(cursor.lastrowid or 0)

    def update(self, table: str, row_id: int, values: Row) -> None:
        if values:
            assignments = ", ".join(f"{key} = :{key}" for key in values)
            self.conn.execute(
                f"UPDATE {table} SET {assignments} WHERE id = :_id", {**values, "_id": row_id}
            )

    def add_record(self, entity: str, raw: Row, **links: int | None) -> int:
        """Check one record of `entity` through the model and insert it with its links
        (contact_id, interaction_id); a new uid unless the record brings its own."""
        record = model.check(entity, raw)
        record.setdefault("uid", new_uid())
        with self.transaction():
            return self.insert(entity, {**stored(entity, record), **links})

    def change_record(self, entity: str, record_id: int, raw: Row) -> None:
        """Check the changed fields of one record and write them."""
        record = model.check(entity, raw, partial=True)
        with self.transaction():
            self.update(entity, record_id, stored(entity, record))

    def insert_checked(self, entity: str, record: Row, **links: Any) -> int:
        """Insert a record the model has checked, as it is (its uid and, if given, its id)."""
        return self.insert(entity, {**stored(entity, record), **links})

    def next_id(self, table: str) -> int:
        """The next free id. Only meaningful inside the write transaction that uses it."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def id_by_uid(self, table: str, uid: str) -> int | None:
        row = self.conn.execute(f"SELECT id FROM {table} WHERE uid = ?", (uid,)).fetchone()
        return row[0] if row else None

    def uid_ids(self, table: str) -> dict[str, int]:
        return {row[0]: row[1] for row in self.conn.execute(f"SELECT uid, id FROM {table}")}

    def id_is_free(self, table: str, row_id: Any) -> bool:
        return (
            isinstance(row_id, int)
            and not self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone()
        )

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def backup(self, target: Path) -> None:
        """SQLite's online backup, a consistent copy even while others write, made in a new
        private file of an unpredictable name beside `target` and renamed over it when whole:
        a kill half-way leaves any earlier copy intact, and a symlink planted at `target` is
        replaced, never followed."""
        import tempfile

        from .. import dbfile, leftovers

        leftovers.sweep(target.parent)
        fd, name = tempfile.mkstemp(
            prefix=leftovers.prefix(target.name), suffix=".tmp", dir=target.parent
        )
        os.close(fd)
        temporary = Path(name)
        try:
            os.chmod(temporary, dbfile.PRIVATE_FILE)
            copy = sqlite3.connect(temporary)
            try:
                self.conn.backup(copy)
                # A copy that stands alone: no `-wal` beside it is ever read as its own.
                copy.execute("PRAGMA journal_mode = DELETE")
                checked = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
            if checked != "ok":
                raise CrmError(f"the copy failed SQLite's integrity check ({checked}): "
                               f"{target} was left as it was; run `crm doctor`")  # fmt: skip
            for stale in (f"{target}-wal", f"{target}-shm", f"{target}-journal"):
                Path(stale).unlink(missing_ok=True)  # the old file's: never replayed onto this
            os.replace(temporary, target)
        finally:
            for leftover in ("", "-wal", "-shm", "-journal"):
                Path(f"{temporary}{leftover}").unlink(missing_ok=True)


class Room:
    """A part of the store (contacts, follow-ups, reports…) over the one open database."""

    def __init__(self, db: Store):  # rooms reach each other through the store
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn
