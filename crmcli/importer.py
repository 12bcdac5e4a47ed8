"""crm import: contacts and interactions from CSV, JSON Lines and vCard, all-or-nothing.

Reading turns each input row into a `Record` (where it came from, raw fields); planning validates
it, matches it against what is already there (by uid, then by email) and queues the write;
writing happens in one transaction at the end, so a bad row means nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from . import model
from .errors import CrmError
from .store import Store, clean_contact_fields, fold, new_uids, stamp, to_json_text

IMPORT_FORMATS = ("auto", "csv", "jsonl", "vcard")
BATCH = 50_000  # interactions written per batch, so memory stays flat on large imports
ON_DUPLICATE = ("skip", "update", "error")


class ImportRefused(CrmError):
    """Bad rows in an all-or-nothing import; `problems` holds one `line N: ...` each."""

    def __init__(self, problems: list[str], what: str = "rows"):
        self.problems = problems
        super().__init__(
            f"import refused, nothing written: {len(problems)} bad {what} "
            "(fix them, or use --skip-invalid to import the rest)"
        )


@dataclass
class Record:
    where: str  # "line 12", "card 3", "ana.vcf"
    raw: dict[str, Any]  # target field → value, before validation
    problem: str | None = None  # a reading error (bad encoding, unreadable vCard)


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def line(self, what: str, dry_run: bool) -> str:
        verb = "would import" if dry_run else "imported"
        text = f"{verb} {what}: {self.added} added, {self.updated} updated, {self.skipped} skipped"
        return text + (f", {len(self.invalid)} invalid" if self.invalid else "")


# --------------------------------------------------------------------------- reading input


def open_binary(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    target = Path(path)
    if target.is_dir():
        raise CrmError(
            f"{path} is a directory: give a file (a folder of .vcf files needs --format vcard)"
        )
    try:
        return target.open("rb")
    except OSError as error:
        raise CrmError(f"cannot read {path}: {error.strerror}") from None


def text_stream(binary: BinaryIO) -> TextIO:
    """UTF-8 with or without a byte-order mark, or UTF-16 with one (as Outlook writes it)."""
    head = binary.peek(4)[:4] if hasattr(binary, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    return io.TextIOWrapper(binary, encoding=encoding, newline="", errors="strict")  # type: ignore[arg-type]


def detect_format(path: str, binary: BinaryIO | None) -> str:
    suffix = Path(path).suffix.lower() if path != "-" else ""
    by_suffix = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    by_suffix.update({".vcf": "vcard", ".vcard": "vcard"})
    if suffix in by_suffix:
        return by_suffix[suffix]
    if path != "-" and Path(path).is_dir():
        return "vcard"
    head = binary.peek(64)[:64] if binary is not None and hasattr(binary, "peek") else b""
    text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "ignore")
    text = text.lstrip("\ufeff \r\n\t")
    if text.upper().startswith("BEGIN:VCARD"):
        return "vcard"
    if text.startswith("{"):
        return "jsonl"
    return "csv"


# --------------------------------------------------------------------------- CSV header mappings

# Lower-cased header → target. Targets are contact fields or the helpers handled in `_apply`.
CONTACT_HEADERS = {
    # crm's own export
    "uid": "uid", "name": "name", "emails": "emails", "phones": "phones", "company": "company",
    "title": "title", "tags": "tags", "relationship": "relationship", "stage": "stage",
    "channel": "channel", "cadence_days": "cadence_days", "owner": "owner", "source": "source",
    "acquisition_cost": "acquisition_cost", "notes": "notes", "birthday": "birthday",
    "archived": "archived", "created": "created", "updated": "updated",
    "id": "ignore", "last_interaction": "ignore",
    # common spellings
    "full name": "name", "display name": "name", "email": "emails", "e-mail": "emails",
    "phone": "phones", "telephone": "phones", "mobile": "phones", "note": "notes", "tag": "tags",
    # Google Contacts (current and legacy)
    "first name": "first_name", "middle name": "middle_name", "last name": "last_name",
    "given name": "first_name", "additional name": "middle_name", "family name": "last_name",
    "organization name": "company", "organization title": "title",
    "organization 1 - name": "company", "organization 1 - title": "title",
    "labels": "tags", "group membership": "tags",
    # Outlook
    "e-mail address": "emails", "e-mail 2 address": "emails", "e-mail 3 address": "emails",
    "business phone": "phones", "business phone 2": "phones", "mobile phone": "phones",
    "home phone": "phones", "home phone 2": "phones", "primary phone": "phones",
    "other phone": "phones", "job title": "title", "categories": "tags",
    # LinkedIn Connections.csv
    "email address": "emails", "position": "title", "connected on": "connected_on", "url": "url",
}  # fmt: skip
NUMBERED_HEADERS = [
    (re.compile(r"^e-?mail \d+ - value$"), "emails"),
    (re.compile(r"^phone \d+ - value$"), "phones"),
]
INTERACTION_HEADERS = {
    "uid": "uid", "happened_at": "happened_at", "when": "happened_at", "date": "happened_at",
    "contact_uids": "contact_uids", "contact_uid": "contact_uids",
    "contact_ids": "contact_ids", "contact_id": "contact_ids",
    "contacts": "contacts", "contact": "contacts", "email": "contacts", "name": "contacts",
    "channel": "channel", "direction": "direction", "summary": "summary", "outcome": "outcome",
    "sentiment": "sentiment", "amount": "amount", "rating": "rating", "created": "created",
    "kind": "kind", "score": "score", "scale": "scale",
    "id": "ignore",
}  # fmt: skip
CONTACT_TARGETS = set(CONTACT_HEADERS.values()) - {"ignore"} | {"ignore"}
LIST_TARGETS = {"emails", "phones", "tags", "contact_uids", "contact_ids", "contacts"}


def parse_maps(pairs: list[str], targets: set[str]) -> dict[str, str]:
    """--map "Column=field" → {"column": "field"}."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        target = target.strip().lower()
        if not sep or not column.strip() or target not in targets:
            raise CrmError(
                f'bad --map {pair!r}: use "Column=field" with a field among {", ".join(sorted(targets))}'
            )
        mapping[column.strip().lower()] = target
    return mapping


