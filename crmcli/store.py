"""The data layer: the connection, transactions, and every query crm runs.

A library: it never imports typer or rich and never prints. Every value is a bound parameter.
Every public write checks its record with `model.check` (the one home of the rules) and runs in
one transaction (``BEGIN IMMEDIATE``), so a failure leaves the database as it was. Functions that
depend on the date take ``today`` / ``now``: the clock is read once, above the store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import dbfile, model
from .errors import CrmError, DatabaseRefused, NotFound
from .migrations import FTS_COLUMNS, LATEST, MIGRATIONS, statements
from .model import LIST_COLUMNS, Row, fold, words
from .when import stamp

BUSY_TIMEOUT_MS = 60_000


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


def _decode(row: sqlite3.Row | None) -> Row | None:
    if row is None:
        return None
    record = dict(row)
    for column in (*LIST_COLUMNS, *model.JSON_COLUMNS):
        if isinstance(record.get(column), str):
            record[column] = json.loads(record[column])
    if "archived" in record:
        record["archived"] = bool(record["archived"])
    return record


# --------------------------------------------------------------------------- opening


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.create_function("crm_fold", 1, fold, deterministic=True)
    conn.create_function("crm_words", 1, words, deterministic=True)
    conn.create_function("crm_joined", 1, model.joined_words, deterministic=True)
    return conn


def _identify(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of a crm database; refuses foreign and newer ones. Writes nothing."""
    try:
        # One read transaction, so the three answers come from the same moment.
        conn.execute("BEGIN")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        raise CrmError(dbfile.explain(error, path)) from None
    except sqlite3.DatabaseError as error:
        raise DatabaseRefused(f"{path} is not a usable SQLite database ({error})") from None
    if app_id == dbfile.APPLICATION_ID:
        if version > LATEST:
            raise DatabaseRefused(
                f"{path} was written by a newer crm (schema {version}, this crm knows {LATEST}): "
                "upgrade crm; the file was left untouched"
            )
        return version
    shown = ", ".join(sorted(tables)[:5]) or "no tables"
    raise DatabaseRefused(
        f"{path} is a SQLite database of another program ({shown}): crm left it untouched; "
        "point --db or CRM_DB at a crm database"
    )


def _build(path: Path) -> None:
    """Fill a brand-new file with the whole schema, in WAL mode: the migrations run once per
    process on a database in memory, copied page by page into each new file."""
    conn = _connect(path)
    try:
        _fresh_schema().backup(conn)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


_FRESH: dict[int, sqlite3.Connection] = {}  # the schema built in this process, by migrations


def _fresh_schema() -> sqlite3.Connection:
    if len(MIGRATIONS) not in _FRESH:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        Store(conn, Path(":memory:")).migrate(0)
        _FRESH[len(MIGRATIONS)] = conn
    return _FRESH[len(MIGRATIONS)]


def migration_pending(path: Path) -> bool:
    """Whether opening `path` would migrate it (a dry run then works on a copy). Writes
    nothing; a file that is not a crm database answers False, for open_store to refuse."""
    try:
        if not dbfile.inspect(path):
            return False
        conn = _connect(path)
        try:
            return _identify(conn, path) < LATEST
        finally:
            conn.close()
    except CrmError:
        return False


def copy_database(path: Path, target: Path) -> None:
    """A consistent copy of the database at `path` into the new file `target`."""
    source, copy = _connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def open_store(path: Path | None = None, create: bool = True) -> Store:
    """Open the crm database at `path` (migrating it if it is older); create it if missing and
    `create` is true. Anything that is not a crm database is refused untouched."""
    path = path or dbfile.default_path()
    if not dbfile.inspect(path):
        if not create:
            raise dbfile.missing(path)
        dbfile.create(path, _build)
    conn = _connect(path)
    try:
        version = _identify(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        store = Store(conn, path)
        if version < LATEST:
            store.migrate(version)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return store


def _clock(now: dt.datetime) -> dict[str, str]:
    return {"now": stamp(now), "today": stamp(now.date())}


def _flags(row: Row) -> Row:
    for key in ("breached", "responded"):
        if key in row:
            row[key] = bool(row[key])
    return row


def _contact_values(columns: list[str]) -> Callable[[Row], list[Any]]:
    """A function from a checked contact to its row as stored — the same values as
    model.stored_value gives, with the per-column decision taken once, not per row."""
    plain: list[tuple[str, Any]] = [(c, model.DEFAULTS["contacts"].get(c)) for c in columns]
    lists = [i for i, c in enumerate(columns) if c in model.LIST_COLUMNS]
    documents = [i for i, c in enumerate(columns) if c in model.JSON_COLUMNS]
    archived = columns.index("archived")

    def values(row: Row) -> list[Any]:
        out: list[Any] = [row.get(c, default) for c, default in plain]
        for i in lists:
            out[i] = model.to_json_text(out[i] or [])
        for i in documents:
            out[i] = json.dumps(out[i], ensure_ascii=False) if out[i] else "[]"
        if type(out[archived]) is bool:
            out[archived] = int(out[archived])
        return out

    return values


def _without_empty_columns(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], defaults: dict[str, Any] | None = None
) -> tuple[list[str], Sequence[Sequence[Any]]]:
    """Rows without the columns that hold their default (NULL unless `defaults` says) in every
    one of them, left to the table's DEFAULT: binding a parameter costs Python more than
    SQLite's whole insert does."""
    defaults = defaults or {}
    cells = list(zip(*rows, strict=True))
    used = [
        i for i, column in enumerate(cells) if column.count(defaults.get(columns[i])) != len(column)
    ]
    if len(used) == len(columns):
        return list(columns), rows
    return [columns[i] for i in used], list(zip(*(cells[i] for i in used), strict=True))


def _stored(entity: str, record: Row) -> Row:
    return {key: model.stored_value(entity, key, value) for key, value in record.items()}


class ChangedSince(CrmError):
    """Rows a change wrote have been changed since by another program: undo refuses."""


# Tables whose rows link to others (parent table, column), checked after a bulk transaction.
LINKED_TABLES = {
    "special_dates": (("contacts", "contact_id"),),
    "stage_changes": (("contacts", "contact_id"),),
    "followups": (("contacts", "contact_id"), ("interactions", "interaction_id")),
    "complaints": (("contacts", "contact_id"), ("interactions", "interaction_id")),
    "notes": (("contacts", "contact_id"),),
    "interactions": (),  # its links to contacts are interaction_contacts, checked apart
}
CHANGES_KEPT = 100  # how many changes `crm undo` can take back, newest first
SEARCH_LIMIT = 50  # search results shown by default


