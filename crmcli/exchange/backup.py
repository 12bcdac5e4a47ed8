"""The backup record format: one serialisation and one restore engine, used by `crm export all`,
`crm import all` and the trash (a deleted contact is kept as a backup document of its own).

A document is JSON: {"format": "crm-backup", "schema": N, "exported_at": …, "config": {…},
"contacts": [...], "interactions": [...], "dates": [...], "followups": [...],
"complaints": [...], "stage_changes": [...]}. Records refer to each other by uid
(`contact_uid`, `contact_uids`, `interaction_uid`), so a document restores into any database.
Restoring checks every record with the model first and writes nothing if one is bad.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TextIO

from .. import model, output, rules, settings
from ..errors import CrmError
from ..migrations import LATEST
from ..store import Store
from ..when import stamp
from .exporter import iter_rows
from .importer import DryRun, ImportRefused, Summary

BACKUP_FORMAT = "crm-backup"
# The sections in the order they are written and restored (contacts before what refers to them)
SECTIONS = (
    "contacts", "interactions", "dates", "followups", "complaints", "stage_changes", "notes",
)  # fmt: skip
TABLE = {"dates": "special_dates"}
Row = dict[str, Any]


def _table(section: str) -> str:
    return TABLE.get(section, section)


# --------------------------------------------------------------------------- writing


def write(
    store: Store,
    out: TextIO,
    now: dt.datetime,
    contact_id: int | None = None,
    only: tuple[str, int] | None = None,
) -> int:
    """Stream a document: every record (archived contacts included), one contact's, or
    `only` one record (section, id)."""
    out.write("{\n")
    out.write(f'  "format": "{BACKUP_FORMAT}",\n  "schema": {LATEST},\n')
    out.write(f'  "exported_at": "{stamp(now)}",\n')
    config = store.settings.every("config") if contact_id is None and only is None else {}
    out.write(f'  "config": {output.to_json(config)},\n')
    count = 0
    for index, section in enumerate(SECTIONS):
        out.write(f'  "{section}": [')
        first = True
        if only is not None and only[0] != section:
            rows: Iterator[Row] = iter(())
        else:
            record_id = only[1] if only else None
            rows = iter_rows(store, section, True, contact_id, record_id)
        for row in rows:
            out.write(("" if first else ",") + "\n    " + output.to_json(row))
            first = False
            count += 1
        out.write("\n  ]" if not first else "]")
        out.write(",\n" if index < len(SECTIONS) - 1 else "\n")
    out.write("}\n")
    return count


def contact_document(store: Store, contact_id: int, now: dt.datetime) -> str:
    """One contact and everything attached to it, as a document (what the trash keeps)."""
    import io

    buffer = io.StringIO()
    write(store, buffer, now, contact_id)
    return buffer.getvalue()


def record_document(store: Store, section: str, record_id: int, now: dt.datetime) -> str:
    """One record (an interaction, a note…) as a document, for the trash."""
    import io

    buffer = io.StringIO()
    write(store, buffer, now, only=(section, record_id))
    return buffer.getvalue()


# --------------------------------------------------------------------------- reading


def read(text: str) -> dict[str, Any]:
    """A document from JSON text; refuses what is not a crm backup, or is from a newer crm."""
    from .readers import json_value

    try:
        document = json_value(text)
    except CrmError as error:
        raise CrmError(f"{error}: is this a `crm export all` file?") from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise CrmError("not a crm backup: expected a `crm export all --format json` document")
    schema = document.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        raise CrmError(f"bad backup schema {schema!r}: the backup is damaged")
    if schema > LATEST:
        raise CrmError(
            f"the backup was written by a newer crm (schema {schema}, this crm knows {LATEST}): "
            "upgrade crm to read it"
        )
    return document


# --------------------------------------------------------------------------- restoring


class _Plan:
    """Pass one: every record checked, references resolved against the database and the
    document itself. Pass two writes what the plan holds."""

    def __init__(self, store: Store, document: dict[str, Any], lenient: bool = False):
        self.store = store
        self.document = document
        self.lenient = lenient  # the trash: links to contacts gone since are left out
        self.problems: list[str] = []
        self.known = {s: store.uid_ids(_table(s)) for s in SECTIONS}
        self.records: dict[str, list[tuple[Row, Row, Any]]] = {s: [] for s in SECTIONS}
        self.new_uids: dict[str, set[str]] = {s: set() for s in SECTIONS}
        # Records already reported: what links to them is not reported again (one bad contact
        # is one line, not one more for each of its interactions).
        self.refused: dict[str, set[str]] = {s: set() for s in SECTIONS}
        self.config: list[tuple[str, str]] = []
        self.dates: dict[str, list[Row]] = {}  # contact uid → its dates, stored and planned
        self.warnings: list[str] = []
        self.left_out = 0  # records not restored because what they would repeat is here

    def check(self) -> None:
        for section in SECTIONS:
            records = self.document.get(section) or []
            if not isinstance(records, list):
                self.problems.append(f"{section}: expected a list of records")
                continue
            for number, record in enumerate(records, 1):
                try:
                    self._check_record(section, record)
                except CrmError as error:
                    uid = record.get("uid") if isinstance(record, dict) else None
                    shown = f" ({uid})" if isinstance(uid, str) else ""
                    if isinstance(uid, str):
                        self.refused[section].add(uid)
                    self.problems.append(f"{section} record {number}{shown}: {error}")
        self._check_config()

    def _check_record(self, section: str, record: Any) -> None:
        if not isinstance(record, dict):
            raise CrmError("a record must be a JSON object")
        table = _table(section)
        fields = {k: record[k] for k in model.FIELDS[table] if k in record}
        if record.get("uid") in (None, ""):
            raise CrmError("a record without a uid: the backup is damaged")
        checked = model.check(table, fields)
        links = self._links(section, record)
        old_id = record.get("id")
        if old_id is not None:
            old_id = model.record_id(old_id, "id")
        if checked["uid"] not in self.known[section]:
            if checked["uid"] in self.new_uids[section]:
                raise CrmError(f"uid {checked['uid']} appears twice")
            if section == "dates" and not self._one_per_label(checked, links["contact_uid"]):
                return
            self.new_uids[section].add(checked["uid"])
        self.records[section].append((checked, links, old_id))

    def _one_per_label(self, date: Row, contact_uid: str) -> bool:
        """A date whose contact has its label already is left out and said — earlier in the
        document (two birthdays written by hand), or here (a backup restored over a database
        that has the date), where the trash refuses instead: the label was taken since. The
        same day under another uid is the same date, left out silently."""
        if contact_uid not in self.dates:
            self.dates[contact_uid] = self._stored_dates(contact_uid)
        held = self.dates[contact_uid]
        holder = rules.holder_of_label(held, date["label"])
        if holder is None:
            held.append({**date, "planned": True})  # the document's later dates meet it too
            return True
        self.left_out += 1
        if rules.date_of(holder)[:2] == rules.date_of(date)[:2]:
            return False
        if self.lenient and not holder.get("planned"):  # taken since it went to the trash
            raise rules.refuse_second_date(
                "the contact", holder, "delete that one first, then restore this one"
            )
        self.warnings.append(
            f"{date['label']} {rules.date_text(*rules.date_of(date))} ({date['uid']}) left "
            f"out: the contact has {rules.date_text(*rules.date_of(holder))} (one date per label)"
        )
        return False

    def _stored_dates(self, contact_uid: str) -> list[Row]:
        contact_id = self.known["contacts"].get(contact_uid)
        return self.store.dates.listing(contact_id) if contact_id else []

    def _exists(self, section: str, uid: Any) -> bool:
        return (
            uid in self.known[section]
            or uid in self.new_uids[section]
            or uid in self.refused[section]
        )

    def _ref(self, value: Any, what: str) -> str:
        try:
            return model.uid(value)
        except CrmError:
            raise CrmError(f"bad {what} {value!r}: the backup is damaged") from None

    def _links(self, section: str, record: Row) -> Row:
        if section == "interactions":
            uids = record.get("contact_uids")
            if not isinstance(uids, list) or not uids:
                raise CrmError("an interaction without contact_uids: the backup is damaged")
            uids = [self._ref(uid, "contact uid") for uid in uids]
            present = [uid for uid in uids if self._exists("contacts", uid)]
            if self.lenient and present:
                return {"contact_uids": present}  # the others were deleted since
            for uid in uids:
                if not self._exists("contacts", uid):
                    raise CrmError(f"unknown contact {uid!r}: the backup is damaged")
            return {"contact_uids": uids}
        if section == "contacts":
            aliases = record.get("aliases") or []
            if not isinstance(aliases, list):
                raise CrmError("aliases must be a list of uids")
            return {"aliases": [model.uid(alias) for alias in aliases]}
        links: Row = {"contact_uid": self._ref(record.get("contact_uid"), "contact uid")}
        if not self._exists("contacts", links["contact_uid"]):
            raise CrmError(f"unknown contact {links['contact_uid']!r}: the backup is damaged")
        if section in ("followups", "complaints"):
            uid = record.get("interaction_uid")
            if uid is not None:
                uid = self._ref(uid, "interaction uid")
                if not self._exists("interactions", uid):
                    if not self.lenient:
                        raise CrmError(f"unknown interaction {uid!r}: the backup is damaged")
                    uid = None
            links["interaction_uid"] = uid
        return links

    def _check_config(self) -> None:
        config = self.document.get("config") or {}
        if not isinstance(config, dict):
            self.problems.append("config: expected an object of settings")
            return
        for key, value in config.items():
            try:
                self.config.append(settings.check(key, value))
            except CrmError as error:
                self.problems.append(f"config {key}: {error}")


def problems(store: Store, document: dict[str, Any]) -> list[str]:
    """What would stop a trash entry's document from being restored (its records' rules)."""
    plan = _Plan(store, document, lenient=True)
    plan.check()
    return plan.problems


def restore(
    store: Store, document: dict[str, Any], summary: Summary, lenient: bool = False
) -> dict[str, int]:
    """Insert the document's records that are not here yet (matched by uid), keeping ids where
    they are free; a shared interaction already here gets its missing contacts back. Runs in
    the caller's transaction. `lenient` (the trash) leaves out links to contacts that are gone.
    Returns uid → id of the contacts it holds."""
    plan = _Plan(store, document, lenient)
    plan.check()
    if plan.problems:
        raise ImportRefused(
            plan.problems, "records", "a backup is restored whole: mend the file and run it again"
        )
    summary.warnings.extend(plan.warnings)
    summary.skipped += plan.left_out
    with store.transaction():
        ids = {s: dict(plan.known[s]) for s in SECTIONS}
        for section in SECTIONS:
            for checked, links, old_id in plan.records[section]:
                if _write(store, section, checked, links, old_id, ids):
                    summary.added += 1
                else:
                    summary.skipped += 1
        for key, value in plan.config:
            if store.settings.get("config", key) is None:
                store.settings.put("config", key, value)
    return {
        checked["uid"]: ids["contacts"][checked["uid"]]
        for checked, _, _ in plan.records["contacts"]
    }


def _write(store: Store, section: str, checked: Row, links: Row, old_id, ids) -> bool:
    """Insert one planned record; False if its uid was already here."""
    table = _table(section)
    existing = ids[section].get(checked["uid"])
    if existing is not None:
        if section == "interactions":
            for uid in links["contact_uids"]:
                store.interactions.link(ids["contacts"][uid], existing)
        return False
    extra: Row = {}
    if "contact_uid" in links:
        extra["contact_id"] = ids["contacts"][links["contact_uid"]]
    if links.get("interaction_uid") is not None:
        extra["interaction_id"] = ids["interactions"][links["interaction_uid"]]
    if store.id_is_free(table, old_id):
        extra["id"] = old_id
    new_id = store.insert_checked(table, checked, **extra)
    ids[section][checked["uid"]] = new_id
    for alias in links.get("aliases", []):
        store.contacts.add_alias(alias, new_id)
    if section == "interactions":
        for uid in links["contact_uids"]:
            store.interactions.link(ids["contacts"][uid], new_id)
    return True


def load(stream: TextIO) -> dict[str, Any]:
    """A backup document, read a line at a time: crm writes one record a line, so a line
    longer than any record (a hostile 100 MB string) is refused before it fills the memory."""
    from .readers import MAX_FILE

    lines: list[str] = []
    try:
        while line := stream.readline(MAX_FILE + 1):
            if len(line) > MAX_FILE:
                raise CrmError(
                    f"line {len(lines) + 1} of the backup is longer than {MAX_FILE >> 20} MB: "
                    "no record crm writes is; the backup is damaged"
                )
            lines.append(line)
    except UnicodeDecodeError:
        raise CrmError("the backup is not valid UTF-8") from None
    return read("".join(lines))


def import_document(store: Store, document: dict[str, Any], dry_run: bool) -> Summary:
    """`crm import all`: restore a document in one transaction (rolled back for a dry run)."""
    summary = Summary()
    try:
        with store.transaction():
            restore(store, document, summary)
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return summary