def _target(header: str, builtin: dict[str, str], user: dict[str, str]) -> str | None:
    key = " ".join(header.strip().lower().split())
    if key in user:
        return user[key]
    if key in builtin:
        return builtin[key]
    if builtin is CONTACT_HEADERS:
        for pattern, target in NUMBERED_HEADERS:
            if pattern.match(key):
                return target
    return None


def _find_header(reader, builtin, user, lookahead=20):
    """The first row that looks like a header (LinkedIn puts notes above it)."""
    skipped = []
    for row in reader:
        known = [cell for cell in row if _target(cell, builtin, user)]
        if len(known) >= 2 or (len(known) == 1 and len(row) == 1):
            return row
        skipped.append(row)
        if len(skipped) >= lookahead:
            break
    return None


def read_csv(
    stream: TextIO, builtin: dict[str, str], user: dict[str, str], summary: Summary
) -> Iterator[Record]:
    reader = csv.reader(stream)
    try:
        header = _find_header(reader, builtin, user)
    except UnicodeDecodeError:
        yield Record("line 1", {}, "not valid UTF-8 or UTF-16: save the file as UTF-8")
        return
    except csv.Error as error:
        yield Record(f"line {reader.line_num}", {}, f"unreadable CSV: {error}")
        return
    if header is None:
        raise CrmError(
            "no header row found: the first line must name the columns (e.g. name,email)"
        )
    targets = [_target(cell, builtin, user) for cell in header]
    summary.ignored_columns = [
        h for h, t in zip(header, targets, strict=True) if t is None and h.strip()
    ]
    # (column, target, whether its cell needs splitting or appending rather than a plain copy)
    wanted = [
        (i, t, t in LIST_TARGETS or t == "url")
        for i, t in enumerate(targets)
        if t and t != "ignore"
    ]
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield Record(f"line {start}", {}, "not valid UTF-8: save the file as UTF-8")
            return
        except csv.Error as error:
            yield Record(f"line {start}", {}, f"unreadable CSV: {error}")
            return
        where, start = f"line {start}", reader.line_num + 1
        width = len(row)
        if not "".join(row).strip():
            continue
        if width > len(header):
            yield Record(where, {}, f"{width} cells but the header has {len(header)} columns")
            continue
        raw: dict[str, Any] = {}
        for index, target, collect in wanted:
            if index < width:
                cell = row[index].strip()
                if cell:
                    if collect:
                        _collect(raw, target, cell)
                    else:
                        raw[target] = cell
        yield Record(where, raw)


