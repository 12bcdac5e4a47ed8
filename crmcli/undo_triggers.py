"""The triggers behind `crm undo`: for each undoable table, the statements that take each
insert, update and delete back, logged in change_log while a crm command records. Migrations
(re)install them whenever a table changes shape."""

import sqlite3

# The tables whose every change can be undone (`crm undo`), with the columns that find a row.
UNDO_TABLES = {
    "contacts": ("id",), "interactions": ("id",),
    "interaction_contacts": ("contact_id", "happened_at", "interaction_id"),
    "special_dates": ("id",), "followups": ("id",), "complaints": ("id",),
    "stage_changes": ("id",), "notes": ("id",), "contact_aliases": ("uid",),
    "config": ("key",), "trash": ("id",),
}  # fmt: skip


def statements(script: str) -> list[str]:
    """Split a script into statements (sqlite3.complete_statement knows about quotes)."""
    found, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found


def install_undo_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create, for each undoable table, triggers that log the statement taking each insert,
    update and delete back — only while a crm command records (change_state.current set), so
    other programs writing to the file are left alone. Run again after a table changes shape."""
    recording = "(SELECT current FROM change_state WHERE id = 1)"
    for table, key in UNDO_TABLES.items():
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        if not columns:  # a table a later migration creates
            continue
        where = " || ' AND ' || ".join(f"'{k} = ' || quote({{row}}.{k})" for k in key)
        # The row must still be as this change left it: a statement that finds it changed
        # (by sqlite3, Datasette…) matches nothing, and the undo refuses instead of losing that.
        unchanged = " || ' AND ' || ".join(f"'{c} IS ' || quote(NEW.{c})" for c in columns)
        assign = " || ', ' || ".join(f"'{c} = ' || quote(OLD.{c})" for c in columns)
        values = " || ', ' || ".join(f"quote(OLD.{c})" for c in columns)
        inverse = {
            "insert": f"'DELETE FROM {table} WHERE ' || {unchanged}",
            "update": f"'UPDATE {table} SET ' || {assign} || ' WHERE ' || {where.format(row='NEW')}"
            f" || ' AND ' || {unchanged}",
            "delete": f"'INSERT INTO {table} ({', '.join(columns)}) VALUES (' || {values} || ')'",
        }
        for op, sql in inverse.items():
            name = f"{table}_undo_{op}"
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute(
                f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} WHEN {recording} IS NOT NULL "
                f"BEGIN INSERT INTO change_log (change_id, tbl, op, undo_sql) "
                f"VALUES ({recording}, '{table}', '{op}', {sql}); END"
            )
