"""Finding, creating, identifying and migrating the database file.

Anything that is not a crm database (another program's SQLite file, a newer crm's) is refused
untouched; an older crm's is migrated, one numbered migration per transaction, after a copy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .. import dbfile, model, rules
from ..errors import CrmError, DatabaseRefused
from ..migrations import LATEST, MIGRATIONS
from ..model import fold, words
from ..undo_triggers import statements

if TYPE_CHECKING:
    from .facade import Store

BUSY_TIMEOUT_MS = 60_000


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.create_function("crm_fold", 1, fold, deterministic=True)
    conn.create_function("crm_words", 1, words, deterministic=True)
    conn.create_function("crm_joined", 1, model.joined_words, deterministic=True)
    conn.create_function("crm_email", 1, rules.email_key, deterministic=True)
    return conn


def identify(conn: sqlite3.Connection, path: Path) -> int:
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
    conn = connect(path)
    try:
        _fresh_schema().backup(conn)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


_FRESH: dict[int, sqlite3.Connection] = {}  # the schema built in this process, by migrations


def _fresh_schema() -> sqlite3.Connection:
    from .facade import Store

    if len(MIGRATIONS) not in _FRESH:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        migrate(Store(conn, Path(":memory:")), 0)
        _FRESH[len(MIGRATIONS)] = conn
    return _FRESH[len(MIGRATIONS)]


def migration_pending(path: Path) -> bool:
    """Whether opening `path` would migrate it (a dry run then works on a copy). Writes
    nothing; a file that is not a crm database answers False, for open_store to refuse."""
    try:
        if not dbfile.inspect(path):
            return False
        conn = connect(path)
        try:
            return identify(conn, path) < LATEST
        finally:
            conn.close()
    except CrmError:
        return False


def copy_database(path: Path, target: Path) -> None:
    """A consistent copy of the database at `path` into the new file `target`."""
    source, copy = connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def open_store(path: Path | None = None, create: bool = True) -> Store:
    """Open the crm database at `path` (migrating it if it is older); create it if missing and
    `create` is true. Anything that is not a crm database is refused untouched."""
    from .facade import Store

    path = path or dbfile.default_path()
    if not dbfile.inspect(path):
        if not create:
            raise dbfile.missing(path)
        dbfile.create(path, _build)
    conn = connect(path)
    try:
        version = identify(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        store = Store(conn, path)
        if version < LATEST:
            migrate(store, version)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return store


def migrate(store: Store, current: int) -> list[str]:
    """Run the pending migrations, each in its own transaction. Backs up a used database."""
    conn = store.conn
    copy = store.path.with_name(f"{store.path.name}.v{current}.bak")
    backed_up = current > 0 and _holds_data(conn)
    if backed_up:
        store.backup(copy)
    applied: list[str] = []
    for number, (title, step) in enumerate(MIGRATIONS, start=1):
        if number <= current:
            continue
        try:
            if _migrate_one(conn, number, step):
                applied.append(title)
        except Exception as error:
            if not (applied or backed_up):
                raise  # nothing was written: the error as it is says so
            raise _stopped(error, current, number, copy if backed_up else None) from None
    return applied


def _stopped(error: Exception, current: int, number: int, copy: Path | None) -> CrmError:
    """A migration stopped part-way, said as it is: what is done stays done (each step is
    whole), and running crm again finishes it."""
    reason = "the disk is full" if "full" in str(error) else str(error)
    done = (
        f"steps {current + 1} to {number - 1} are done and kept"
        if number - 1 > current
        else "no step is done"
    )
    kept = f"; the copy from before is {copy}" if copy else ""
    return CrmError(
        f"the schema upgrade (version {current} to {LATEST}) stopped at step {number}: "
        f"{reason}. {done.capitalize()}, each whole{kept}. Mend that (free some space) and run "
        "crm again to finish"
    )


def _migrate_one(conn: sqlite3.Connection, number: int, step) -> bool:
    """One migration in its own transaction; False if another process had already run it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
            conn.execute("ROLLBACK")
            return False
        if callable(step):
            step(conn)
        else:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {dbfile.APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def _holds_data(conn: sqlite3.Connection) -> bool:
    """False for a database still being created (by another process, say): no backup."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM contacts)").fetchone()[0])
