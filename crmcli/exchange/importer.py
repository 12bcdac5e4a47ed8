"""crm import: planning and matching. Records come from the readers (CSV, JSON, vCard); each is
turned into checked model records (the model is the one judge of every value), matched against
the database and the file's earlier records (by uid, then by email), and written in batches.

All or nothing: the whole import runs inside one write transaction, taken before the lookups
are read (so ids and matches cannot race another writer). A bad record refuses the import and
rolls everything back; a dry run is the same run, rolled back at the end — so a dry run that
passes means the import passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import model, settings, when
from ..errors import CrmError
from ..model import fold
from ..store import INTERACTION_COLUMNS, Store, new_uids
from ..when import stamp
from .readers import Record

IMPORT_FORMATS = ("auto", "csv", "jsonl", "json", "vcard")
ON_DUPLICATE = ("skip", "update", "error")
BATCH = 20_000  # records written per batch, so memory stays flat on large imports
CONTACT_BATCH = 10_000  # contacts are larger records: fewer held at once (flat under 100 MB)
Row = dict[str, Any]


class ImportRefused(CrmError):
    """Bad records in an all-or-nothing import; `problems` holds one `line N: ...` each."""

    def __init__(
        self,
        problems: list[str],
        what: str = "rows",
        mend: str = "fix them, or use --skip-invalid to import the rest",
    ):
        self.problems = problems
        if what == "rows" and problems and problems[0].startswith("card "):
            what = "cards"  # a vCard file named as `crm import contacts FILE`
        super().__init__(
            f"import refused, nothing written: {len(problems)} bad "
            f"{what if len(problems) != 1 else what.rstrip('s')} ({mend})",
            details=problems,
        )


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shared_email: int = 0  # records kept apart although their email is another contact's

    def line(self, what: str, dry_run: bool) -> str:
        verb = "would import" if dry_run else "imported"
        text = f"{verb} {what}: {self.added} added, {self.updated} updated, {self.skipped} skipped"
        text += f", {len(self.invalid)} invalid" if self.invalid else ""
        if self.shared_email:
            text += (
                f"; {self.shared_email} share an email with a contact of another uid (kept "
                "apart: see `crm contact duplicates`, or import with --merge-by-email)"
            )
        return text


class Item(Protocol):
    """What an import reads one at a time: a file's record, a mail message, an event."""

    @property
    def where(self) -> str: ...  # `line 7`, a file and message number, an event
    @property
    def problem(self) -> str | None: ...  # unreadable: refused (or skipped with --skip-invalid)
    @property
    def skip(self) -> str | None: ...  # readable but not for importing, and why
    @property
    def warnings(self) -> Sequence[str]: ...


class DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def run_import(
    store: Store,
    make_planner: Callable[[Store], Any],
    records: Iterable[Item],
    skip_invalid: bool,
    dry_run: bool,
    progress: Callable[[], None] | None = None,
    what: str = "rows",
) -> Summary:
    """Plan and write every record in one transaction; refuse everything on a bad one unless
    skipping; roll back a dry run. The planner is made inside the transaction."""
    summary = Summary()
    import gc

    gc.disable()  # a bulk import makes millions of short-lived objects and no cycles: the
    # collector would walk them over and over (a fifth of the time)
    try:
        with store.transaction(bulk=True):
            planner = make_planner(store)
            planner.summary = summary
            for record in records:
                if record.skip:
                    summary.skipped += 1
                    summary.warnings.append(f"{record.where}: {record.skip}")
                    continue
                try:
                    if record.problem:
                        raise CrmError(record.problem)
                    planner.plan(record)
                    summary.warnings.extend(f"{record.where}: {w}" for w in record.warnings)
                except CrmError as error:
                    summary.invalid.append(f"{record.where}: {error}")
                    planner.streaming = skip_invalid  # refused anyway: stop writing batches
                if progress:
                    progress()
            if summary.invalid and not skip_invalid:
                raise ImportRefused(summary.invalid, what)
            planner.write()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    finally:
        gc.enable()
        if progress is not None and hasattr(progress, "close"):
            progress.close()  # the bar is cleared before the summary is printed
    return summary


# --------------------------------------------------------------------------- contacts