def _collect(raw: dict[str, Any], target: str, value: Any) -> None:
    if target in LIST_TARGETS:
        raw.setdefault(target, []).extend(_split(value, target))
    elif target == "url":
        raw.setdefault("urls", []).append(value)
    else:
        raw[target] = value


def _split(value: Any, target: str) -> list[str]:
    """One cell → its values: Google's ` ::: `, crm's `;`, or commas (tags and contacts only)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    if " ::: " in text:
        parts = text.split(" ::: ")
    elif model.MULTI_SEPARATOR in text:
        parts = text.split(model.MULTI_SEPARATOR)
    elif "," in text and target in ("tags", "contacts"):
        parts = text.split(",")
    else:
        parts = [text]
    parts = [p.strip() for p in parts if p.strip()]
    if target == "tags":  # Google's system labels ("* myContacts", "* starred") are not tags
        parts = [p for p in parts if not p.startswith("* ")]
    return parts


def read_jsonl(
    stream: TextIO, builtin: dict[str, str], user: dict[str, str], summary: Summary
) -> Iterator[Record]:
    ignored: set[str] = set()
    number = 0
    while True:
        try:
            line = stream.readline()
        except UnicodeDecodeError:
            yield Record(f"line {number + 1}", {}, "not valid UTF-8: save the file as UTF-8")
            break
        if not line:
            break
        number += 1
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            yield Record(f"line {number}", {}, f"not valid JSON ({error.msg})")
            continue
        if not isinstance(obj, dict):
            yield Record(f"line {number}", {}, "each line must be a JSON object")
            continue
        raw: dict[str, Any] = {}
        for key, value in obj.items():
            target = _target(key, builtin, user)
            if target is None:
                ignored.add(key)
            elif target != "ignore" and value not in (None, "", []):
                _collect(
                    raw,
                    target,
                    value
                    if isinstance(value, list)
                    else str(value)
                    if not isinstance(value, bool)
                    else value,
                )
        yield Record(f"line {number}", raw)
    summary.ignored_columns = sorted(ignored)


# --------------------------------------------------------------------------- field conversion

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
PLACEHOLDER_YEARS = (1604, 1900)  # Apple's and others' "year unknown"


def parse_birthday(text: str) -> tuple[int, int, int | None] | None:
    """ISO, yearless (--MM-DD, --MMDD, MM-DD), Outlook's M/D/YYYY; 0/0/00 means none."""
    from .when import parse_special_date

    cleaned = text.strip()
    if (
        len(cleaned) == 10
        and cleaned[4] == "-"
        and cleaned[7] == "-"
        and cleaned[:4].isascii()
        and cleaned[:4].isdigit()
    ):
        year = int(cleaned[:4])  # the common case, YYYY-MM-DD, without a regular expression
        month, day = _int(cleaned[5:7]), _int(cleaned[8:])
        return model.special_date(month, day, None if year in PLACEHOLDER_YEARS else year)
    us = _US_DATE.match(cleaned)
    if us:
        month, day, short_year = int(us.group(1)), int(us.group(2)), int(us.group(3))
        if month == 0 and day == 0:
            return None
        full_year = None if short_year == 0 else short_year + (1900 if short_year < 100 else 0)
        return model.special_date(month, day, full_year)
    if re.fullmatch(r"\d{8}", cleaned):  # vCard basic format: 19850314
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    cleaned = cleaned.split("T")[0]
    month, day, known_year = parse_special_date(cleaned)
    return month, day, None if known_year in PLACEHOLDER_YEARS else known_year


