"""The lifecycle: a contact's stage, and every dated move between stages."""

from __future__ import annotations

from ..errors import NotFound
from ..model import Row
from .database import Room


class Stages(Room):
    def record(self, contact_id: int, from_stage, to_stage, when, reason) -> int:
        """A dated move (the contact's own stage is set by whoever calls this)."""
        return self.db.add_record(
            "stage_changes",
            {"from_stage": from_stage, "to_stage": to_stage, "changed_at": when,
             "reason": reason},
            contact_id=contact_id,
        )  # fmt: skip

    def get(self, change_id: int) -> Row:
        row = self.db.one(
            "SELECT g.*, c.name AS contact FROM stage_changes g JOIN contacts c "
            "ON c.id = g.contact_id WHERE g.id = ?",
            (change_id,),
        )
        if row is None:
            raise NotFound(f"no stage change with id {change_id}: see `crm contact show REF`")
        return row

    def history(self, contact_id: int) -> list[Row]:
        return self.db.all(
            "SELECT id, changed_at, from_stage, to_stage, reason FROM stage_changes "
            "WHERE contact_id = ? ORDER BY changed_at, id",
            (contact_id,),
        )

    def counts(self) -> list[Row]:
        return self.db.all(
            "SELECT coalesce(stage, 'none') AS stage, count(*) AS contacts FROM contacts "
            "WHERE archived = 0 GROUP BY stage"
        )

    def relationship_counts(self) -> list[Row]:
        return self.db.all(
            "SELECT coalesce(relationship, 'none') AS relationship, count(*) AS contacts "
            "FROM contacts WHERE archived = 0 GROUP BY relationship ORDER BY contacts DESC, relationship"
        )

    def since(self, since: str) -> list[Row]:
        return self.db.all(
            "SELECT g.contact_id, c.name AS contact, g.from_stage, g.to_stage, g.changed_at, g.reason "
            "FROM stage_changes g JOIN contacts c ON c.id = g.contact_id "
            "WHERE g.changed_at >= ? ORDER BY g.changed_at, g.id",
            (since,),
        )

    def every(self) -> list[Row]:
        return self.db.all(
            "SELECT g.contact_id, g.from_stage, g.to_stage, g.changed_at, c.created "
            "FROM stage_changes g JOIN contacts c ON c.id = g.contact_id ORDER BY g.changed_at, g.id"
        )