@dataclass
class ContactDraft:
    record: Row  # checked contact fields
    dates: list[tuple[str, int, int, int | None]]  # label, month, day, year
    # Whether the file says archived or not: only then does an update change it (a vCard or a
    # Google export never does, and must not bring an archived contact back).
    says_archived: bool = False
    keep_name: bool = False  # matched by someone else's email: an update keeps their name


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
    return ContactDraft(record, dates, raw.get("archived") not in (None, ""))


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
        self.pending: dict[int, ContactDraft] = {}  # new contacts not yet written, by id
        self.summary = Summary()
        self.streaming = True

    def plan(self, record: Record) -> None:
        draft = contact_draft(record.raw, self.now, self.date_order)
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
            found = self.by_email.get(email.lower())
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
        shared = next((e for e in row["emails"] if self.by_email.get(e.lower()) == match), "")
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
        wanted = _telling_apart(record)
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
            entry = (contact_id, _telling_apart(record))
            self.by_name.setdefault(model.name_key(record["name"]), []).append(entry)

    def _remember(self, record: Row, contact_id: int) -> None:
        if record.get("uid"):
            self.by_uid[record["uid"]] = contact_id
        for email in record.get("emails") or []:
            self.by_email.setdefault(email.lower(), contact_id)
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
            self.pending[contact_id] = merge_drafts(self.pending[contact_id], draft)
        else:
            changed = self._update_stored(contact_id, draft)
        self._remember(draft.record, contact_id)
        return changed

    def _update_stored(self, contact_id: int, draft: ContactDraft) -> bool:
        """Fill in the fields the record has; its lists join the contact's. A record that says
        nothing new writes nothing (no `updated` bump, no REV change on export)."""
        current = self.store.contacts.record(contact_id)
        kept = ("uid", "created", "updated") + (() if draft.says_archived else ("archived",))
        if draft.keep_name:
            kept += ("name", "given_name", "family_name", "prefix", "suffix")
        if not (current.get("given_name") or current.get("family_name")) and model.made_up_parts(
            draft.record
        ):  # crm's own vCard of a contact without name parts: its N was made from the name
            kept += ("given_name", "family_name")
        changes = {k: v for k, v in draft.record.items() if k not in kept}
        for column in (*model.LIST_COLUMNS, *model.JSON_COLUMNS):
            changes[column] = model.unique(current[column] + (draft.record.get(column) or []))
        if "extra" in draft.record:  # a card's lines kept aside are its own, as it is now: a
            changes["extra"] = draft.record["extra"]  # line fixed at the source leaves them
        changes = {k: v for k, v in changes.items() if v != current.get(k)}
        now = dt.datetime.fromisoformat(self.now)
        new_dates = [d for d in draft.dates if not self.store.dates.has(contact_id, *d)]
        if not changes and not new_dates:
            return False
        if changes:
            self.store.contacts.update(contact_id, changes, now)
        if changes.get("stage") and changes["stage"] != current["stage"]:
            self.store.stages.record(
                contact_id, current["stage"], changes["stage"], now, "imported"
            )
        for label, month, day, year in new_dates:
            if label == "birthday":
                self.store.dates.set_birthday(
                    contact_id, {"month": month, "day": day, "year": year}, now
                )
            else:
                self.store.dates.add(
                    contact_id,
                    {"label": label, "month": month, "day": day, "year": year, "created": now},
                )
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


def _telling_apart(record: Row) -> dict[str, set[str]]:
    """What tells two contacts of one name apart: phones (digits), URLs, company (folded)."""
    return {
        "phones": {model.phone_key(p) for p in record.get("phones") or []},
        "urls": {u.lower().rstrip("/") for u in record.get("urls") or []},
        "company": {fold(record["company"])} if record.get("company") else set(),
    }


def _agree(new: set[str], known: set[str]) -> bool:
    """Phones share one; or neither has any. (Someone's phone added later is a new person;
    an exact second import still matches.)"""
    return bool(new & known) if new or known else True


def _uid_of(raw: Row) -> str | None:
    """A record's uid, checked, or None when it has none (a new one is made)."""
    return model.uid(raw["uid"]) if raw.get("uid") not in (None, "") else None