class Store:
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

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------------ primitives

    @contextmanager
    def transaction(self, bulk: bool = False) -> Iterator[None]:
        """One write transaction; nested uses join the outer one.

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
            self._start_change()
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

    def _start_change(self) -> None:
        """Record this transaction as one change; the undo triggers log into it."""
        self._recorded = False
        if self.command is None or self.clock is None:
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

    def changes(self, limit: int) -> list[Row]:
        """Recent changes with what each did, table by table (+ added, - removed, ~ changed)."""
        return self.all(
            """SELECT g.id, g.at, g.command, g.undoes, g.undone_by,
                      (SELECT group_concat(part, ', ') FROM (
                         SELECT (CASE op WHEN 'insert' THEN '+' WHEN 'delete' THEN '-' ELSE '~' END)
                                || sum(rows) || ' ' || tbl AS part
                         FROM change_log WHERE change_id = g.id GROUP BY tbl, op ORDER BY min(seq)
                      )) AS changed
               FROM changes g ORDER BY g.id DESC LIMIT ?""",
            (limit,),
        )

    def one(self, sql: str, params: Any = ()) -> Row | None:
        return _decode(self.conn.execute(sql, params).fetchone())

    def all(self, sql: str, params: Any = ()) -> list[Row]:
        return [_decode(row) for row in self.conn.execute(sql, params)]  # type: ignore[misc]

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
            return self.insert(entity, {**_stored(entity, record), **links})

    def change_record(self, entity: str, record_id: int, raw: Row) -> None:
        """Check the changed fields of one record and write them."""
        record = model.check(entity, raw, partial=True)
        with self.transaction():
            self.update(entity, record_id, _stored(entity, record))

    def rows(self, entity: str) -> Iterator[Row]:
        """Every row of a table exactly as stored (lists as JSON text), for `crm doctor`."""
        for row in self.conn.execute(f"SELECT * FROM {entity} ORDER BY id"):
            yield dict(row)

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, current: int) -> list[str]:
        """Run the pending migrations, each in its own transaction. Backs up a used database."""
        if current > 0 and self._holds_data():
            self.backup(self.path.with_name(f"{self.path.name}.v{current}.bak"))
        applied = []
        for number, (title, step) in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if self.schema_version() >= number:  # another process got here first
                    self.conn.execute("ROLLBACK")
                    continue
                if callable(step):
                    step(self.conn)
                else:
                    for statement in statements(step):
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {dbfile.APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {number}")
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            applied.append(title)
        return applied

    def _holds_data(self) -> bool:
        """False for a database still being created (by another process, say): no backup."""
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM contacts)").fetchone()[0])

    def backup(self, target: Path) -> None:
        """SQLite's online backup, a consistent copy even while others write, made in a new
        private file of an unpredictable name beside `target` and renamed over it when whole:
        a kill half-way leaves any earlier copy intact, and a symlink planted at `target` is
        replaced, never followed."""
        import tempfile

        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        temporary = Path(name)
        try:
            os.chmod(temporary, dbfile.PRIVATE_FILE)
            copy = sqlite3.connect(temporary)
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    # ------------------------------------------------------------------ config and state

    def get_setting(self, table: str, key: str) -> str | None:
        row = self.conn.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, table: str, key: str, value: str | None) -> None:
        with self.transaction():
            if value is None:
                self.conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    f"INSERT INTO {table} (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def settings(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute(f"SELECT key, value FROM {table}")}

    # ------------------------------------------------------------------ contacts

    def contacts_with_email(self, email: str) -> list[Row]:
        """Contacts holding an email (any case), active ones first."""
        return self.all(
            f"{CONTACT_SELECT} WHERE EXISTS (SELECT 1 FROM json_each(c.emails) "
            "WHERE lower(json_each.value) = lower(?)) ORDER BY c.archived, c.id",
            (email,),
        )

    def contacts_named(self, folded: str) -> list[Row]:
        """Contacts whose whole name folds to `folded`, active ones first."""
        return self.all(
            f"{CONTACT_SELECT} WHERE crm_fold(c.name) = ? ORDER BY c.archived, c.id", (folded,)
        )

    def contacts_with_words(self, folded: list[str]) -> list[Row]:
        """Contacts with, for each folded word given, a word of their name starting with it
        (in any order); a word also matches with its apostrophes and hyphens left out."""
        each = "(instr(' ' || crm_words(c.name), ' ' || ?) > 0 OR instr(' ' || crm_joined(c.name), ' ' || ?) > 0)"
        return self.all(
            f"{CONTACT_SELECT} WHERE {' AND '.join([each] * len(folded))} "
            "ORDER BY c.archived, c.name, c.id",
            tuple(word for word in folded for _ in (0, 1)),
        )

    def get_contact(self, contact_id: int) -> Row:
        row = self.one(f"{CONTACT_SELECT} WHERE c.id = ?", (contact_id,))
        if row is None:
            raise NotFound(f"no contact with id {contact_id}: see `crm contact list`")
        return row

    def contact_record(self, contact_id: int) -> Row:
        """The contact's own fields only (no last interaction): what an import compares."""
        row = self.one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        if row is None:
            raise NotFound(f"no contact with id {contact_id}: see `crm contact list`")
        return row

    def add_contact(self, raw: Row, now: dt.datetime, dates: list[Row] | None = None) -> int:
        """A new contact (checked through the model) with its special dates, in one go."""
        record = model.check("contacts", {"created": now, "updated": now, **raw})
        record.setdefault("uid", new_uid())
        with self.transaction():
            contact_id = self.insert("contacts", _stored("contacts", record))
            if record.get("stage"):
                self.record_stage(contact_id, None, record["stage"], now, "added")
            for date in dates or []:
                self.add_special_date(contact_id, {"created": now, **date})
        return contact_id

    def update_contact(self, contact_id: int, raw: Row, now: dt.datetime) -> None:
        """Write changed fields (already merged by the caller) and stamp `updated`."""
        record = model.check("contacts", {**raw, "updated": now}, partial=True)
        with self.transaction():
            self.update("contacts", contact_id, _stored("contacts", record))

    def set_archived(self, contact_id: int, archived: bool, now: dt.datetime) -> None:
        self.update_contact(contact_id, {"archived": archived}, now)

    def list_contacts(
        self,
        tag: str | None = None,
        stage: str | None = None,
        search: str | None = None,
        archived: bool = False,
        relationship: str | None = None,
    ) -> list[Row]:
        where: list[str] = ["c.archived = ?"]
        params: list[Any] = [int(archived)]
        if tag:
            where.append(
                "EXISTS (SELECT 1 FROM json_each(c.tags) WHERE crm_fold(json_each.value) = ?)"
            )
            params.append(fold(tag))
        if stage:
            where.append("c.stage = ?")
            params.append(model.choice(stage, model.STAGES, "stage"))
        if relationship:
            where.append("c.relationship = ?")
            params.append(model.choice(relationship, model.RELATIONSHIPS, "relationship"))
        if search:
            where.append(
                "instr(crm_fold(c.name || ' ' || coalesce(c.company, '') || ' ' || c.emails || ' '"
                " || c.tags || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.notes, '')), ?) > 0"
            )
            params.append(fold(search))
        return self.all(
            f"{CONTACT_SELECT} WHERE {' AND '.join(where)} ORDER BY c.name, c.id", params
        )

    def has_contacts(self) -> bool:
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM contacts)").fetchone()[0])

    # ------------------------------------------------------------------ delete and trash

    def delete_contact(self, contact_id: int) -> None:
        """Remove a contact and what hangs on it; interactions nobody else took part in go too."""
        with self.transaction():
            self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            self.conn.execute(
                "DELETE FROM interactions WHERE id NOT IN "
                "(SELECT interaction_id FROM interaction_contacts)"
            )

    def delete_record(self, table: str, record_id: int) -> None:
        """Remove one record (its removal is in the trash already, and in the change log). A
        captured interaction removed is remembered, so the next mail or calendar import does
        not log it again."""
        with self.transaction():
            if table == "interactions":
                self.conn.execute(
                    "INSERT OR IGNORE INTO captured_removed (source, source_id) SELECT source, "
                    "source_id FROM interactions WHERE id = ? AND source_id IS NOT NULL",
                    (record_id,),
                )
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))

    def forget_removed_captures(self) -> None:
        """Captured interactions back from the trash are no longer 'removed'."""
        self.conn.execute(
            "DELETE FROM captured_removed WHERE EXISTS (SELECT 1 FROM interactions i WHERE "
            "i.source = captured_removed.source AND i.source_id = captured_removed.source_id)"
        )

    def add_trash_entry(
        self, kind: str, uid: str, name: str, deleted_at: dt.datetime, payload: str
    ) -> int:
        """A removed record kept as a backup document; `uid` is the record's own."""
        with self.transaction():
            return self.insert(
                "trash",
                {"kind": kind, "contact_uid": uid, "name": name,
                 "deleted_at": stamp(deleted_at), "payload": payload},
            )  # fmt: skip

    def trash_entries(self) -> list[Row]:
        return self.all(
            "SELECT id, kind, name, contact_uid, deleted_at FROM trash "
            "ORDER BY deleted_at DESC, id DESC"
        )

    def trash_named(self, folded: str) -> list[Row]:
        """Trashed contacts whose name has a word starting with `folded`, or whose uid it is."""
        return self.all(
            "SELECT id, kind, name, contact_uid, deleted_at FROM trash WHERE kind = 'contact' "
            "AND (instr(' ' || crm_words(name), ' ' || ?) > 0 OR contact_uid = ?) "
            "ORDER BY deleted_at DESC, id DESC",
            (folded, folded),
        )

    def trash_entry(self, trash_id: int) -> Row:
        entry = self.one("SELECT * FROM trash WHERE id = ?", (trash_id,))
        if entry is None:
            raise NotFound(f"no trash entry {trash_id}: see `crm trash list`")
        return entry

    def remove_trash(self, older_than: dt.datetime | None = None, trash_id: int | None = None):
        """Remove trash entries for good: one, those deleted before a moment, or all."""
        with self.transaction():
            if trash_id is not None:
                cursor = self.conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))
            elif older_than is None:
                cursor = self.conn.execute("DELETE FROM trash")
            else:
                cursor = self.conn.execute(
                    "DELETE FROM trash WHERE deleted_at < ?", (stamp(older_than),)
                )
        return cursor.rowcount

    # ------------------------------------------------------------------ health

    def mismatched_links(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts l JOIN interactions i "
            "ON i.id = l.interaction_id WHERE l.happened_at IS NOT i.happened_at"
        ).fetchone()[0]

    def integrity_checks(self) -> list[Row]:
        """`crm doctor`'s checks of the file: integrity, references, schema, orphans, journal."""
        checks = []

        def check(name: str, ok: bool, detail: str) -> None:
            checks.append({"check": name, "ok": ok, "detail": detail})

        integrity = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        check("integrity", integrity == ["ok"], "; ".join(integrity[:5]))
        foreign = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        check(
            "foreign keys", not foreign, f"{len(foreign)} broken reference(s)" if foreign else "ok"
        )
        version = self.schema_version()
        check("schema", version == LATEST, f"version {version} of {LATEST}")
        orphans = self.conn.execute(
            "SELECT count(*) FROM interactions WHERE id NOT IN "
            "(SELECT interaction_id FROM interaction_contacts)"
        ).fetchone()[0]
        check(
            "orphans",
            orphans == 0,
            f"{orphans} interaction(s) without a contact" if orphans else "ok",
        )
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        check("journal", mode == "wal", f"journal_mode={mode}")
        return checks

    # ------------------------------------------------------------------ stages

    def record_stage(self, contact_id: int, from_stage, to_stage, when, reason) -> int:
        return self.add_record(
            "stage_changes",
            {"from_stage": from_stage, "to_stage": to_stage, "changed_at": when,
             "reason": reason},
            contact_id=contact_id,
        )  # fmt: skip

    def get_stage_change(self, change_id: int) -> Row:
        row = self.one(
            "SELECT g.*, c.name AS contact FROM stage_changes g JOIN contacts c "
            "ON c.id = g.contact_id WHERE g.id = ?",
            (change_id,),
        )
        if row is None:
            raise NotFound(f"no stage change with id {change_id}: see `crm contact show REF`")
        return row

    def stage_history(self, contact_id: int) -> list[Row]:
        return self.all(
            "SELECT id, changed_at, from_stage, to_stage, reason FROM stage_changes "
            "WHERE contact_id = ? ORDER BY changed_at, id",
            (contact_id,),
        )

    # ------------------------------------------------------------------ interactions

    def get_interaction(self, interaction_id: int) -> Row:
        row = self.one(f"{INTERACTION_SELECT} WHERE i.id = ?", (interaction_id,))
        if row is None:
            raise NotFound(
                f"no interaction with id {interaction_id}: see `crm contact show REF` for ids"
            )
        row["contact_ids"] = [
            r[0]
            for r in self.conn.execute(
                "SELECT contact_id FROM interaction_contacts WHERE interaction_id = ?",
                (interaction_id,),
            )
        ]
        return row

    def update_interaction(
        self, interaction_id: int, raw: Row, contact_ids: list[int] | None = None
    ) -> None:
        """Change an interaction's fields and, if given, who took part; links follow its time."""
        record = model.check("interactions", raw, partial=True)
        if contact_ids is not None and not contact_ids:
            raise CrmError("an interaction needs at least one contact")
        with self.transaction():
            self.update("interactions", interaction_id, _stored("interactions", record))
            if contact_ids is not None:
                self.conn.execute(
                    "DELETE FROM interaction_contacts WHERE interaction_id = ?", (interaction_id,)
                )
                for contact_id in contact_ids:
                    self.link(contact_id, interaction_id)
            elif "happened_at" in record:
                self.conn.execute(
                    "UPDATE interaction_contacts SET happened_at = ? WHERE interaction_id = ?",
                    (record["happened_at"], interaction_id),
                )

    def add_interaction(self, contact_ids: list[int], raw: Row, now: dt.datetime) -> int:
        """One interaction (checked through the model) shared by one or more contacts."""
        if not contact_ids:
            raise CrmError("an interaction needs at least one contact")
        record = model.check(
            "interactions",
            {"kind": "touch", "channel": "other", "direction": "out", "created": now, **raw},
        )
        record.setdefault("uid", new_uid())
        with self.transaction():
            interaction_id = self.insert("interactions", _stored("interactions", record))
            self.conn.executemany(
                "INSERT INTO interaction_contacts (contact_id, happened_at, interaction_id) "
                "VALUES (?, ?, ?)",
                [(cid, record["happened_at"], interaction_id) for cid in contact_ids],
            )
        return interaction_id

    def contact_interactions(self, contact_id: int, limit: int | None = None) -> list[Row]:
        return self.all(
            f"{INTERACTION_SELECT} WHERE i.id IN (SELECT interaction_id FROM "
            "interaction_contacts WHERE contact_id = ?) ORDER BY i.happened_at DESC, i.id DESC"
            + (" LIMIT ?" if limit else ""),
            (contact_id, limit) if limit else (contact_id,),
        )

    def outbound_count(self, contact_id: int, start: dt.date, end: dt.date) -> int:
        """Outbound interactions with a contact from `start` to `end`, both days included."""
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts l JOIN interactions i "
            "ON i.id = l.interaction_id WHERE l.contact_id = ? AND l.happened_at >= ? "
            "AND l.happened_at < date(?, '+1 day') AND i.direction = 'out'",
            (contact_id, stamp(start), stamp(end)),
        ).fetchone()[0]

    def count_interactions(self, contact_id: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts WHERE contact_id = ?", (contact_id,)
        ).fetchone()[0]

    # ------------------------------------------------------------------ special dates

    def add_special_date(self, contact_id: int, raw: Row) -> int:
        return self.add_record("special_dates", raw, contact_id=contact_id)

    def set_birthday(self, contact_id: int, raw: Row, now: dt.datetime) -> None:
        """Change the contact's first birthday, or add one."""
        existing = self.one(
            "SELECT id FROM special_dates WHERE contact_id = ? AND label = 'birthday' ORDER BY id",
            (contact_id,),
        )
        with self.transaction():
            if existing:
                self.change_record("special_dates", existing["id"], raw)
            else:
                self.add_special_date(contact_id, {"label": "birthday", "created": now, **raw})

    def remove_birthday(self, contact_id: int) -> None:
        with self.transaction():
            self.conn.execute(
                "DELETE FROM special_dates WHERE contact_id = ? AND label = 'birthday'",
                (contact_id,),
            )

    def has_special_date(self, contact_id: int, label: str, month: int, day: int, year) -> bool:
        return bool(
            self.conn.execute(
                "SELECT 1 FROM special_dates WHERE contact_id = ? AND label = ? AND month = ? "
                "AND day = ? AND year IS ?",
                (contact_id, label, month, day, year),
            ).fetchone()
        )

    def list_special_dates(self, contact_id: int | None = None) -> list[Row]:
        where = "WHERE s.contact_id = ?" if contact_id else "WHERE c.archived = 0"
        return self.all(
            f"{SPECIAL_DATE_SELECT} {where} ORDER BY s.month, s.day, c.name",
            (contact_id,) if contact_id else (),
        )

    def get_special_date(self, date_id: int) -> Row:
        row = self.one(f"{SPECIAL_DATE_SELECT} WHERE s.id = ?", (date_id,))
        if row is None:
            raise NotFound(f"no special date with id {date_id}: see `crm date list`")
        return row

    def special_dates_on(self, keys: list[int]) -> list[Row]:
        """Special dates of active contacts whose month * 100 + day is one of `keys`."""
        return self.all(
            f"{SPECIAL_DATE_SELECT} WHERE s.month * 100 + s.day IN "
            "(SELECT value FROM json_each(?)) AND c.archived = 0",
            (json.dumps(sorted(set(keys))),),
        )

    # ------------------------------------------------------------------ follow-ups

    def add_followup(
        self,
        contact_id: int,
        due: dt.date | dt.datetime,
        note: str | None,
        now,
        interaction_id=None,
    ) -> int:
        return self.add_record(
            "followups",
            {"due": due, "note": note, "created": now},
            contact_id=contact_id,
            interaction_id=interaction_id,
        )

    def add_note(self, contact_id: int, raw: Row) -> int:
        return self.add_record("notes", raw, contact_id=contact_id)

    def get_note(self, note_id: int) -> Row:
        row = self.one(
            "SELECT n.*, c.name AS contact FROM notes n JOIN contacts c ON c.id = n.contact_id "
            "WHERE n.id = ?",
            (note_id,),
        )
        if row is None:
            raise NotFound(f"no note with id {note_id}: see `crm note list REF`")
        return row

    def list_notes(self, contact_id: int | None = None) -> list[Row]:
        where = "n.contact_id = ?" if contact_id else "c.archived = 0"
        return self.all(
            "SELECT n.id, n.uid, n.contact_id, c.name AS contact, n.written_at, n.text "
            f"FROM notes n JOIN contacts c ON c.id = n.contact_id WHERE {where} "
            "ORDER BY n.written_at DESC, n.id DESC",
            (contact_id,) if contact_id else (),
        )

    def get_followup(self, followup_id: int) -> Row:
        row = self.one(f"{FOLLOWUP_SELECT} WHERE f.id = :id", {"id": followup_id, "today": None})
        if row is None:
            raise NotFound(f"no follow-up with id {followup_id}: see `crm followup list --all`")
        return row

    def _open_followup(self, followup_id: int) -> Row:
        row = self.get_followup(followup_id)
        if row["done_at"]:
            raise CrmError(f"follow-up {followup_id} was already done on {row['done_at'][:10]}")
        return row

    def complete_followup(self, followup_id: int, note: str | None, now) -> Row:
        self._open_followup(followup_id)
        self.change_record("followups", followup_id, {"done_at": now, "done_note": note})
        return self.get_followup(followup_id)

    def snooze_followup(self, followup_id: int, due: dt.date | dt.datetime) -> Row:
        row = self._open_followup(followup_id)
        if type(due) is dt.date and "T" in row["due"]:  # a day given: the time of day stays
            due = dt.datetime.combine(due, dt.time.fromisoformat(row["due"][11:]))
        if stamp(due) <= row["due"]:
            raise CrmError(
                f"snoozing moves a follow-up later: it is due {row['due'].replace('T', ' ')[:16]}; "
                f"to change it freely use `crm followup edit {followup_id} --due WHEN`"
            )
        self.change_record("followups", followup_id, {"due": due, "snoozed": row["snoozed"] + 1})
        return self.get_followup(followup_id)

    def list_followups(self, today: dt.date, include_done: bool = False, contact_id=None):
        where = ["c.archived = 0"] if contact_id is None else ["f.contact_id = :contact"]
        if not include_done:
            where.append("f.done_at IS NULL")
        return self.all(
            f"{FOLLOWUP_SELECT} WHERE {' AND '.join(where)} "
            "ORDER BY f.done_at IS NOT NULL, f.due, f.id",
            {"today": stamp(today), "contact": contact_id},
        )

    # ------------------------------------------------------------------ complaints

    def add_complaint(
        self,
        contact_id: int,
        summary: str,
        opened: dt.datetime,
        due: dt.datetime,
        interaction_id=None,
    ) -> int:
        return self.add_record(
            "complaints",
            {"opened": opened, "summary": summary, "due": due},
            contact_id=contact_id,
            interaction_id=interaction_id,
        )

    def get_complaint(self, complaint_id: int, now: dt.datetime) -> Row:
        row = self.one(f"{COMPLAINT_SELECT} WHERE k.id = :id", {"id": complaint_id, **_clock(now)})
        if row is None:
            raise NotFound(f"no complaint with id {complaint_id}: see `crm complaint list --all`")
        return _flags(row)

    def respond_complaint(self, complaint_id: int, note: str | None, now: dt.datetime) -> Row:
        row = self.get_complaint(complaint_id, now)
        if row["responded_at"]:
            raise CrmError(
                f"complaint {complaint_id} already had its first response on {row['responded_at'][:10]}"
            )
        self.change_record("complaints", complaint_id, {"responded_at": now, "response": note})
        return self.get_complaint(complaint_id, now)

    def resolve_complaint(self, complaint_id: int, note: str | None, now: dt.datetime) -> Row:
        row = self.get_complaint(complaint_id, now)
        if row["resolved_at"]:
            raise CrmError(
                f"complaint {complaint_id} was already resolved on {row['resolved_at'][:10]}"
            )
        values: Row = {"resolved_at": now, "resolution": note}
        if not row["responded_at"]:  # resolving it is a response too
            values["responded_at"] = now
        self.change_record("complaints", complaint_id, values)
        return self.get_complaint(complaint_id, now)

    def list_complaints(self, now: dt.datetime, include_resolved: bool = False, contact_id=None):
        where = ["c.archived = 0"] if contact_id is None else ["k.contact_id = :contact"]
        if not include_resolved:
            where.append("k.resolved_at IS NULL")
        return [
            _flags(row)
            for row in self.all(
                f"{COMPLAINT_SELECT} WHERE {' AND '.join(where)} ORDER BY k.opened, k.id",
                {**_clock(now), "contact": contact_id},
            )
        ]

    # ------------------------------------------------------------------ relationship insights

    def change_stage(self, contact_id: int, stage: str, when, reason: str | None, now) -> Row:
        """Move a contact to `stage` (any move allowed), dated in stage_changes."""
        current = self.get_contact(contact_id)
        to_stage = model.choice(stage, model.STAGES, "stage")
        if to_stage == current["stage"]:
            raise CrmError(f"{current['name']} is already in stage {to_stage}")
        with self.transaction():
            self.update_contact(contact_id, {"stage": to_stage}, now)
            self.record_stage(contact_id, current["stage"], to_stage, when, reason)
        return self.get_contact(contact_id)

    def stage_counts(self) -> list[Row]:
        return self.all(
            "SELECT coalesce(stage, 'none') AS stage, count(*) AS contacts FROM contacts "
            "WHERE archived = 0 GROUP BY stage"
        )

    def relationship_counts(self) -> list[Row]:
        return self.all(
            "SELECT coalesce(relationship, 'none') AS relationship, count(*) AS contacts "
            "FROM contacts WHERE archived = 0 GROUP BY relationship ORDER BY contacts DESC, relationship"
        )

    def stage_changes_since(self, since: str) -> list[Row]:
        return self.all(
            "SELECT g.contact_id, c.name AS contact, g.from_stage, g.to_stage, g.changed_at, g.reason "
            "FROM stage_changes g JOIN contacts c ON c.id = g.contact_id "
            "WHERE g.changed_at >= ? ORDER BY g.changed_at, g.id",
            (since,),
        )

    def all_stage_changes(self) -> list[Row]:
        return self.all(
            "SELECT g.contact_id, g.from_stage, g.to_stage, g.changed_at, c.created "
            "FROM stage_changes g JOIN contacts c ON c.id = g.contact_id ORDER BY g.changed_at, g.id"
        )

    def feedback(self) -> list[Row]:
        """Every score, with whether the contact has been touched since (any later interaction)."""
        return self.all(
            """SELECT i.id, l.contact_id, c.name AS contact, i.happened_at, i.score, i.scale,
                      i.summary AS comment,
                      EXISTS (SELECT 1 FROM interaction_contacts later
                              JOIN interactions t ON t.id = later.interaction_id
                              WHERE later.contact_id = l.contact_id AND t.kind = 'touch'
                                AND later.happened_at > l.happened_at) AS contacted_since
               FROM interactions i JOIN interaction_contacts l ON l.interaction_id = i.id
               JOIN contacts c ON c.id = l.contact_id
               WHERE i.kind = 'feedback' AND c.archived = 0
               ORDER BY i.happened_at, i.id"""
        )

    def value(self) -> list[Row]:
        """Revenue (interaction amounts), acquisition cost and sale dates per contact."""
        return self.all(
            """SELECT c.id AS contact_id, c.name AS contact,
                      coalesce(sum(i.amount), 0.0) AS revenue,
                      coalesce(c.acquisition_cost, 0.0) AS cost,
                      min(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS first_sale,
                      max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale,
                      count(i.amount) AS sales
               FROM contacts c
               LEFT JOIN interaction_contacts l ON l.contact_id = c.id
               LEFT JOIN interactions i ON i.id = l.interaction_id AND i.amount IS NOT NULL
               WHERE c.archived = 0
               GROUP BY c.id
               HAVING revenue > 0 OR cost > 0"""
        )

    def outbound_load(self, start: dt.date, end: dt.date, limit: int) -> list[Row]:
        """Contacts with more than `limit` outbound interactions from `start` to `end`."""
        return self.all(
            """SELECT c.id AS contact_id, c.name AS contact, count(*) AS outbound,
                      min(substr(l.happened_at, 1, 10)) AS first, max(substr(l.happened_at, 1, 10)) AS last,
                      c.channel
               FROM interaction_contacts l JOIN interactions i ON i.id = l.interaction_id
               JOIN contacts c ON c.id = l.contact_id
               WHERE i.direction = 'out' AND i.kind = 'touch' AND c.archived = 0
                 AND l.happened_at >= :start AND l.happened_at < date(:end, '+1 day')
               GROUP BY c.id HAVING count(*) > :limit ORDER BY outbound DESC, contact""",
            {"start": stamp(start), "end": stamp(end), "limit": limit},
        )

    def activity_by_month(self, start: dt.date) -> list[Row]:
        return self.all(
            "SELECT substr(happened_at, 1, 7) AS month, count(*) AS interactions, "
            "sum(direction = 'out') AS outbound, sum(direction = 'in') AS inbound, "
            "coalesce(sum(amount), 0) AS revenue "
            "FROM interactions WHERE happened_at >= ? GROUP BY month ORDER BY month",
            (stamp(start),),
        )

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[Row]:
        """Full-text search over people, interactions, follow-ups, complaints and dated notes,
        best matches first, with snippets."""
        return self.all(
            """SELECT * FROM (
                 SELECT 'contact' AS kind, c.id AS contact_id, c.name AS contact,
                        NULL AS interaction_id, NULL AS happened_at,
                        snippet(contacts_fts, -1, '[', ']', '…', 12) AS snippet, c.id AS record_id,
                        contacts_fts.rank AS rank
                 FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid
                 WHERE contacts_fts MATCH :query AND c.archived = 0
                 UNION ALL
                 SELECT 'interaction', c.id, c.name, i.id, i.happened_at,
                        snippet(interactions_fts, -1, '[', ']', '…', 12), i.id, interactions_fts.rank
                 FROM interactions_fts JOIN interactions i ON i.id = interactions_fts.rowid
                 JOIN interaction_contacts l ON l.interaction_id = i.id
                 JOIN contacts c ON c.id = l.contact_id
                 WHERE interactions_fts MATCH :query AND c.archived = 0
                 UNION ALL
                 SELECT 'followup', c.id, c.name, NULL, f.due,
                        snippet(followups_fts, -1, '[', ']', '…', 12), f.id, followups_fts.rank
                 FROM followups_fts JOIN followups f ON f.id = followups_fts.rowid
                 JOIN contacts c ON c.id = f.contact_id
                 WHERE followups_fts MATCH :query AND c.archived = 0
                 UNION ALL
                 SELECT 'complaint', c.id, c.name, NULL, k.opened,
                        snippet(complaints_fts, -1, '[', ']', '…', 12), k.id, complaints_fts.rank
                 FROM complaints_fts JOIN complaints k ON k.id = complaints_fts.rowid
                 JOIN contacts c ON c.id = k.contact_id
                 WHERE complaints_fts MATCH :query AND c.archived = 0
                 UNION ALL
                 SELECT 'note', c.id, c.name, NULL, n.written_at,
                        snippet(notes_fts, -1, '[', ']', '…', 12), n.id, notes_fts.rank
                 FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid
                 JOIN contacts c ON c.id = n.contact_id
                 WHERE notes_fts MATCH :query AND c.archived = 0
               ) ORDER BY rank, happened_at DESC LIMIT :limit""",
            {"query": fts_query(text), "limit": limit},
        )

    def contact_summary(self, contact_id: int) -> Row:
        """Value and satisfaction of one contact, for `crm contact show`."""
        row = self.one(
            """SELECT coalesce(sum(i.amount), 0.0) AS revenue,
                      max(CASE WHEN i.amount > 0 THEN substr(i.happened_at, 1, 10) END) AS last_sale,
                      avg(CASE WHEN i.kind = 'feedback' AND i.scale = 5 THEN i.score END) AS average_score,
                      (SELECT i2.score || '/' || i2.scale FROM interactions i2
                       JOIN interaction_contacts l2 ON l2.interaction_id = i2.id
                       WHERE l2.contact_id = :id AND i2.kind = 'feedback'
                       ORDER BY i2.happened_at DESC LIMIT 1) AS last_feedback
               FROM interaction_contacts l JOIN interactions i ON i.id = l.interaction_id
               WHERE l.contact_id = :id""",
            {"id": contact_id},
        )
        return row or {}

    # ------------------------------------------------------------------ reports

    def overdue(self, today: dt.date) -> list[Row]:
        """Open follow-ups due today or before, and contacts past their cadence."""
        return self.all(OVERDUE_SQL, {"today": stamp(today)})

    # ------------------------------------------------------------------ bulk writes
    # Used by imports and restores inside their own transaction, with records the model has
    # already checked: the batched statements are what makes 100k rows a matter of seconds.

    def contact_keys(self) -> tuple[dict[str, int], dict[str, int]]:
        """uid → id and email (lower case) → id of every contact."""
        uids: dict[str, int] = {}
        emails: dict[str, int] = {}
        for contact_id, uid, addresses in self.conn.execute("SELECT id, uid, emails FROM contacts"):
            uids[uid] = contact_id
            for email in json.loads(addresses):
                emails.setdefault(email.lower(), contact_id)
        return uids, emails

    def next_id(self, table: str) -> int:
        """The next free id. Only meaningful inside the write transaction that uses it."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    @contextmanager
    def search_index_after(self, table: str, first_id: int) -> Iterator[None]:
        """Index rows with id >= first_id for full-text search in one statement at the end,
        instead of one trigger call per row (2.5 times faster for 100k contacts)."""
        with self.without_triggers([f"{table}_ai"]) as found:
            yield
        if found:
            columns = ", ".join(FTS_COLUMNS[table])
            self.conn.execute(
                f"INSERT INTO {table}_fts (rowid, {columns}) "
                f"SELECT id, {columns} FROM {table} WHERE id >= ?",
                (first_id,),
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
        try:
            yield found
        finally:
            for sql in found:
                self.conn.execute(sql)

    def insert_contacts(self, rows: list[Row], dates: list[tuple]) -> None:
        """Contacts (checked records with their id), their special dates
        (contact_id, label, month, day, year, created), and a dated stage change for each
        contact that arrives with a stage (as `contact add --stage` records one)."""
        if not rows:
            return
        first, last = rows[0]["id"], rows[-1]["id"]
        undo = f"DELETE FROM contacts WHERE id BETWEEN {int(first)} AND {int(last)}"
        with self.unrecorded("contacts", undo, len(rows), ("special_dates", "stage_changes")):
            every = ["id", *model.FIELDS["contacts"]]
            columns, values = _without_empty_columns(
                every, list(map(_contact_values(every), rows)), STORED_CONTACT_DEFAULTS
            )
            self.conn.executemany(
                f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                values,
            )
            uids = new_uids(len(dates))
            self.conn.executemany(
                "INSERT INTO special_dates (uid, contact_id, label, month, day, year, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((uid, *date) for uid, date in zip(uids, dates, strict=True)),
            )
            staged = [row for row in rows if row.get("stage")]
            self.conn.executemany(
                "INSERT INTO stage_changes (uid, contact_id, from_stage, to_stage, changed_at, "
                "reason) VALUES (?, ?, NULL, ?, ?, 'imported')",
                (
                    (uid, row["id"], row["stage"], row["created"])
                    for uid, row in zip(new_uids(len(staged)), staged, strict=True)
                ),
            )

    def contact_names(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT id, name FROM contacts"))

    def names_and_phones(self) -> Iterator[tuple[int, Row]]:
        """Every contact's id with what tells two people of one name apart."""
        for contact_id, name, phones, urls, company in self.conn.execute(
            "SELECT id, name, phones, urls, company FROM contacts"
        ):
            yield contact_id, {"name": name, "phones": json.loads(phones),
                               "urls": json.loads(urls), "company": company}  # fmt: skip

    def contact_lookup(self) -> tuple[set[int], dict[str, int], dict[str, int]]:
        """What an import may name a contact by: its ids; uid (exact case, aliases too) → id;
        email (lower case) → id."""
        ids: set[int] = set()
        uids: dict[str, int] = {}
        emails: dict[str, int] = {}
        for contact_id, uid, addresses in self.conn.execute("SELECT id, uid, emails FROM contacts"):
            ids.add(contact_id)
            uids[uid] = contact_id
            for email in json.loads(addresses):
                emails.setdefault(email.lower(), contact_id)
        for uid, contact_id in self.aliases().items():
            uids.setdefault(uid, contact_id)
        return ids, uids, emails

    def name_lookup(self) -> dict[str, int]:
        """Folded exact names → id, or -1 for a name several contacts share."""
        names: dict[str, int] = {}
        for contact_id, name in self.conn.execute("SELECT id, name FROM contacts"):
            key = fold(name)
            names[key] = -1 if key in names else contact_id
        return names

    def replace_meetings(self, origins: list[str], meetings: list[Row], today: dt.date) -> None:
        """Meetings to come as the files just read say (re-reading a file or folder replaces
        what it said before); meetings of past days go. Unchanged rows are left alone, so a
        re-import that finds nothing new writes nothing."""
        stale, params = "coalesce(ends_at, starts_at) < ?", [today.isoformat()]
        for origin in origins:  # the file itself, or any file under the folder
            stale += " OR origin = ? OR substr(origin, 1, length(?) + 1) = ? || '/'"
            params += [origin, origin, origin]
        old = {
            row["event_key"]: row
            for row in self.all(f"SELECT * FROM meetings WHERE {stale}", params)
        }
        for meeting in meetings:
            stored = _stored("meetings", meeting)
            kept = old.pop(stored["event_key"], None)
            if kept is None:  # new, or moved here from another file
                self.conn.execute(
                    "DELETE FROM meetings WHERE event_key = ?", (stored["event_key"],)
                )
                self.insert("meetings", stored)
            elif any(kept[key] != value for key, value in stored.items()):
                self.update("meetings", kept["id"], stored)
        for row in old.values():
            self.conn.execute("DELETE FROM meetings WHERE id = ?", (row["id"],))

    def meetings_between(self, start: dt.date, end: dt.date) -> list[Row]:
        """Meetings under way in a window (a day: those starting in it, and those of several
        days running through it), one row per person, each with their last interaction (the
        context wanted before the call). Days compare as text with times: end excluded."""
        return self.all(MEETINGS_SQL, {"start": stamp(start), "end": stamp(end)})

    def source_ids(self, source: str) -> set[str]:
        """The Message-IDs (or event keys) already captured from a source, or removed since."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT source_id FROM interactions WHERE source = ? AND source_id IS NOT NULL "
                "UNION SELECT source_id FROM captured_removed WHERE source = ?",
                (source, source),
            )
        }

    def interaction_uids(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT uid FROM interactions")}

    def insert_interactions(self, rows: list[tuple], links: list[tuple]) -> None:
        """Interactions as tuples in INTERACTION_COLUMNS order, and (contact, time, id) links;
        indexed for search at the end, in one statement."""
        if not rows:
            return
        with self.search_index_after("interactions", rows[0][0]):
            self._insert_interactions(rows, links)

    def _insert_interactions(self, rows: list[tuple], links: list[tuple]) -> None:
        undo = f"DELETE FROM interactions WHERE id BETWEEN {int(rows[0][0])} AND {int(rows[-1][0])}"
        columns, values = _without_empty_columns(INTERACTION_COLUMNS, rows)
        links.sort()  # in primary-key order, the link B-tree is appended to, not split
        with self.unrecorded("interactions", undo, len(rows), ("interaction_contacts",)):
            self.conn.executemany(
                f"INSERT INTO interactions ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                values,
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO interaction_contacts (contact_id, happened_at, interaction_id) "
                "VALUES (?, ?, ?)",
                links,
            )

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

    def move_records(self, from_id: int, to_id: int) -> None:
        """Everything attached to one contact moves to another (a merge). Special dates with a
        label the other already has stay behind (and go with the removed contact)."""
        with self.transaction():
            for table in ("followups", "complaints", "stage_changes", "notes", "contact_aliases"):
                self.conn.execute(
                    f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (to_id, from_id)
                )
            self.conn.execute(
                "UPDATE special_dates SET contact_id = :to WHERE contact_id = :from AND "
                "lower(label) NOT IN (SELECT lower(label) FROM special_dates WHERE contact_id = :to)",
                {"to": to_id, "from": from_id},
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO interaction_contacts (contact_id, happened_at, interaction_id) "
                "SELECT ?, happened_at, interaction_id FROM interaction_contacts WHERE contact_id = ?",
                (to_id, from_id),
            )
            self.conn.execute("DELETE FROM interaction_contacts WHERE contact_id = ?", (from_id,))

    # ------------------------------------------------------------------ vdir sync state

    def sync_state(self, folder: str) -> dict[str, Row]:
        return {
            row["uid"]: row
            for row in self.all(
                "SELECT uid, file, state, coalesce(local, state) AS local FROM vcard_sync "
                "WHERE folder = ?",
                (folder,),
            )
        }

    def remember_sync(
        self, folder: str, uid: str, file: str, state: str, local: str, now: dt.datetime
    ) -> None:
        """Both sides of a card as they were when they last agreed: the card (`state`) and the
        contact as its card would read back (`local`)."""
        self.conn.execute(
            "INSERT INTO vcard_sync (folder, uid, file, state, local, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (folder, uid) DO UPDATE SET "
            "file = excluded.file, state = excluded.state, local = excluded.local, "
            "synced_at = excluded.synced_at",
            (folder, uid, file, state, local, stamp(now)),
        )

    def forget_sync(self, folder: str, uid: str) -> None:
        self.conn.execute("DELETE FROM vcard_sync WHERE folder = ? AND uid = ?", (folder, uid))

    def uid_in_use(self, uid: str) -> bool:
        return bool(self.conn.execute("SELECT 1 FROM contacts WHERE uid = ?", (uid,)).fetchone())

    def replace_dates(self, contact_id: int, dates: list[Row]) -> None:
        """A contact's special dates become exactly these (a card edited elsewhere)."""
        with self.transaction():
            self.conn.execute("DELETE FROM special_dates WHERE contact_id = ?", (contact_id,))
            for date in dates:
                self.add_special_date(contact_id, date)

    def add_alias(self, uid: str, contact_id: int) -> None:
        """Another uid this contact answers to (a contact merged into it)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO contact_aliases (uid, contact_id) VALUES (?, ?)",
            (uid, contact_id),
        )

    def aliases(self) -> dict[str, int]:
        return {
            r[0]: r[1] for r in self.conn.execute("SELECT uid, contact_id FROM contact_aliases")
        }

    def link(self, contact_id: int, interaction_id: int) -> None:
        """Add a contact to an interaction (nothing if it is there already)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO interaction_contacts (contact_id, happened_at, interaction_id) "
            "SELECT ?, happened_at, id FROM interactions WHERE id = ?",
            (contact_id, interaction_id),
        )

    def insert_checked(self, entity: str, record: Row, **links: Any) -> int:
        """Insert a record the model has checked, as it is (its uid and, if given, its id)."""
        return self.insert(entity, {**_stored(entity, record), **links})

    # ------------------------------------------------------------------ export

    def interaction_export(
        self, include_archived: bool, separator: str
    ) -> tuple[list[str], Iterator[list[tuple]]]:
        """The interactions export (the columns of EXPORT_SQL["interactions"]) in batches,
        without a subquery per row: contacts are held in a dict and the links read in
        interaction order from their covering index, beside the interactions in id order."""
        people = {
            row[0]: (str(row[0]), row[1], row[2], not row[3])
            for row in self.conn.execute("SELECT id, uid, name, archived FROM contacts")
        }
        links = self.conn.execute(
            "SELECT interaction_id, contact_id FROM interaction_contacts "
            "INDEXED BY interaction_contacts_by_interaction ORDER BY interaction_id, contact_id"
        )
        rows = self.conn.cursor().execute(f"SELECT {', '.join(EXPORT_INTERACTION_COLUMNS)} "
                                          "FROM interactions ORDER BY id")  # fmt: skip
        header = ["id", "uid", "happened_at", "contact_ids", "contact_uids", "contacts",
                  *EXPORT_INTERACTION_COLUMNS[3:]]  # fmt: skip

        def batches() -> Iterator[list[tuple]]:
            pending = next(links, None)
            while chunk := rows.fetchmany(5000):
                batch = []
                for row in chunk:
                    mine = []
                    while pending is not None and pending[0] < row[0]:
                        pending = next(links, None)
                    while pending is not None and pending[0] == row[0]:
                        mine.append(people[pending[1]])
                        pending = next(links, None)
                    if len(mine) == 1:  # the common case, without joining
                        person = mine[0]
                        if include_archived or person[3]:
                            batch.append((*row[:3], *person[:3], *row[3:]))
                    elif include_archived or any(p[3] for p in mine):  # else: left out, as in
                        batch.append((*row[:3], *_joined(mine, separator), *row[3:]))  # views
                yield batch

        return header, batches()

    def export_cursor(
        self,
        entity: str,
        include_archived: bool,
        separator: str,
        contact_id: int | None = None,
        record_id: int | None = None,
    ):
        """A cursor over an entity's export rows; list cells joined by `separator` (SQL text);
        only one contact's records, or one record, when asked."""
        where = "1" if include_archived else ARCHIVED_FILTER[entity]
        if contact_id is not None:
            where += f" AND {CONTACT_FILTER.get(entity, 'c.id = :contact')}"
        if record_id is not None:
            where += f" AND {EXPORT_ALIAS[entity]}.id = :record"
        return self.conn.execute(
            EXPORT_SQL[entity].format(where=where, sep=separator),
            {"contact": contact_id, "record": record_id},
        )


