"""The trash: removed records kept as backup documents (see crmcli.trash for the rules)."""

from __future__ import annotations

import datetime as dt

from ..errors import NotFound
from ..model import Row
from ..when import stamp
from .database import Room

ENTRY_COLUMNS = "id, kind, name, contact_uid, deleted_at"


class Trash(Room):
    def add(self, kind: str, uid: str, name: str, deleted_at: dt.datetime, payload: str) -> int:
        """A removed record kept as a backup document; `uid` is the record's own."""
        with self.db.transaction():
            return self.db.insert(
                "trash",
                {"kind": kind, "contact_uid": uid, "name": name,
                 "deleted_at": stamp(deleted_at), "payload": payload},
            )  # fmt: skip

    def entries(self) -> list[Row]:
        return self.db.all(f"SELECT {ENTRY_COLUMNS} FROM trash ORDER BY deleted_at DESC, id DESC")

    def named(self, folded: str) -> list[Row]:
        """Trashed contacts whose name has a word starting with `folded`, or whose uid it is."""
        return self.db.all(
            f"SELECT {ENTRY_COLUMNS} FROM trash WHERE kind = 'contact' "
            "AND (instr(' ' || crm_words(name), ' ' || ?) > 0 OR contact_uid = ?) "
            "ORDER BY deleted_at DESC, id DESC",
            (folded, folded),
        )

    def entry(self, trash_id: int) -> Row:
        entry = self.db.one("SELECT * FROM trash WHERE id = ?", (trash_id,))
        if entry is None:
            raise NotFound(f"no trash entry {trash_id}: see `crm trash list`")
        return entry

    def remove(self, older_than: dt.datetime | None = None, trash_id: int | None = None) -> int:
        """Remove trash entries for good: one, those deleted before a moment, or all."""
        with self.db.transaction():
            if trash_id is not None:
                cursor = self.conn.execute("DELETE FROM trash WHERE id = ?", (trash_id,))
            elif older_than is None:
                cursor = self.conn.execute("DELETE FROM trash")
            else:
                cursor = self.conn.execute(
                    "DELETE FROM trash WHERE deleted_at < ?", (stamp(older_than),)
                )
        return cursor.rowcount

    def delete_record(self, table: str, record_id: int) -> None:
        """Remove one record (its removal is in the trash already, and in the change log). A
        captured interaction removed is remembered, so the next mail or calendar import does
        not log it again; an imported one, so importing its file again does not bring it back."""
        with self.db.transaction():
            if table == "interactions":
                self.conn.execute(
                    "INSERT OR IGNORE INTO captured_removed (source, source_id) SELECT source, "
                    "source_id FROM interactions WHERE id = ? AND source_id IS NOT NULL "
                    "UNION ALL SELECT 'origin', origin FROM interactions "
                    "WHERE id = ? AND origin IS NOT NULL",
                    (record_id, record_id),
                )
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))

    def forget_removed_captures(self) -> None:
        """Captured (or imported) interactions back from the trash are no longer 'removed'."""
        self.conn.execute(
            "DELETE FROM captured_removed WHERE EXISTS (SELECT 1 FROM interactions i WHERE "
            "i.source = captured_removed.source AND i.source_id = captured_removed.source_id) "
            "OR (source = 'origin' AND EXISTS (SELECT 1 FROM interactions i "
            "WHERE i.origin = captured_removed.source_id))"
        )