def merge_drafts(old: ContactDraft, new: ContactDraft) -> ContactDraft:
    record = {**old.record, **{k: v for k, v in new.record.items() if v not in (None, [], "")}}
    for column in model.LIST_COLUMNS:
        record[column] = model.unique(
            (old.record.get(column) or []) + (new.record.get(column) or [])
        )
    record["uid"] = old.record.get("uid") or new.record.get("uid")
    record["created"] = old.record.get("created") or new.record.get("created")
    births = [d for d in new.dates if d[0] == "birthday"] or [
        d for d in old.dates if d[0] == "birthday"
    ]
    others = [d for d in old.dates if d[0] != "birthday"]
    others += [d for d in new.dates if d[0] != "birthday" and d not in others]
    merged = model.check("contacts", {k: v for k, v in record.items() if v is not None})
    return ContactDraft(merged, births[:1] + others, old.says_archived or new.says_archived)


# --------------------------------------------------------------------------- interactions


class ContactRefs:
    """How rows of a file name their contacts: contact_uids by uid (exact, merged uids too),
    contact_ids by id, a contact column by email or exact name."""

    def __init__(self, store: Store):
        self.store = store
        self.ids, self.uids, self.emails = store.contacts.lookup()
        self.names: dict[str, int] | None = None

    def resolve(self, raw: Row) -> list[int]:
        found = [self._by_uid(ref) for ref in raw.get("contact_uids") or []]
        if not found:
            found = [self._by_id(ref) for ref in raw.get("contact_ids") or []]
        if not found:
            found = [self._by_email_or_name(ref) for ref in raw.get("contacts") or []]
        if not found:
            raise CrmError(
                "no contact: give a contact (email or name), contact_uid or contact_id column"
            )
        return list(dict.fromkeys(found))

    def _by_uid(self, ref: Any) -> int:
        uid = model.as_text(ref, "contact uid").strip()
        if uid not in self.uids:
            raise CrmError(f"unknown contact uid {uid!r}: import the contacts first")
        return self.uids[uid]

    def _by_id(self, ref: Any) -> int:
        contact_id = model.record_id(ref, "contact id")
        if contact_id not in self.ids:
            raise CrmError(f"unknown contact id {contact_id}: see `crm contact list`")
        return contact_id

    def _by_email_or_name(self, ref: Any) -> int:
        text = model.as_text(ref, "contact").strip()
        contact_id = self.emails.get(text.lower()) if "@" in text else self._by_name(text)
        if contact_id is None:
            raise CrmError(f"unknown contact {text!r}: import the contacts first")
        if contact_id == -1:
            raise CrmError(f"{text!r} names several contacts: use an email or uid")
        return contact_id

    def _by_name(self, ref: str) -> int | None:
        """Exact names are folded only when a file names someone (emails and uids are cheaper)."""
        if self.names is None:
            self.names = self.store.contacts.name_lookup()
        return self.names.get(fold(ref))


class InteractionImport:
    """Interactions matched to contacts by uid, id, email or exact name; skipped if the uid is known."""

    def __init__(self, store: Store, now: dt.datetime):
        self.store = store
        self.now = stamp(now)
        self.refs = ContactRefs(store)
        self.known_uids = store.interactions.uids()
        self.captured = {s: store.capture.source_ids(s) for s in model.SOURCES}  # mail and events
        self.next_id = store.next_id("interactions")
        self.first_id = self.next_id
        self.rows: list[tuple] = []
        self.links: list[tuple] = []
        self.summary = Summary()
        self.streaming = True
        self.spare_uids: list[str] = []

    def plan(self, record: Record) -> None:
        raw = record.raw
        uid = _uid_of(raw)
        if uid in self.known_uids or self._captured_before(raw):
            self.summary.skipped += 1
            return
        contact_ids = self.refs.resolve(raw)
        fields = {key: raw[key] for key in model.FIELDS["interactions"] if key in raw}
        if fields.get("happened_at") in (None, ""):
            raise CrmError("happened_at is empty: give the date of the interaction")
        checked = model.check(
            "interactions",
            {
                "kind": "touch",
                "channel": "other",
                "direction": "out",
                "created": self.now,
                **fields,
            },
        )
        interaction_id = self.next_id
        self.next_id += 1
        if uid:
            self.known_uids.add(uid)
        else:
            uid = self._new_uid()
        checked.update(id=interaction_id, uid=uid)
        self.rows.append(tuple(checked.get(column) for column in INTERACTION_COLUMNS))
        self.links.extend((cid, checked["happened_at"], interaction_id) for cid in contact_ids)
        self.summary.added += 1
        if self.streaming and len(self.rows) >= BATCH:
            self._flush()

    def _captured_before(self, raw: Row) -> bool:
        """The same message or meeting is logged once, whatever uid the file gives it."""
        source, key = raw.get("source"), raw.get("source_id")
        if source in self.captured and key not in (None, ""):
            if str(key) in self.captured[source]:
                return True
            self.captured[source].add(str(key))
        return False

    def _new_uid(self) -> str:
        if not self.spare_uids:
            self.spare_uids = new_uids(BATCH)[::-1]  # pop() then takes them in sorted order
        return self.spare_uids.pop()

    def _flush(self) -> None:
        if not self.rows:
            return
        self.store.bulk.insert_interactions(self.rows, self.links)
        self.rows, self.links = [], []

    def write(self) -> None:
        self._flush()