def _int(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise CrmError(f"bad date part {text!r}: use YYYY-MM-DD")
    return int(text)


def _timestamp(text: str, what: str) -> str:
    """ISO date (kept as a date) or date-time (to the second, local time)."""
    if len(text) == 19 and text[10] == "T":  # already YYYY-MM-DDTHH:MM:SS, as crm writes it
        try:
            dt.datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()):
        try:
            return dt.date.fromisoformat(str(text).strip()).isoformat()
        except ValueError:
            raise CrmError(f"no such {what} {text!r}: check the month and day") from None
    try:
        value = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            return dt.date.fromisoformat(str(text).strip()).isoformat()
        except ValueError:
            raise CrmError(f"bad {what} {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS") from None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return stamp(value)


def _connected_on(text: str) -> str:
    for pattern in ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%Y", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    raise CrmError(f"bad Connected On date {text!r}: expected a date like 26 Jul 2025")


def _boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    cleaned = str(value).strip().lower()
    if cleaned in ("true", "1", "yes", "y"):
        return True
    if cleaned in ("false", "0", "no", "n", ""):
        return False
    raise CrmError(f"bad {what} {value!r}: use true or false")


def _number(value: Any, what: str, kind=float):
    try:
        return kind(str(value).strip())
    except ValueError:
        raise CrmError(f"bad {what} {value!r}: use a number") from None


@dataclass
class ContactDraft:
    fields: dict[str, Any]
    uid: str | None
    birthday: tuple[int, int, int | None] | None
    dates: list[tuple[str, int, int, int | None]]
    created: str | None
    updated: str | None
    archived: bool


def contact_draft(raw: dict[str, Any]) -> ContactDraft:
    """Validate one record's raw fields into what the store will write."""
    fields: dict[str, Any] = {}
    name = raw.get("name") or " ".join(
        str(raw[p]).strip() for p in ("first_name", "middle_name", "last_name") if raw.get(p)
    )
    fields["name"] = name
    for key in ("company", "title", "relationship", "stage", "channel", "owner", "source", "notes"):
        if raw.get(key) is not None:
            fields[key] = str(raw[key])
    if raw.get("urls"):
        links = "\n".join(raw["urls"])
        fields["notes"] = f"{fields['notes']}\n{links}" if fields.get("notes") else links
    for key in ("emails", "phones", "tags"):
        if raw.get(key):
            fields[key] = raw[key]
    if raw.get("cadence_days") is not None:
        fields["cadence_days"] = _cadence(raw["cadence_days"])
    if raw.get("acquisition_cost") is not None:
        fields["acquisition_cost"] = _number(raw["acquisition_cost"], "acquisition cost")
    if not str(name).strip():
        raise CrmError("name is empty: give a name, or a first and last name")
    fields = clean_contact_fields(fields)
    created = raw.get("created")
    if raw.get("connected_on"):
        created = _connected_on(raw["connected_on"])
    dates = [(label, *model.special_date(*date)) for label, date in raw.get("dates", [])]
    birthday = raw.get("birthday")
    if isinstance(birthday, str):
        birthday = parse_birthday(birthday)
    return ContactDraft(
        fields=fields,
        uid=_uid(raw.get("uid")),
        birthday=birthday,
        dates=dates,  # type: ignore[arg-type]
        created=_timestamp(created, "created date") if created else None,
        updated=_timestamp(raw["updated"], "updated date") if raw.get("updated") else None,
        archived=_boolean(raw.get("archived", False), "archived"),
    )


def _cadence(value: Any) -> int:
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        if int(text) < 1:
            raise CrmError(f"bad cadence {value!r}: use a number of days of 1 or more")
        return int(text)
    from .when import parse_duration

    return parse_duration(text).days()


_UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:+/-]{0,199}$")


