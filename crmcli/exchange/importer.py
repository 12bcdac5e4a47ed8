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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import model, rules, when
from ..errors import CrmError
from ..model import fold
from ..rules import email_key, not_in_future, origin_key
from ..store import INTERACTION_COLUMNS, Store, new_uids
from ..when import stamp
from .readers import Record

IMPORT_FORMATS = ("auto", "csv", "jsonl", "json", "vcard")
BATCH = 20_000  # records written per batch, so memory stays flat on large imports
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
    already_here: int = 0  # skipped because the same record was imported or captured before
    invalid: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shared_email: int = 0  # records kept apart although their email is another contact's

    def line(self, what: str, dry_run: bool) -> str:
        verb = "would import" if dry_run else "imported"
        skipped = self.skipped + self.already_here
        text = f"{verb} {what}: {self.added} added, {self.updated} updated, {skipped} skipped"
        text += f" ({self.already_here} already here)" if self.already_here else ""
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
    mend: str | None = None,
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
                raise ImportRefused(summary.invalid, what, *([mend] if mend else []))
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


def _uid_of(raw: Row) -> str | None:
    """A record's uid, checked, or None when it has none (a new one is made)."""
    return model.uid(raw["uid"]) if raw.get("uid") not in (None, "") else None


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

    @staticmethod
    def written(raw: Row) -> list[str]:
        """The row's references as the file writes them, by the column `resolve` reads."""
        for column in ("contact_uids", "contact_ids", "contacts"):
            if raw.get(column):
                return [f"{column}:{str(ref).strip()}" for ref in raw[column]]
        return []

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
        contact_id = self.emails.get(email_key(text)) if "@" in text else self._by_name(text)
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
    """Interactions matched to contacts by uid, id, email or exact name; skipped if already here:
    the same uid, the same message or meeting, or (a row without a uid) the same row's origin."""

    def __init__(self, store: Store, now: dt.datetime, allow_future: bool = False):
        self.store = store
        self.now = stamp(now)
        self.today = now.date()
        self.allow_future = allow_future
        self.refs = ContactRefs(store)
        self.known_uids = store.interactions.uids()
        self.known_origins: set[str] | None = None  # read when a row without a uid comes
        self.occurrences: dict[str, int] = {}  # rows alike in this file, so far
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
            self.summary.already_here += 1
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
        if not uid:
            checked["origin"] = self._origin(checked, raw)
            if checked["origin"] in self._known_origins():
                self.summary.already_here += 1  # before the rules: it was taken once
                return
        not_in_future(dt.date.fromisoformat(checked["happened_at"][:10]), self.today,
                      "happened_at", self.allow_future)  # fmt: skip
        if uid:
            self.known_uids.add(uid)
        else:
            self._known_origins().add(checked["origin"])
            uid = self._new_uid()
        interaction_id = self.next_id
        self.next_id += 1
        checked.update(id=interaction_id, uid=uid)
        self.rows.append(tuple(checked.get(column) for column in INTERACTION_COLUMNS))
        self.links.extend((cid, checked["happened_at"], interaction_id) for cid in contact_ids)
        self.summary.added += 1
        if self.streaming and len(self.rows) >= BATCH:
            self._flush()

    def _known_origins(self) -> set[str]:
        if self.known_origins is None:
            self.known_origins = self.store.interactions.origins()
        return self.known_origins

    def _origin(self, checked: Row, raw: Row) -> str:
        """The row's origin key, from its fields and its people as the file names them (so a
        merge since changes nothing); the second row alike in every field is `key#2`, so two
        real calls of one day stay two, and a second import still finds both."""
        key = origin_key(checked, self.refs.written(raw))
        seen = self.occurrences[key] = self.occurrences.get(key, 0) + 1
        return key if seen == 1 else f"{key}#{seen}"

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
        from .vcard import read_cards

        with binary:
            return read_cards(readers.whole(binary, source)), None, ""
    stream = readers.text_stream(binary, encoding)
    head = readers.sample(binary).decode(stream.encoding, "replace")
    if fmt == "csv":
        delimiter = readers.sniff_delimiter(head)
        if delimiter == "\t" and '"' not in head.split("\n", 1)[0]:  # crm's own TSV
            rows = readers.tsv_rows(stream)
        else:
            rows = readers.csv_rows(stream, delimiter)
        return csv_records(rows, headers, ignored), binary, head
    objects = (  # a JSON array is one document: parsed now, before the write lock is taken
        readers.jsonl_objects(stream)
        if fmt == "jsonl"
        else list(readers.json_array_objects(stream))
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
            self.summary.already_here += 1
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
        stored = self.store.dates.listing(contact_id)
        plan = rules.plan_dates(stored, [checked], replace=False)
        if plan.change:
            holder = next(date for date in stored if date["id"] == plan.change[0][0])
            raise rules.refuse_second_date(
                holder["contact"], holder, f"change it with `crm date edit {holder['id']}`"
            )
        if not plan.add:  # the same date (or the stored one says more: its year)
            self.summary.already_here += 1
            return
        self.store.dates.add(contact_id, fields)
        self.summary.added += 1

    def write(self) -> None:
        """Each record was written when planned (they are few, and checked one by one)."""