EXPORT_INTERACTION_COLUMNS = (
    "id", "uid", "happened_at", "kind", "channel", "direction", "summary", "outcome",
    "sentiment", "amount", "rating", "score", "scale", "created", "source", "source_id",
)  # fmt: skip


def _joined(people: list[tuple], separator: str) -> tuple[Any, Any, Any]:
    """Contact ids, uids and names joined as SQL's group_concat joins them (NULL for none)."""
    if not people:
        return None, None, None
    return tuple(separator.join(p[k] for p in people) for k in range(3))  # type: ignore[return-value]


def fts_query(text: str) -> str:
    """Any text as an FTS5 query that means "all these words": each word quoted, so no
    character the user types is ever FTS5 syntax."""
    words = [word for word in text.split() if word.strip()]
    if not words:
        raise CrmError("nothing to search for: give a word")
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


# The table's own DEFAULTs, as stored: a column holding these in every row of a batch is left out.
STORED_CONTACT_DEFAULTS = {
    "archived": 0,
    **{column: "[]" for column in (*model.LIST_COLUMNS, *model.JSON_COLUMNS)},
}

INTERACTION_COLUMNS = (
    "id", "uid", "happened_at", "channel", "direction", "summary", "outcome", "sentiment",
    "amount", "rating", "created", "kind", "score", "scale", "source", "source_id",
)  # fmt: skip

