"""Contacts: finding them (by id, email, name or words of it), adding, changing, listing,
deleting, merging, and the lookups imports match against."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .. import model, rules
from ..errors import NotFound
from ..model import Row, fold
from .database import Room, new_uid, stored

LAST_INTERACTION = (
    "(SELECT max(l.happened_at) FROM interaction_contacts l WHERE l.contact_id = c.id)"
)

CONTACT_SELECT = f"""
SELECT c.id, c.uid, c.name, c.emails, c.phones, c.company, c.title, c.tags, c.relationship,
       c.stage, c.channel, c.cadence_days, c.owner, c.source, c.acquisition_cost, c.notes,
       c.archived, c.created, c.updated, substr({LAST_INTERACTION}, 1, 10) AS last_interaction,
       c.given_name, c.family_name, c.nickname, c.prefix, c.suffix, c.department, c.addresses,
       c.urls, c.extra, c.do_not_contact, c.card_forms, c.reply_within,
       c.at_most, c.tz
FROM contacts c"""

# Contacts crm may prompt you to reach: active, and not asking to be left alone.
REACHABLE = "c.archived = 0 AND c.do_not_contact = 0"

# What every listing shows of how to reach a contact (model.first_ways, in SQL).
FIRST_WAYS = "json_extract(c.emails, '$[0]') AS email, json_extract(c.phones, '$[0]') AS phone"

# Tables whose rows belong to one contact, moved whole by a merge (special dates apart).
OWNED_TABLES = ("followups", "complaints", "stage_changes", "notes", "contact_aliases")


class Contacts(Room):
    # ------------------------------------------------------------------ finding

    def with_email(self, email: str) -> list[Row]:
        """Contacts holding an email (compared as rules.email_key), active ones first."""
        return self.db.all(
            f"{CONTACT_SELECT} WHERE EXISTS (SELECT 1 FROM json_each(c.emails) "
            "WHERE crm_email(json_each.value) = ?) ORDER BY c.archived, c.id",
            (rules.email_key(email),),
        )

    def named(self, folded: str) -> list[Row]:
        """Contacts whose whole name folds to `folded`, active ones first."""
        return self.db.all(
            f"{CONTACT_SELECT} WHERE crm_fold(c.name) = ? ORDER BY c.archived, c.id", (folded,)
        )

    def with_words(self, folded: list[str]) -> list[Row]:
        """Contacts with, for each folded word given, a word of their name starting with it
        (in any order); a word also matches with its apostrophes and hyphens left out."""
        each = "(instr(' ' || crm_words(c.name), ' ' || ?) > 0 OR instr(' ' || crm_joined(c.name), ' ' || ?) > 0)"
        return self.db.all(
            f"{CONTACT_SELECT} WHERE {' AND '.join([each] * len(folded))} "
            "ORDER BY c.archived, c.name, c.id",
            tuple(word for word in folded for _ in (0, 1)),
        )

    def get(self, contact_id: int) -> Row:
        row = self.db.one(f"{CONTACT_SELECT} WHERE c.id = ?", (contact_id,))
        if row is None:
            raise NotFound(f"no contact with id {contact_id}: see `crm contact list`")
        return row

    def record(self, contact_id: int) -> Row:
        """The contact's own fields only (no last interaction): what an import compares."""
        row = self.db.one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        if row is None:
            raise NotFound(f"no contact with id {contact_id}: see `crm contact list`")
        return row

    def listing(
        self,
        tag: str | None = None,
        stage: str | None = None,
        search: str | None = None,
        archived: bool = False,
        relationship: str | None = None,
    ) -> list[Row]:
        where: list[str] = ["c.archived = ?"]
        params: list[Any] = [int(archived)]
        if tag:
            where.append(
                "EXISTS (SELECT 1 FROM json_each(c.tags) WHERE crm_fold(json_each.value) = ?)"
            )
            params.append(fold(tag))
        if stage:
            where.append("c.stage = ?")
            params.append(model.choice(stage, model.STAGES, "stage"))
        if relationship:
            where.append("c.relationship = ?")
            params.append(model.choice(relationship, model.RELATIONSHIPS, "relationship"))
        if search:
            where.append(
                "instr(crm_fold(c.name || ' ' || coalesce(c.company, '') || ' ' || c.emails || ' '"
                " || c.tags || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.notes, '')), ?) > 0"
            )
            params.append(fold(search))
        return self.db.all(
            f"{CONTACT_SELECT} WHERE {' AND '.join(where)} ORDER BY c.name, c.id", params
        )

    def any(self) -> bool:
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM contacts)").fetchone()[0])

    def uid_in_use(self, uid: str) -> bool:
        return bool(self.conn.execute("SELECT 1 FROM contacts WHERE uid = ?", (uid,)).fetchone())

    # ------------------------------------------------------------------ writing

    def add(self, raw: Row, now: dt.datetime, dates: list[Row] | None = None) -> int:
        """A new contact (checked through the model) with its special dates, in one go."""
        record = model.check("contacts", {"created": now, "updated": now, **raw})
        record.setdefault("uid", new_uid())
        with self.db.transaction():
            contact_id = self.db.insert("contacts", stored("contacts", record))
            if record.get("stage"):
                self.db.stages.record(contact_id, None, record["stage"], now, "added")
            for date in dates or []:
                self.db.dates.add(contact_id, {"created": now, **date})
        return contact_id

    def update(self, contact_id: int, raw: Row, now: dt.datetime) -> None:
        """Write changed fields (already merged by the caller) and stamp `updated`."""
        record = model.check("contacts", {**raw, "updated": now}, partial=True)
        with self.db.transaction():
            self.db.update("contacts", contact_id, stored("contacts", record))

    def set_archived(self, contact_id: int, archived: bool, now: dt.datetime) -> None:
        self.update(contact_id, {"archived": archived}, now)

    def delete(self, contact_id: int) -> None:
        """Remove a contact and what hangs on it; interactions nobody else took part in go too."""
        with self.db.transaction():
            self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            self.conn.execute(
                "DELETE FROM interactions WHERE id NOT IN "
                "(SELECT interaction_id FROM interaction_contacts)"
            )

    def move_records(self, from_id: int, to_id: int, dates_moved: list[int]) -> None:
        """Everything attached to one contact moves to another (a merge): its records, its
        interactions, and the special dates `dates_moved` (the rule of one date per label
        decided which: the others go with the removed contact)."""
        with self.db.transaction():
            for table in OWNED_TABLES:
                self.conn.execute(
                    f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (to_id, from_id)
                )
            self.conn.executemany(
                "UPDATE special_dates SET contact_id = ? WHERE id = ? AND contact_id = ?",
                [(to_id, date_id, from_id) for date_id in dates_moved],
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO interaction_contacts (contact_id, happened_at, interaction_id) "
                "SELECT ?, happened_at, interaction_id FROM interaction_contacts WHERE contact_id = ?",
                (to_id, from_id),
            )
            self.conn.execute("DELETE FROM interaction_contacts WHERE contact_id = ?", (from_id,))

    def add_alias(self, uid: str, contact_id: int) -> None:
        """Another uid this contact answers to (a contact merged into it)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO contact_aliases (uid, contact_id) VALUES (?, ?)",
            (uid, contact_id),
        )

    def aliases(self) -> dict[str, int]:
        return {
            r[0]: r[1] for r in self.conn.execute("SELECT uid, contact_id FROM contact_aliases")
        }

    # ------------------------------------------------------------------ what imports match

    def keys(self) -> tuple[dict[str, int], dict[str, int]]:
        """uid → id and email (lower case) → id of every contact."""
        uids: dict[str, int] = {}
        emails: dict[str, int] = {}
        for contact_id, uid, addresses in self.conn.execute("SELECT id, uid, emails FROM contacts"):
            uids[uid] = contact_id
            for email in json.loads(addresses):
                emails.setdefault(rules.email_key(email), contact_id)
        return uids, emails

    def lookup(self) -> tuple[set[int], dict[str, int], dict[str, int]]:
        """What an import may name a contact by: its ids; uid (exact case, aliases too) → id;
        email (compared as rules.email_key) → id."""
        uids, emails = self.keys()
        ids = set(uids.values())
        for uid, contact_id in self.aliases().items():
            uids.setdefault(uid, contact_id)
        return ids, uids, emails

    def time_zones(self, ids: set[int]) -> dict[int, str]:
        """The time zones of these contacts, for those that have one."""
        return dict(
            self.conn.execute(
                "SELECT id, tz FROM contacts WHERE tz IS NOT NULL AND id IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps(sorted(ids)),),
            )
        )

    def names(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT id, name FROM contacts"))

    def name_lookup(self) -> dict[str, int]:
        """Folded exact names → id, or -1 for a name several contacts share."""
        names: dict[str, int] = {}
        for contact_id, name in self.conn.execute("SELECT id, name FROM contacts"):
            key = fold(name)
            names[key] = -1 if key in names else contact_id
        return names

    def names_and_phones(self) -> list[tuple[int, Row]]:
        """Every contact's id with what tells two people of one name apart."""
        return [
            (contact_id, {"name": name, "phones": json.loads(phones), "urls": json.loads(urls),
                          "company": company})
            for contact_id, name, phones, urls, company in self.conn.execute(
                "SELECT id, name, phones, urls, company FROM contacts"
            )
        ]  # fmt: skip
