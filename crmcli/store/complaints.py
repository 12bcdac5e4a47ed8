"""Complaints: opened with a response deadline (the SLA), answered, resolved."""

from __future__ import annotations

import datetime as dt

from ..errors import CrmError, NotFound
from ..model import Row
from ..when import stamp
from .contacts import FIRST_WAYS
from .database import Room

COMPLAINT_SELECT = f"""
SELECT k.id, k.uid, k.contact_id, c.name AS contact, k.summary, k.opened, k.due,
       CAST(julianday(:today) - julianday(date(k.opened)) AS INTEGER) AS age_days,
       coalesce(k.responded_at, :now) > k.due AS breached,
       k.responded_at IS NOT NULL AS responded,
       k.responded_at, k.response, k.resolved_at, k.resolution, k.interaction_id,
       c.channel, {FIRST_WAYS}
FROM complaints k JOIN contacts c ON c.id = k.contact_id"""


def _clock(now: dt.datetime) -> dict[str, str]:
    return {"now": stamp(now), "today": stamp(now.date())}


def _flags(row: Row) -> Row:
    for key in ("breached", "responded"):
        if key in row:
            row[key] = bool(row[key])
    return row


class Complaints(Room):
    def add(
        self,
        contact_id: int,
        summary: str,
        opened: dt.datetime,
        due: dt.datetime,
        interaction_id=None,
    ) -> int:
        return self.db.add_record(
            "complaints",
            {"opened": opened, "summary": summary, "due": due},
            contact_id=contact_id,
            interaction_id=interaction_id,
        )

    def get(self, complaint_id: int, now: dt.datetime) -> Row:
        row = self.db.one(
            f"{COMPLAINT_SELECT} WHERE k.id = :id", {"id": complaint_id, **_clock(now)}
        )
        if row is None:
            raise NotFound(f"no complaint with id {complaint_id}: see `crm complaint list --all`")
        return _flags(row)

    def respond(self, complaint_id: int, note: str | None, now: dt.datetime) -> Row:
        row = self.get(complaint_id, now)
        if row["responded_at"]:
            raise CrmError(
                f"complaint {complaint_id} already had its first response on {row['responded_at'][:10]}"
            )
        self.db.change_record("complaints", complaint_id, {"responded_at": now, "response": note})
        return self.get(complaint_id, now)

    def resolve(self, complaint_id: int, note: str | None, now: dt.datetime) -> Row:
        row = self.get(complaint_id, now)
        if row["resolved_at"]:
            raise CrmError(
                f"complaint {complaint_id} was already resolved on {row['resolved_at'][:10]}"
            )
        values: Row = {"resolved_at": now, "resolution": note}
        if not row["responded_at"]:  # resolving it is a response too
            values["responded_at"] = now
        self.db.change_record("complaints", complaint_id, values)
        return self.get(complaint_id, now)

    def listing(
        self, now: dt.datetime, include_resolved: bool = False, contact_id=None
    ) -> list[Row]:
        where = ["c.archived = 0"] if contact_id is None else ["k.contact_id = :contact"]
        if not include_resolved:
            where.append("k.resolved_at IS NULL")
        return [
            _flags(row)
            for row in self.db.all(
                f"{COMPLAINT_SELECT} WHERE {' AND '.join(where)} ORDER BY k.opened, k.id",
                {**_clock(now), "contact": contact_id},
            )
        ]