LAST_INTERACTION = (
    "(SELECT max(l.happened_at) FROM interaction_contacts l WHERE l.contact_id = c.id)"
)

CONTACT_SELECT = f"""
SELECT c.id, c.uid, c.name, c.emails, c.phones, c.company, c.title, c.tags, c.relationship,
       c.stage, c.channel, c.cadence_days, c.owner, c.source, c.acquisition_cost, c.notes,
       c.archived, c.created, c.updated, substr({LAST_INTERACTION}, 1, 10) AS last_interaction,
       c.given_name, c.family_name, c.nickname, c.prefix, c.suffix, c.department, c.addresses,
       c.urls, c.extra
FROM contacts c"""

MEETINGS_SQL = """
SELECT m.starts_at, m.ends_at, m.summary AS meeting, m.location, c.id AS contact_id,
       c.name AS contact, i.happened_at AS last_interaction, i.channel AS last_channel,
       i.summary AS last_summary
FROM meetings m
JOIN json_each(m.contact_ids) j
JOIN contacts c ON c.id = j.value AND c.archived = 0
LEFT JOIN interactions i ON i.id = (
    SELECT l.interaction_id FROM interaction_contacts l WHERE l.contact_id = c.id
    ORDER BY l.happened_at DESC, l.interaction_id DESC LIMIT 1)
WHERE m.starts_at < :end AND coalesce(m.ends_at, m.starts_at) > :start
ORDER BY m.starts_at, m.id, j.key"""

