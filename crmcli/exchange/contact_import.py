"""Importing contacts: each record of a file checked into a draft (its fields and its dates,
one per label), matched against the database and the file's earlier records (by uid, email,
or a name nothing else tells apart), then added in batches or laid over the contact it
matches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import model, rules, settings, when
from ..errors import CrmError
from ..model import fold
from ..rules import email_key
from ..store import Store, new_uids
from ..when import stamp
from .importer import Summary
from .readers import Record

Row = dict[str, Any]
ON_DUPLICATE = ("skip", "update", "error")
CONTACT_BATCH = 10_000  # contacts are larger records: fewer held at once (flat under 100 MB)


@dataclass
class ContactDraft:
    record: Row  # checked contact fields
    dates: list[tuple[str, int, int, int | None]]  # label, month, day, year
    # The flags (archived, do_not_contact) the file states: only those does an update change
    # (a vCard or a Google export never states them, and must not bring an archived contact
    # back, or clear a do-not-contact mark).
    says_flags: frozenset[str] = frozenset()
    keep_name: bool = False  # matched by someone else's email: an update keeps their name
    notes: list[str] = field(default_factory=list)  # dates left out (one per label)


CONTACT_FIELD_ORDER = {key: index for index, key in enumerate(model.FIELDS["contacts"])}


def contact_draft(raw: Row, now: str, date_order: when.DateOrder | None = None) -> ContactDraft:
    """One record's raw fields, checked by the model, with its special dates; a record that
    does not say when it was created was created `now`."""
    fields: Row = {"name": _name(raw)}
    # the record's own fields, in the model's order (so the first bad one is named first)
    for key in sorted(
        (k for k in raw if k in CONTACT_FIELD_ORDER), key=CONTACT_FIELD_ORDER.__getitem__
    ):
        if key != "name" and raw[key] not in (None, ""):
            fields[key] = raw[key]
    if raw.get("first_name") and "given_name" not in fields:
        fields["given_name"] = raw["first_name"]
    if raw.get("last_name") and "family_name" not in fields:
        fields["family_name"] = raw["last_name"]
    if raw.get("connected_on"):
        fields["created"] = when.parse_loose_date(
            model.as_text(raw["connected_on"], "date"), "date"
        )
    fields.setdefault("created", now)
    fields.setdefault("updated", fields["created"])
    record = model.check("contacts", fields)
    dates = [
        (model.label(label), *when.special_date(*date)) for label, date in raw.get("dates", [])
    ]
    for label, text in _dated(raw):
        parsed = _file_date(text, date_order, label)
        if parsed is not None:
            dates.append((model.label(label), *parsed))
    birthday = raw.get("birthday")
    if isinstance(birthday, tuple):
        dates.insert(0, ("birthday", *when.special_date(*birthday)))
    elif birthday not in (None, ""):
        parsed = _file_date(birthday, date_order, "birthday")
        if parsed is not None:
            dates.insert(0, ("birthday", *parsed))
    kept, notes = rules.one_per_label([_date_row(date) for date in dates])
    draft = ContactDraft(record, [_date_tuple(date) for date in kept])
    draft.says_flags = frozenset(f for f in model.FLAG_COLUMNS if raw.get(f) not in (None, ""))
    draft.notes = notes
    return draft


def _date_row(date: tuple[str, int, int, int | None]) -> Row:
    label, month, day, year = date
    return {"label": label, "month": month, "day": day, "year": year}


def _date_tuple(date: Row) -> tuple[str, int, int, int | None]:
    return date["label"], date["month"], date["day"], date.get("year")


def _name(raw: Row) -> Any:
    """The name a row gives: a name column, else first/middle/last (or given and family
    names), else the company (a row of an organisation), else nothing — which refuses it."""
    name = raw.get("name")
    for fields in (("first_name", "middle_name", "last_name"), ("given_name", "family_name")):
        if name in (None, ""):
            parts = [raw.get(p) for p in fields]
            name = " ".join(model.as_text(p, "name").strip() for p in parts if p not in (None, ""))
    if not str(name).strip() and raw.get("company"):
        name = raw["company"]
    if model.text(name, "name") is None:
        raise CrmError("name is empty: give a name, a first and last name, or a company")
    return name


def _dated(raw: Row) -> Iterator[tuple[str, Any]]:
    """Dates other than the birthday: Outlook's Anniversary, Google's Event N pairs."""
    if raw.get("anniversary") not in (None, ""):
        yield "anniversary", raw["anniversary"]
    for event in (raw.get("events") or {}).values():
        if event.get("event_value"):
            yield (event.get("event_type") or "event").strip().lower(), event["event_value"]


def _file_date(value: Any, date_order: when.DateOrder | None, what: str):
    text = model.as_text(value, what)
    if when.means_no_date(text):
        return None
    return when.parse_special_date(text, from_file=True, order=date_order)


class ContactImport:
    """Matches records against the database and each other; writes new contacts in batches
    and updates matched ones in place, all inside the import's transaction."""

    def __init__(
        self,
        store: Store,
        on_duplicate: str,
        now: dt.datetime,
        date_order=None,
        merge_by_email: bool = False,
    ):
        self.store = store
        self.on_duplicate = on_duplicate
        self.now = stamp(now)
        self.date_order = date_order
        self.merge_by_email = merge_by_email
        self.by_uid, self.by_email = store.contacts.keys()
        self.by_uid.update(store.contacts.aliases())  # a merged contact's uid lands on the one kept
        self.by_name: dict[str, list[tuple[int, dict[str, set[str]]]]] | None = None
        self.names: dict[int, str] | None = None  # id → name, read when first needed
        self.next_id = store.next_id("contacts")
        self.first_id = self.next_id
        self.default_cadence = settings.default_cadence(store)
        self.region = settings.region(store)
        self.pending: dict[int, ContactDraft] = {}  # new contacts not yet written, by id
        self.summary = Summary()
        self.streaming = True

    def plan(self, record: Record) -> None:
        draft = contact_draft(record.raw, self.now, self.date_order)
        self.summary.warnings.extend(f"{record.where}: {note}" for note in draft.notes)
        if len(draft.record.get("phones") or ()) > 1:  # one number written two ways is one
            draft.record["phones"] = rules.unique_phones(draft.record["phones"], self.region)
        match = self._match(draft.record)
        if match is not None and not draft.record.get("uid"):
            draft.keep_name = self._say_whose_email(record, draft.record, match)
        if match is None:
            self._add(draft)
        elif self.on_duplicate == "error":
            raise CrmError(f"{draft.record['name']} is already here ({self._describe(match)})")
        elif self.on_duplicate == "skip":
            self.summary.skipped += 1
        elif self._update(match, draft):
            self.summary.updated += 1
        else:
            self.summary.skipped += 1  # the same as what is here: nothing to write

    def _match(self, record: Row) -> int | None:
        """By uid; else by email — but never two different uids merged by email unless asked
        (--merge-by-email); else, for a record with no uid and no email, by name when nothing
        else tells them apart (phones, profile URLs, company), so a second import changes
        nothing and two John Smiths of two companies stay two."""
        uid = record.get("uid")
        if uid and uid in self.by_uid:
            return self.by_uid[uid]
        for email in record.get("emails") or []:
            found = self.by_email.get(email_key(email))
            if found is None:
                continue
            if uid and not self.merge_by_email:
                self.summary.shared_email += 1
                return None
            return found
        if not uid and not record.get("emails"):
            return self._by_name(record)
        return None

    def _say_whose_email(self, record: Record, row: Row, match: int) -> bool:
        """A row taken as a contact by its email alone, under another name: said, so nobody
        is silently folded into someone else (and an update keeps the holder's name)."""
        if not row.get("emails"):
            return False
        if self.names is None:
            self.names = self.store.contacts.names()
        holder = (
            self.pending[match].record["name"] if match in self.pending else self.names.get(match)
        )
        # the same name as written (the common case, cheap), or the same in another order
        if (
            not holder
            or holder == row["name"]
            or model.name_key(holder) == model.name_key(row["name"])
        ):
            return False
        shared = next((e for e in row["emails"] if self.by_email.get(email_key(e)) == match), "")
        self.summary.warnings.append(
            f"{record.where}: {shared} is {holder}'s (contact {match}): the row for "
            f"{row['name']} was taken as {holder}, whose name is kept"
        )
        return True

    def _by_name(self, record: Row) -> int | None:
        if self.by_name is None:
            self.by_name = {}
            for contact_id, stored in self.store.contacts.names_and_phones():
                self._remember_name(stored, contact_id)
        candidates = self.by_name.get(model.name_key(record["name"]), [])
        wanted = _telling_apart(record, self.region)
        for contact_id, known in candidates:
            # a phone or a profile URL in common is the same person, whatever the company
            # says now (a LinkedIn connection who changed jobs); else everything must agree
            if wanted["phones"] & known["phones"] or wanted["urls"] & known["urls"]:
                return contact_id
        for contact_id, known in candidates:
            if all(_agree(wanted[key], known[key]) for key in wanted):
                return contact_id
        return None

    def _remember_name(self, record: Row, contact_id: int) -> None:
        if self.by_name is not None:
            entry = (contact_id, _telling_apart(record, self.region))
            self.by_name.setdefault(model.name_key(record["name"]), []).append(entry)

    def _remember(self, record: Row, contact_id: int) -> None:
        if record.get("uid"):
            self.by_uid[record["uid"]] = contact_id
        for email in record.get("emails") or []:
            self.by_email.setdefault(email_key(email), contact_id)
        self._remember_name(record, contact_id)

    def _describe(self, contact_id: int) -> str:
        if contact_id in self.pending:
            return f"an earlier row ({self.pending[contact_id].record['name']})"
        return f"contact {contact_id}"

    def _add(self, draft: ContactDraft) -> None:
        record = draft.record
        if "cadence_days" not in record and self.default_cadence:
            record["cadence_days"] = self.default_cadence
        contact_id = self.next_id
        self.next_id += 1
        self.pending[contact_id] = draft
        self._remember(record, contact_id)
        self.summary.added += 1
        if self.streaming and len(self.pending) >= CONTACT_BATCH:
            self._flush()

    def _update(self, contact_id: int, draft: ContactDraft) -> bool:
        """Whether anything changed."""
        changed = True
        if contact_id in self.pending:  # an earlier row of this file, not written yet
            self.pending[contact_id] = merge_drafts(self.pending[contact_id], draft, self.region)
        else:
            changed = self._update_stored(contact_id, draft)
        self._remember(draft.record, contact_id)
        return changed

    def _update_stored(self, contact_id: int, draft: ContactDraft) -> bool:
        """Fill in the fields the record has; its lists join the contact's. A record that says
        nothing new writes nothing (no `updated` bump, no REV change on export)."""
        current = self.store.contacts.record(contact_id)
        unsaid = tuple(f for f in model.FLAG_COLUMNS if f not in draft.says_flags)
        kept = ("uid", "created", "updated", *unsaid)
        if draft.keep_name:
            kept += ("name", "given_name", "family_name", "prefix", "suffix")
        if not (current.get("given_name") or current.get("family_name")) and model.made_up_parts(
            draft.record
        ):  # crm's own vCard of a contact without name parts: its N was made from the name
            kept += ("given_name", "family_name")
        changes = {k: v for k, v in draft.record.items() if k not in kept}
        for column in model.JSON_COLUMNS:
            if column != "card_forms":
                changes[column] = model.unique(current[column] + (draft.record.get(column) or []))
        changes.update(rules.merged_lists(current, draft.record, self.region))  # each once
        for column in ("extra", "card_forms"):  # a card's lines kept aside, and how it writes
            if column in draft.record:  # the rest, are its own as it is now (a line fixed at
                changes[column] = draft.record[column]  # the source leaves them)
        changes = {k: v for k, v in changes.items() if v != current.get(k)}
        now = dt.datetime.fromisoformat(self.now)
        stored = self.store.dates.listing(contact_id) if draft.dates else []
        dates = rules.plan_dates(stored, [_date_row(d) for d in draft.dates], False)
        if not changes and not (dates.add or dates.change):
            return False
        if changes:
            self.store.contacts.update(contact_id, changes, now)
        if changes.get("stage") and changes["stage"] != current["stage"]:
            self.store.stages.record(
                contact_id, current["stage"], changes["stage"], now, "imported"
            )
        for date_id, date in dates.change:  # the stored date takes the file's day, keeps its uid
            self.store.dates.change(date_id, {k: date[k] for k in ("month", "day", "year")})
        for date in dates.add:
            self.store.dates.add(contact_id, {**date, "created": now})
        return True

    def _flush(self) -> None:
        if not self.pending:
            return
        first = min(self.pending)
        uids = iter(new_uids(sum(1 for d in self.pending.values() if not d.record.get("uid"))))
        rows: list[Row] = []
        dates: list[tuple] = []
        for contact_id, draft in self.pending.items():
            rows.append(
                {**draft.record, "id": contact_id, "uid": draft.record.get("uid") or next(uids)}
            )
            dates.extend((contact_id, *date, self.now) for date in draft.dates)
        with self.store.bulk.search_index_after("contacts", first):
            self.store.bulk.insert_contacts(rows, dates)
        self.pending = {}

    def write(self) -> None:
        self._flush()


