"""Special dates: birthdays, anniversaries and any yearly date of a contact (the year may be
unknown)."""

from __future__ import annotations

import datetime as dt
import json

from ..errors import NotFound
from ..model import Row
from ..rules import plan_dates
from .contacts import FIRST_WAYS, REACHABLE
from .database import Room

SPECIAL_DATE_SELECT = f"""
SELECT s.id, s.uid, s.contact_id, c.name AS contact, s.label, s.month, s.day, s.year,
       CASE WHEN s.year IS NULL THEN printf('--%02d-%02d', s.month, s.day)
            ELSE printf('%04d-%02d-%02d', s.year, s.month, s.day) END AS date,
       c.channel, {FIRST_WAYS}
FROM special_dates s JOIN contacts c ON c.id = s.contact_id"""


class Dates(Room):
    def add(self, contact_id: int, raw: Row) -> int:
        return self.db.add_record("special_dates", raw, contact_id=contact_id)

    def get(self, date_id: int) -> Row:
        row = self.db.one(f"{SPECIAL_DATE_SELECT} WHERE s.id = ?", (date_id,))
        if row is None:
            raise NotFound(f"no special date with id {date_id}: see `crm date list`")
        return row

    def change(self, date_id: int, raw: Row) -> None:
        self.db.change_record("special_dates", date_id, raw)

    def set_birthday(self, contact_id: int, raw: Row, now: dt.datetime) -> None:
        """Change the contact's first birthday, or add one."""
        existing = self.db.one(
            "SELECT id FROM special_dates WHERE contact_id = ? AND label = 'birthday' ORDER BY id",
            (contact_id,),
        )
        with self.db.transaction():
            if existing:
                self.change(existing["id"], raw)
            else:
                self.add(contact_id, {"label": "birthday", "created": now, **raw})

    def remove_birthday(self, contact_id: int) -> None:
        with self.db.transaction():
            self.conn.execute(
                "DELETE FROM special_dates WHERE contact_id = ? AND label = 'birthday'",
                (contact_id,),
            )

    def replace(self, contact_id: int, dates: list[Row]) -> None:
        """A contact's special dates become exactly these (a card edited elsewhere), one per
        label; a label kept keeps its date's uid, so a calendar subscriber sees it move."""
        plan = plan_dates(self.listing(contact_id), dates, replace=True)
        with self.db.transaction():
            for date_id in plan.remove:
                self.conn.execute("DELETE FROM special_dates WHERE id = ?", (date_id,))
            for date_id, date in plan.change:
                self.change(date_id, {k: date[k] for k in ("label", "month", "day", "year")})
            for date in plan.add:
                self.add(contact_id, date)

    def by_contact(self) -> dict[int, list[Row]]:
        """Every contact's special dates, in one query (a sync renders thousands of cards)."""
        found: dict[int, list[Row]] = {}
        for row in self.db.all(
            "SELECT id, uid, contact_id, label, month, day, year FROM special_dates ORDER BY id"
        ):
            found.setdefault(row["contact_id"], []).append(row)
        return found

    def listing(self, contact_id: int | None = None) -> list[Row]:
        # all of one contact's; else those a calendar feed reminds you of (REACHABLE)
        where = "WHERE s.contact_id = ?" if contact_id else f"WHERE {REACHABLE}"
        return self.db.all(
            f"{SPECIAL_DATE_SELECT} {where} ORDER BY s.month, s.day, c.name",
            (contact_id,) if contact_id else (),
        )

    def on(self, keys: list[int]) -> list[Row]:
        """Special dates of contacts crm may prompt you to reach (REACHABLE) whose
        month * 100 + day is one of `keys`."""
        return self.db.all(
            f"{SPECIAL_DATE_SELECT} WHERE s.month * 100 + s.day IN "
            f"(SELECT value FROM json_each(?)) AND {REACHABLE}",
            (json.dumps(sorted(set(keys))),),
        )