INTERACTION_SELECT = """
SELECT i.id, i.uid, i.happened_at, i.kind, i.channel, i.direction, i.summary, i.outcome,
       i.sentiment, i.amount, i.rating, i.score, i.scale, i.source,
       (SELECT group_concat(c.name, ', ') FROM interaction_contacts l
        JOIN contacts c ON c.id = l.contact_id WHERE l.interaction_id = i.id) AS contacts
FROM interactions i"""

# What every listing shows of how to reach a contact (model.first_ways, in SQL).
FIRST_WAYS = "json_extract(c.emails, '$[0]') AS email, json_extract(c.phones, '$[0]') AS phone"

SPECIAL_DATE_SELECT = f"""
SELECT s.id, s.uid, s.contact_id, c.name AS contact, s.label, s.month, s.day, s.year,
       CASE WHEN s.year IS NULL THEN printf('--%02d-%02d', s.month, s.day)
            ELSE printf('%04d-%02d-%02d', s.year, s.month, s.day) END AS date,
       c.channel, {FIRST_WAYS}
FROM special_dates s JOIN contacts c ON c.id = s.contact_id"""

FOLLOWUP_SELECT = f"""
SELECT f.id, f.uid, f.contact_id, c.name AS contact, f.due,
       CAST(julianday(:today) - julianday(substr(f.due, 1, 10)) AS INTEGER) AS days_overdue,
       f.note, f.snoozed, f.interaction_id, f.created, f.done_at, f.done_note,
       c.channel, {FIRST_WAYS}
FROM followups f JOIN contacts c ON c.id = f.contact_id"""