# --------------------------------------------------------------------------- sources


def open_records(
    source: str, fmt: str, headers: Any, ignored: list[str], encoding: str | None = None
) -> tuple[Iterable[Record], Any, str]:
    """The records of a file, a folder of vCards or stdin, read by the reader its format needs;
    the open file (for a progress bar), if there is one; and the sample's text (for sniffing
    what the rows do not say, such as the order of day and month)."""
    from pathlib import Path

    from . import readers
    from .headers import csv_records, object_records

    if fmt == "vcard" or (fmt == "auto" and source != "-" and Path(source).is_dir()):
        from .vcard import read_vcards

        return read_vcards(source), None, ""
    binary = readers.open_binary(source)
    if fmt == "auto":
        fmt = readers.detect_format(source, binary)
    if fmt == "vcard":
        from .vcard import parse_stream

        return parse_stream(binary.read(), "card"), None, ""
    stream = readers.text_stream(binary, encoding)
    head = readers.sample(binary).decode(stream.encoding, "replace")
    if fmt == "csv":
        delimiter = readers.sniff_delimiter(head)
        if delimiter == "\t" and '"' not in head.split("\n", 1)[0]:  # crm's own TSV
            rows = readers.tsv_rows(stream)
        else:
            rows = readers.csv_rows(stream, delimiter)
        return csv_records(rows, headers, ignored), binary, head
    objects = (
        readers.jsonl_objects(stream) if fmt == "jsonl" else readers.json_array_objects(stream)
    )
    return object_records(objects, headers, ignored), binary, head


class RecordImport:
    """Special dates or follow-ups, each for one contact (named as in an interactions file);
    a record whose uid is here already is skipped."""

    def __init__(self, store: Store, entity: str, now: dt.datetime, date_order=None):
        self.store = store
        self.entity = entity
        self.now = now
        self.date_order = date_order
        self.refs = ContactRefs(store)
        self.known_uids = set(store.uid_ids(entity))
        self.summary = Summary()
        self.streaming = True

    def plan(self, record: Record) -> None:
        raw = record.raw
        uid = _uid_of(raw)
        if uid in self.known_uids:
            self.summary.skipped += 1
            return
        contact_id = self.refs.resolve(raw)[0]
        fields = {key: raw[key] for key in model.FIELDS[self.entity] if key in raw}
        fields.setdefault("created", self.now)
        if self.entity == "special_dates":
            self._add_date(contact_id, raw, fields)
        else:
            self.store.add_record("followups", fields, contact_id=contact_id)
            self.summary.added += 1
        if uid:
            self.known_uids.add(uid)

    def _add_date(self, contact_id: int, raw: Row, fields: Row) -> None:
        if raw.get("date") not in (None, ""):
            text = model.as_text(raw["date"], "date")
            month, day, year = when.parse_special_date(text, from_file=True, order=self.date_order)
            fields.update(month=month, day=day, year=year)
        checked = model.check("special_dates", fields)
        for existing in self.store.dates.listing(contact_id):
            if existing["label"].casefold() != checked["label"].casefold():
                continue
            same = (existing["month"], existing["day"], existing["year"])
            if same == (checked["month"], checked["day"], checked.get("year")):
                self.summary.skipped += 1
                return
            raise CrmError(
                f"{existing['contact']} already has a {existing['label']} ({existing['date']}): "
                f"change it with `crm date edit {existing['id']}`"
            )
        self.store.dates.add(contact_id, fields)
        self.summary.added += 1

    def write(self) -> None:
        """Each record was written when planned (they are few, and checked one by one)."""
