"""Dated notes on a contact's timeline."""

from __future__ import annotations

from ..errors import NotFound
from ..model import Row
from .database import Room


class Notes(Room):
    def add(self, contact_id: int, raw: Row) -> int:
        return self.db.add_record("notes", raw, contact_id=contact_id)

    def get(self, note_id: int) -> Row:
        row = self.db.one(
            "SELECT n.*, c.name AS contact FROM notes n JOIN contacts c ON c.id = n.contact_id "
            "WHERE n.id = ?",
            (note_id,),
        )
        if row is None:
            raise NotFound(f"no note with id {note_id}: see `crm note list REF`")
        return row

    def listing(self, contact_id: int | None = None) -> list[Row]:
        where = "n.contact_id = ?" if contact_id else "c.archived = 0"
        return self.db.all(
            "SELECT n.id, n.uid, n.contact_id, c.name AS contact, n.written_at, n.text "
            f"FROM notes n JOIN contacts c ON c.id = n.contact_id WHERE {where} "
            "ORDER BY n.written_at DESC, n.id DESC",
            (contact_id,) if contact_id else (),
        )