COMPLAINT_SELECT = f"""
SELECT k.id, k.uid, k.contact_id, c.name AS contact, k.summary, k.opened, k.due,
       CAST(julianday(:today) - julianday(date(k.opened)) AS INTEGER) AS age_days,
       coalesce(k.responded_at, :now) > k.due AS breached,
       k.responded_at IS NOT NULL AS responded,
       k.responded_at, k.response, k.resolved_at, k.resolution, k.interaction_id,
       c.channel, {FIRST_WAYS}
FROM complaints k JOIN contacts c ON c.id = k.contact_id"""

# Cadence: due on the day `cadence_days` after the last interaction (or, never contacted, the
# day the contact was added); listed once that day has passed, i.e. when the last touch is
# more than `cadence_days` before today. Follow-ups are listed from their due day (0 days).
OVERDUE_SQL = f"""
WITH touched AS (
    SELECT c.*, substr({LAST_INTERACTION}, 1, 10) AS last_interaction
    FROM contacts c
    WHERE c.id IN (SELECT id FROM contacts WHERE cadence_days IS NOT NULL AND archived = 0
                   UNION SELECT contact_id FROM followups
                         WHERE done_at IS NULL AND due < date(:today, '+1 day'))
      AND c.archived = 0
), rows AS (
    SELECT 'followup' AS kind, f.id AS followup_id, t.id AS contact_id, t.name AS contact,
           f.due, coalesce(f.note, 'follow-up') AS reason, t.last_interaction,
           t.channel, t.emails, t.phones
    FROM followups f JOIN touched t ON t.id = f.contact_id
    WHERE f.done_at IS NULL AND f.due < date(:today, '+1 day')
    UNION ALL
    SELECT 'cadence', NULL, t.id, t.name,
           date(coalesce(t.last_interaction, substr(t.created, 1, 10)),
                '+' || t.cadence_days || ' days') AS due,
           CASE t.cadence_days WHEN 1 THEN 'every day; '
                ELSE 'every ' || t.cadence_days || ' days; ' END ||
               CASE WHEN t.last_interaction IS NULL
                    THEN 'never contacted since added ' || substr(t.created, 1, 10)
                    ELSE 'last contact ' || (
                        SELECT n || CASE n WHEN 1 THEN ' day ago' ELSE ' days ago' END
                        FROM (SELECT CAST(julianday(:today) - julianday(t.last_interaction)
                                          AS INTEGER) AS n)) END,
           t.last_interaction, t.channel, t.emails, t.phones
    FROM touched t
    WHERE t.cadence_days IS NOT NULL
)
SELECT kind, followup_id, contact_id, contact, due,
       CAST(julianday(:today) - julianday(substr(due, 1, 10)) AS INTEGER) AS days_overdue,
       reason, last_interaction, channel,
       json_extract(emails, '$[0]') AS email, json_extract(phones, '$[0]') AS phone
FROM rows
WHERE (kind = 'followup') OR due < :today
ORDER BY days_overdue DESC, contact, kind
"""


