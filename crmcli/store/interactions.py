"""Interactions: one touch (or feedback score) shared by one or more contacts, linked through
`interaction_contacts`, whose copy of the time keeps "last interaction per contact" an index
lookup."""

from __future__ import annotations

import datetime as dt

from .. import model
from ..errors import CrmError, NotFound
from ..model import Row
from ..when import stamp
from .database import Room, new_uid, stored

INTERACTION_SELECT = """
SELECT i.id, i.uid, i.happened_at, i.kind, i.channel, i.direction, i.summary, i.outcome,
       i.sentiment, i.amount, i.rating, i.score, i.scale, i.source, i.awaits_reply,
       (SELECT group_concat(c.name, ', ') FROM interaction_contacts l
        JOIN contacts c ON c.id = l.contact_id WHERE l.interaction_id = i.id) AS contacts
FROM interactions i"""

# The columns of a bulk insert, in the order the importers build their tuples.
INTERACTION_COLUMNS = (
    "id", "uid", "happened_at", "channel", "direction", "summary", "outcome", "sentiment",
    "amount", "rating", "created", "kind", "score", "scale", "source", "source_id", "origin",
    "awaits_reply",
)  # fmt: skip


class Interactions(Room):
    def get(self, interaction_id: int) -> Row:
        row = self.db.one(f"{INTERACTION_SELECT} WHERE i.id = ?", (interaction_id,))
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

    def add(self, contact_ids: list[int], raw: Row, now: dt.datetime) -> int:
        """One interaction (checked through the model) shared by one or more contacts."""
        if not contact_ids:
            raise CrmError("an interaction needs at least one contact")
        record = model.check(
            "interactions",
            {"kind": "touch", "channel": "other", "direction": "out", "created": now, **raw},
        )
        record.setdefault("uid", new_uid())
        with self.db.transaction():
            interaction_id = self.db.insert("interactions", stored("interactions", record))
            self.conn.executemany(
                "INSERT INTO interaction_contacts (contact_id, happened_at, interaction_id) "
                "VALUES (?, ?, ?)",
                [(cid, record["happened_at"], interaction_id) for cid in contact_ids],
            )
        return interaction_id

    def update(self, interaction_id: int, raw: Row, contact_ids: list[int] | None = None) -> None:
        """Change an interaction's fields and, if given, who took part; links follow its time."""
        record = model.check("interactions", raw, partial=True)
        if contact_ids is not None and not contact_ids:
            raise CrmError("an interaction needs at least one contact")
        with self.db.transaction():
            self.db.update("interactions", interaction_id, stored("interactions", record))
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

    def link(self, contact_id: int, interaction_id: int) -> None:
        """Add a contact to an interaction (nothing if it is there already)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO interaction_contacts (contact_id, happened_at, interaction_id) "
            "SELECT ?, happened_at, id FROM interactions WHERE id = ?",
            (contact_id, interaction_id),
        )

    def of_contact(self, contact_id: int, limit: int | None = None) -> list[Row]:
        return self.db.all(
            f"{INTERACTION_SELECT} WHERE i.id IN (SELECT interaction_id FROM "
            "interaction_contacts WHERE contact_id = ?) ORDER BY i.happened_at DESC, i.id DESC"
            + (" LIMIT ?" if limit else ""),
            (contact_id, limit) if limit else (contact_id,),
        )

    def count(self, contact_id: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts WHERE contact_id = ?", (contact_id,)
        ).fetchone()[0]

    def outbound_count(self, contact_id: int, start: dt.date, end: dt.date) -> int:
        """Outbound interactions with a contact from `start` to `end`, both days included."""
        return self.conn.execute(
            "SELECT count(*) FROM interaction_contacts l JOIN interactions i "
            "ON i.id = l.interaction_id WHERE l.contact_id = ? AND l.happened_at >= ? "
            "AND l.happened_at < date(?, '+1 day') AND i.direction = 'out'",
            (contact_id, stamp(start), stamp(end)),
        ).fetchone()[0]

    def uids(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT uid FROM interactions")}

    def origins(self) -> set[str]:
        """The rows of files imported before (rules.origin_key), deleted ones too: a row
        imported once is not brought back by importing its file again."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT origin FROM interactions WHERE origin IS NOT NULL "
                "UNION SELECT source_id FROM captured_removed WHERE source = 'origin'"
            )
        }