def _telling_apart(record: Row, region: str | None) -> dict[str, set[str]]:
    """What tells two contacts of one name apart: phones (rules.phone_keys), URLs, company."""
    return {
        "phones": {key for p in record.get("phones") or [] for key in rules.phone_keys(p, region)},
        "urls": {u.lower().rstrip("/") for u in record.get("urls") or []},
        "company": {fold(record["company"])} if record.get("company") else set(),
    }


def _agree(new: set[str], known: set[str]) -> bool:
    """Phones share one; or neither has any. (Someone's phone added later is a new person;
    an exact second import still matches.)"""
    return bool(new & known) if new or known else True


def merge_drafts(old: ContactDraft, new: ContactDraft, region: str | None) -> ContactDraft:
    """Two rows of one file for one contact: the later row's fields win, lists join."""
    record = {**old.record, **{k: v for k, v in new.record.items() if v not in (None, [], "")}}
    record.update(rules.merged_lists(old.record, new.record, region))
    record["uid"] = old.record.get("uid") or new.record.get("uid")
    record["created"] = old.record.get("created") or new.record.get("created")
    # the later row's date of a label wins, as its other fields do
    dates, _ = rules.one_per_label([_date_row(d) for d in new.dates + old.dates])
    merged = model.check("contacts", {k: v for k, v in record.items() if v is not None})
    draft = ContactDraft(merged, [_date_tuple(d) for d in dates])
    draft.says_flags = old.says_flags | new.says_flags
    return draft
