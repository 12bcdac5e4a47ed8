"""Follow-ups: a dated next step with a contact, done (or snoozed) once."""

from __future__ import annotations

import datetime as dt

from ..errors import CrmError, NotFound
from ..model import Row
from ..when import stamp
from .contacts import FIRST_WAYS
from .database import Room

FOLLOWUP_SELECT = f"""
SELECT f.id, f.uid, f.contact_id, c.name AS contact, f.due,
       CAST(julianday(:today) - julianday(substr(f.due, 1, 10)) AS INTEGER) AS days_overdue,
       f.note, f.snoozed, f.interaction_id, f.created, f.done_at, f.done_note,
       c.channel, {FIRST_WAYS}
FROM followups f JOIN contacts c ON c.id = f.contact_id"""


class Followups(Room):
    def add(
        self,
        contact_id: int,
        due: dt.date | dt.datetime,
        note: str | None,
        now,
        interaction_id=None,
    ) -> int:
        return self.db.add_record(
            "followups",
            {"due": due, "note": note, "created": now},
            contact_id=contact_id,
            interaction_id=interaction_id,
        )

    def get(self, followup_id: int) -> Row:
        row = self.db.one(f"{FOLLOWUP_SELECT} WHERE f.id = :id", {"id": followup_id, "today": None})
        if row is None:
            raise NotFound(f"no follow-up with id {followup_id}: see `crm followup list --all`")
        return row

    def _open(self, followup_id: int) -> Row:
        row = self.get(followup_id)
        if row["done_at"]:
            raise CrmError(f"follow-up {followup_id} was already done on {row['done_at'][:10]}")
        return row

    def complete(self, followup_id: int, note: str | None, now) -> Row:
        self._open(followup_id)
        self.db.change_record("followups", followup_id, {"done_at": now, "done_note": note})
        return self.get(followup_id)

    def snooze(self, followup_id: int, due: dt.date | dt.datetime) -> Row:
        row = self._open(followup_id)
        if type(due) is dt.date and "T" in row["due"]:  # a day given: the time of day stays
            due = dt.datetime.combine(due, dt.time.fromisoformat(row["due"][11:]))
        if stamp(due) <= row["due"]:
            raise CrmError(
                f"snoozing moves a follow-up later: it is due {row['due'].replace('T', ' ')[:16]}; "
                f"to change it freely use `crm followup edit {followup_id} --due WHEN`"
            )
        self.db.change_record("followups", followup_id, {"due": due, "snoozed": row["snoozed"] + 1})
        return self.get(followup_id)

    def listing(self, today: dt.date, include_done: bool = False, contact_id=None) -> list[Row]:
        where = ["c.archived = 0"] if contact_id is None else ["f.contact_id = :contact"]
        if not include_done:
            where.append("f.done_at IS NULL")
        return self.db.all(
            f"{FOLLOWUP_SELECT} WHERE {' AND '.join(where)} "
            "ORDER BY f.done_at IS NOT NULL, f.due, f.id",
            {"today": stamp(today), "contact": contact_id},
        )