def _uid(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not _UID.match(text):
        raise CrmError(f"bad uid {value!r}: letters, digits and . _ @ : + / - only")
    return text


# --------------------------------------------------------------------------- planning contacts


class ContactImport:
    """Matches records against the database and each other, then writes them in one go."""

    def __init__(self, store: Store, on_duplicate: str, now: dt.datetime):
        self.store = store
        self.on_duplicate = on_duplicate
        self.now = stamp(now)
        uids, emails, self.next_id = store.contact_keys()
        self.by_uid: dict[str, Any] = dict(uids)
        self.by_email: dict[str, Any] = dict(emails)
        self.new: list[ContactDraft] = []
        self.updates: dict[int, ContactDraft] = {}
        self.summary = Summary()
        self.streaming = False  # contacts are matched against each other: written at the end

    def abort(self) -> None:
        """Nothing was written before `write`."""

    def plan(self, record: Record) -> None:
        if record.problem:
            raise CrmError(record.problem)
        draft = contact_draft(record.raw)
        match = self._match(draft)
        if match is None:
            self._remember(draft, ("new", len(self.new)))
            self.new.append(draft)
            self.summary.added += 1
            return
        if self.on_duplicate == "error":
            raise CrmError(f"{draft.fields['name']} is already here ({self._describe(match)})")
        if self.on_duplicate == "skip":
            self.summary.skipped += 1
            return
        kind, key = match
        if kind == "new":
            self.new[key] = merge_drafts(self.new[key], draft)
            self._remember(self.new[key], match)
        else:
            self.updates[key] = (
                merge_drafts(self.updates[key], draft) if key in self.updates else draft
            )
            self._remember(draft, match)
        self.summary.updated += 1

    def _match(self, draft: ContactDraft):
        if draft.uid and draft.uid in self.by_uid:
            return self.by_uid[draft.uid]
        for email in draft.fields.get("emails") or []:
            found = self.by_email.get(email.lower())
            if found is not None:
                return found
        return None

    def _remember(self, draft: ContactDraft, ref) -> None:
        if draft.uid:
            self.by_uid[draft.uid] = ref
        for email in draft.fields.get("emails") or []:
            self.by_email.setdefault(email.lower(), ref)

    def _describe(self, match) -> str:
        kind, key = match
        return (
            f"contact {key}" if kind == "db" else f"an earlier row ({self.new[key].fields['name']})"
        )

    def write(self) -> None:
        if not self.new and not self.updates:
            return  # nothing to write: leave the file untouched
        uids = new_uids(len(self.new))
        with self.store.transaction(), self.store.search_index_after("contacts", self.next_id):
            self.store.insert_contacts(
                [self._row(self.next_id + i, d, uids[i]) for i, d in enumerate(self.new)],
                [
                    (self.next_id + i, label, month, day, year, self.now)
                    for i, d in enumerate(self.new)
                    for label, month, day, year in _all_dates(d)
                ],
            )
            for contact_id, draft in self.updates.items():
                self._update(contact_id, draft)

    def _row(self, contact_id: int, draft: ContactDraft, fresh_uid: str) -> dict[str, Any]:
        values = dict(draft.fields)
        for column in ("emails", "phones", "tags"):
            values[column] = to_json_text(values.get(column) or [])
        values.update(
            id=contact_id,
            uid=draft.uid or fresh_uid,
            archived=int(draft.archived),
            created=draft.created or self.now,
            updated=draft.updated or draft.created or self.now,
        )
        return values

    def _update(self, contact_id: int, draft: ContactDraft) -> None:
        """Fill in the row's fields; its emails, phones and tags join the contact's own."""
        lists = ("emails", "phones", "tags")
        changes = {k: v for k, v in draft.fields.items() if k not in lists}
        added = {column: draft.fields.get(column) or [] for column in lists}
        now = dt.datetime.fromisoformat(self.now)
        self.store.update_contact(contact_id, changes, now, add=added, birthday=draft.birthday)
        for label, month, day, year in draft.dates:
            if not self.store.has_special_date(contact_id, label, month, day, year):
                self.store.add_special_date(contact_id, label, month, day, year, now)


def _all_dates(draft: ContactDraft):
    if draft.birthday:
        yield ("birthday", *draft.birthday)
    yield from draft.dates


def merge_drafts(old: ContactDraft, new: ContactDraft) -> ContactDraft:
    fields = {**old.fields, **{k: v for k, v in new.fields.items() if v not in (None, [], "")}}
    for column in ("emails", "phones", "tags"):
        fields[column] = model.unique(
            (old.fields.get(column) or []) + (new.fields.get(column) or [])
        )
    return ContactDraft(
        fields=fields,
        uid=old.uid or new.uid,
        birthday=new.birthday or old.birthday,
        dates=old.dates + [d for d in new.dates if d not in old.dates],
        created=old.created or new.created,
        updated=new.updated or old.updated,
        archived=new.archived,
    )


def run_import(
    planner, records: Iterable[Record], skip_invalid: bool, dry_run: bool, progress=None
):
    """Plan every record; refuse everything on a bad one unless skipping; then write.

    A planner may write batches while planning (inside one open transaction, to keep memory
    flat); a refusal or any error rolls all of it back, so the import is still all-or-nothing."""
    summary = planner.summary
    planner.streaming = not dry_run
    try:
        for record in records:
            try:
                planner.plan(record)
            except CrmError as error:
                summary.invalid.append(f"{record.where}: {error}")
                planner.streaming = skip_invalid  # refused anyway: stop writing batches
            if progress:
                progress()
        if summary.invalid and not skip_invalid:
            raise ImportRefused(summary.invalid)
        if not dry_run:
            planner.write()
    except BaseException:
        planner.abort()
        raise
    return summary


# --------------------------------------------------------------------------- interactions


class InteractionImport:
    """Interactions matched to contacts by uid, id, email or exact name; skipped if the uid is known."""

    def __init__(self, store: Store, now: dt.datetime):
        from .model import CHANNELS, DIRECTIONS, SENTIMENTS

        self.store = store
        self.now = stamp(now)
        self.contacts = store.contact_lookup()
        self.known_uids = store.interaction_uids()
        self.next_id = store.next_id("interactions")
        self.rows: list[tuple] = []
        self.links: list[tuple] = []
        self.summary = Summary()
        self.streaming = False  # run_import turns it on: batches are written as they fill
        self.open_write: ExitStack | None = None
        self.names: dict[str, int] | None = None
        self.spare_uids: list[str] = []
        self.channels, self.directions, self.sentiments = (
            set(CHANNELS),
            set(DIRECTIONS),
            set(SENTIMENTS),
        )

    def plan(self, record: Record) -> None:
        if record.problem:
            raise CrmError(record.problem)
        raw = record.raw
        uid = _uid(raw.get("uid"))
        if uid and uid in self.known_uids:
            self.summary.skipped += 1
            return
        contact_ids = self._contacts(raw)
        happened = raw.get("happened_at")
        if not happened:
            raise CrmError("happened_at is empty: give the date of the interaction")
        happened_at = _timestamp(happened, "date")
        summary = model.text(raw.get("summary"), "summary", required=True)
        channel = (raw.get("channel") or "other").strip().lower()
        direction = (raw.get("direction") or "out").strip().lower()
        sentiment = raw.get("sentiment")
        if channel not in self.channels:
            model.choice(channel, model.CHANNELS, "channel")
        if direction not in self.directions:
            model.choice(direction, model.DIRECTIONS, "direction")
        if sentiment is not None:
            sentiment = model.choice(sentiment, model.SENTIMENTS, "sentiment")
        amount = (
            model.amount(_number(raw["amount"], "amount"))
            if raw.get("amount") is not None
            else None
        )
        rating = (
            model.rating(_number(raw["rating"], "rating", int))
            if raw.get("rating") is not None
            else None
        )
        interaction_id = self.next_id
        self.next_id += 1
        if uid:
            self.known_uids.add(uid)
        else:
            uid = self._new_uid()
        created = _timestamp(raw["created"], "created date") if raw.get("created") else self.now
        kind, score, scale = _feedback(raw)
        self.rows.append(
            (interaction_id, uid, happened_at, channel, direction, summary,
             model.text(raw.get("outcome"), "outcome"), sentiment, amount, rating, created,
             kind, score, scale)
        )  # fmt: skip
        self.links.extend((cid, happened_at, interaction_id) for cid in contact_ids)
        self.summary.added += 1
        if self.streaming and len(self.rows) >= BATCH:
            self._flush()

    def _by_name(self, ref: str) -> int | None:
        """Exact names are folded only when a file names someone (emails and uids are cheaper)."""
        if self.names is None:
            self.names = self.store.name_lookup()
        return self.names.get(fold(ref))

    def _new_uid(self) -> str:
        if not self.spare_uids:
            self.spare_uids = new_uids(BATCH)[::-1]  # pop() then takes them in sorted order
        return self.spare_uids.pop()

    def _contacts(self, raw: dict[str, Any]) -> list[int]:
        refs = raw.get("contact_uids") or raw.get("contact_ids") or raw.get("contacts")
        if not refs:
            raise CrmError(
                "no contact: give a contact (email or name), contact_uid or contact_id column"
            )
        found = []
        for ref in refs:
            contact_id = self.contacts.get(ref.lower()) or self._by_name(ref)
            if contact_id is None:
                raise CrmError(f"unknown contact {ref!r}: import the contacts first")
            if contact_id == -1:
                raise CrmError(f"{ref!r} names several contacts: use an email or uid")
            found.append(contact_id)
        return list(dict.fromkeys(found))

    def _flush(self) -> None:
        """Write the planned batch inside the import's one transaction, opened on first use."""
        if not self.rows:
            return
        if self.open_write is None:
            self.open_write = ExitStack()
            self.open_write.enter_context(self.store.transaction())
            self.open_write.enter_context(
                self.store.search_index_after("interactions", self.rows[0][0])
            )
        self.store.insert_interactions(self.rows, self.links)
        self.rows, self.links = [], []

    def write(self) -> None:
        self._flush()
        if self.open_write is not None:  # nothing planned: the file is left untouched
            self.open_write.close()  # index for search, restore the trigger, commit
            self.open_write = None

    def abort(self) -> None:
        if self.open_write is not None:
            self.open_write.__exit__(*sys.exc_info())  # roll back every batch
            self.open_write = None


def _feedback(raw: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """kind / score / scale columns, as crm's own export writes them for feedback."""
    kind = (raw.get("kind") or "touch").strip().lower()
    if kind not in ("touch", "feedback"):
        raise CrmError(f"unknown kind {raw['kind']!r}: use touch or feedback")
    if kind == "touch":
        return kind, None, None
    scale = _number(raw.get("scale") or 5, "scale", int)
    score = _number(raw.get("score", ""), "score", int)
    low = 1 if scale == 5 else 0
    if scale not in (5, 10) or not low <= score <= scale:
        raise CrmError(f"bad feedback score {score}/{scale}: use 1–5 of 5 or 0–10 of 10")
    return kind, score, scale


# --------------------------------------------------------------------------- the whole backup


def import_backup(store: Store, stream: TextIO, dry_run: bool) -> Summary:
    """`crm import all`: a `crm export all` document, merged by uid (known records are skipped)."""
    from .exporter import BACKUP_FORMAT

    try:
        document = json.load(stream)
    except UnicodeDecodeError:
        raise CrmError("the backup is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise CrmError(
            f"line {error.lineno}: not valid JSON ({error.msg}): is this a `crm export all` file?"
        ) from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise CrmError("not a crm backup: expected a `crm export all --format json` document")
    summary = Summary()
    try:
        with store.transaction():
            store.restore_backup(document, summary)
            if dry_run:
                raise _DryRun  # roll back what was written, keep the counts
    except _DryRun:
        pass
    return summary


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""