# --------------------------------------------------------------------------- export queries
# One SELECT per entity; rows stream from the cursor so memory stays flat however many rows.

ARCHIVED_FILTER = {
    "contacts": "c.archived = 0",
    "interactions": "EXISTS (SELECT 1 FROM interaction_contacts x JOIN contacts xc "
    "ON xc.id = x.contact_id WHERE x.interaction_id = i.id AND xc.archived = 0)",
    "dates": "c.archived = 0",
    "followups": "c.archived = 0",
    "complaints": "c.archived = 0",
    "stage_changes": "c.archived = 0",
    "notes": "c.archived = 0",
}

CONTACT_FILTER = {
    "interactions": "EXISTS (SELECT 1 FROM interaction_contacts y "
    "WHERE y.interaction_id = i.id AND y.contact_id = :contact)",
}

EXPORT_SQL = {
    "contacts": """
        SELECT c.id, c.uid, c.name, c.emails, c.phones, c.company, c.title, c.tags,
               c.relationship, c.stage, c.channel, c.cadence_days, c.owner, c.source,
               c.acquisition_cost, c.notes,
               (SELECT CASE WHEN s.year IS NULL THEN printf('--%02d-%02d', s.month, s.day)
                       ELSE printf('%04d-%02d-%02d', s.year, s.month, s.day) END
                FROM special_dates s WHERE s.contact_id = c.id AND s.label = 'birthday'
                ORDER BY s.id LIMIT 1) AS birthday,
               c.archived, c.created, c.updated, c.given_name, c.family_name,
               (SELECT json_group_array(a.uid) FROM contact_aliases a WHERE a.contact_id = c.id)
                   AS aliases,
               c.nickname, c.prefix, c.suffix, c.department, c.addresses, c.urls, c.extra
        FROM contacts c WHERE {where} ORDER BY c.id""",
    "interactions": """
        SELECT i.id, i.uid, i.happened_at,
               (SELECT group_concat(l.contact_id, {sep}) FROM interaction_contacts l
                WHERE l.interaction_id = i.id) AS contact_ids,
               (SELECT group_concat(c.uid, {sep}) FROM interaction_contacts l
                JOIN contacts c ON c.id = l.contact_id WHERE l.interaction_id = i.id) AS contact_uids,
               (SELECT group_concat(c.name, {sep}) FROM interaction_contacts l
                JOIN contacts c ON c.id = l.contact_id WHERE l.interaction_id = i.id) AS contacts,
               i.kind, i.channel, i.direction, i.summary, i.outcome, i.sentiment, i.amount,
               i.rating, i.score, i.scale, i.created, i.source, i.source_id
        FROM interactions i
        WHERE {where} ORDER BY i.id""",
    "dates": """
        SELECT s.id, s.uid, s.contact_id, c.uid AS contact_uid, c.name AS contact, s.label,
               s.month, s.day, s.year,
               CASE WHEN s.year IS NULL THEN printf('--%02d-%02d', s.month, s.day)
                    ELSE printf('%04d-%02d-%02d', s.year, s.month, s.day) END AS date,
               s.created
        FROM special_dates s JOIN contacts c ON c.id = s.contact_id
        WHERE {where} ORDER BY s.id""",
    "followups": """
        SELECT f.id, f.uid, f.contact_id, c.uid AS contact_uid, c.name AS contact, f.due,
               f.note, (SELECT uid FROM interactions WHERE id = f.interaction_id)
                   AS interaction_uid,
               f.created, f.done_at, f.done_note, f.snoozed
        FROM followups f JOIN contacts c ON c.id = f.contact_id
        WHERE {where} ORDER BY f.id""",
    "complaints": """
        SELECT k.id, k.uid, k.contact_id, c.uid AS contact_uid, c.name AS contact, k.opened,
               k.summary, k.due, (SELECT uid FROM interactions WHERE id = k.interaction_id)
                   AS interaction_uid,
               k.responded_at, k.response, k.resolved_at, k.resolution
        FROM complaints k JOIN contacts c ON c.id = k.contact_id
        WHERE {where} ORDER BY k.id""",
    "stage_changes": """
        SELECT g.id, g.uid, g.contact_id, c.uid AS contact_uid, c.name AS contact,
               g.from_stage, g.to_stage, g.changed_at, g.reason
        FROM stage_changes g JOIN contacts c ON c.id = g.contact_id
        WHERE {where} ORDER BY g.id""",
    "notes": """
        SELECT n.id, n.uid, n.contact_id, c.uid AS contact_uid, c.name AS contact,
               n.written_at, n.text
        FROM notes n JOIN contacts c ON c.id = n.contact_id
        WHERE {where} ORDER BY n.id""",
}
# The alias each export query gives its own table, to pick one record.
EXPORT_ALIAS = {
    "contacts": "c", "interactions": "i", "dates": "s", "followups": "f", "complaints": "k",
    "stage_changes": "g", "notes": "n",
}  # fmt: skip
