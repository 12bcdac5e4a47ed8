"""Export cursors: one SELECT per entity, rows streamed from the cursor so memory stays flat
however many rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .database import Room


class Export(Room):
    def interactions(
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

    def cursor(
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
    "sentiment", "amount", "rating", "score", "scale", "created", "source", "source_id", "origin",
    "awaits_reply",
)  # fmt: skip


def _joined(people: list[tuple], separator: str) -> tuple[Any, Any, Any]:
    """Contact ids, uids and names joined as SQL's group_concat joins them (NULL for none)."""
    if not people:
        return None, None, None
    return tuple(separator.join(p[k] for p in people) for k in range(3))  # type: ignore[return-value]


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
               c.nickname, c.prefix, c.suffix, c.department, c.addresses, c.urls, c.extra,
               c.do_not_contact, c.card_forms, c.reply_within, c.at_most, c.tz
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
               i.rating, i.score, i.scale, i.created, i.source, i.source_id, i.origin,
               i.awaits_reply
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
