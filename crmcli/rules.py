"""Rules about a record among records: the one home of each, called by every door.

Field rules (is this a date, an email, a stage?) live in `model`; these are the rules that need
the other records to decide — one date per label, things that happened are not in the future,
an interaction is imported once, an amount shared by several people is counted once, when two
phones or two emails are the same, how a stage moves, how two contacts' lists merge. Pure: no
I/O and no SQL; the store and the domain modules hand in what the rule needs to see.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import model
from .errors import CrmError
from .model import Row, fold
from .wording import article

# --------------------------------------------------------------------------- one date per label


def label_key(label: str) -> str:
    """Labels compare as the one folding function folds them: "Name day", "NAME DAY" and
    "name  day" are one label; so are "Namensträger" spelt with ä or with a + ¨."""
    return " ".join(fold(label).split())


def date_of(record: Row) -> tuple[int, int, int | None]:
    return record["month"], record["day"], record.get("year")


def date_text(month: int, day: int, year: int | None) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def holder_of_label(existing: Iterable[Row], label: str, but: int | None = None) -> Row | None:
    """The date among `existing` (a contact's) that already has `label`, other than the one
    whose id is `but` (a date being edited)."""
    wanted = label_key(label)
    for date in existing:
        if (but is None or date.get("id") != but) and label_key(date["label"]) == wanted:
            return date
    return None


def refuse_second_date(contact: str, holder: Row, mend: str) -> CrmError:
    """The error a door raises for a second date of one label."""
    shown = date_text(*date_of(holder))
    return CrmError(
        f"{contact} already has {article(holder['label'])} ({shown}, date {holder['id']}): {mend}"
    )


@dataclass
class DatePlan:
    """What an incoming set of dates does to a contact's stored ones."""

    add: list[Row] = field(default_factory=list)  # new labels
    change: list[tuple[int, Row]] = field(default_factory=list)  # (stored id, new date)
    remove: list[int] = field(default_factory=list)  # stored ids (only when replacing)
    notes: list[str] = field(default_factory=list)  # what was left out, and why


def one_per_label(dates: Sequence[Row]) -> tuple[list[Row], list[str]]:
    """Dates of one record with each label once: a repeat of the same day is dropped
    silently (Apple writes an anniversary twice), a second day for a label is left out and
    said."""
    kept: dict[str, Row] = {}
    notes = []
    for date in dates:
        key = label_key(date["label"])
        first = kept.get(key)
        if first is None:
            kept[key] = date
        elif date_of(first)[:2] == date_of(date)[:2]:
            if first.get("year") is None and date.get("year") is not None:
                kept[key] = {**first, "year": date["year"]}  # the fuller form of one date
        else:
            notes.append(
                f"two {date['label']} dates ({date_text(*date_of(first))} and "
                f"{date_text(*date_of(date))}): the first is kept (one date per label)"
            )
    return list(kept.values()), notes


def plan_dates(stored: Sequence[Row], incoming: Sequence[Row], replace: bool) -> DatePlan:
    """Incoming dates (a file's record, a card) laid onto a contact's stored ones, one per
    label: a label already there takes the incoming day (the stored date keeps its uid, so a
    calendar subscriber sees the same event moved); a new label is added. `replace` (a card
    edited elsewhere is the whole truth) also removes stored labels the card no longer has."""
    plan = DatePlan()
    dates, plan.notes = one_per_label(incoming)
    seen: set[int] = set()
    for date in dates:
        holder = holder_of_label(stored, date["label"])
        if holder is None:
            plan.add.append(date)
            continue
        seen.add(holder["id"])
        if not replace and date.get("year") is None and date_of(holder)[:2] == date_of(date)[:2]:
            continue  # a file without the year says less than what is stored, not otherwise
        if date_of(holder) != date_of(date) or (replace and holder["label"] != date["label"]):
            plan.change.append((holder["id"], date))
    if replace:
        plan.remove = [date["id"] for date in stored if date["id"] not in seen]
    return plan


def merge_dates(
    keep: Sequence[Row], other: Sequence[Row]
) -> tuple[list[int], list[Row], list[str]]:
    """Special dates when `other` is merged into `keep`: the ids of other's dates that move
    (labels keep lacks), years filled in (keep's date without a year, other's the same day
    with one: (id, {"year": …})), and a line for each of other's dates left out."""
    moved, filled, notes = [], [], []
    for date in other:
        holder = holder_of_label(keep, date["label"])
        if holder is None:
            moved.append(date["id"])
        elif date_of(holder)[:2] == date_of(date)[:2]:
            if holder.get("year") is None and date.get("year") is not None:
                filled.append({"id": holder["id"], "year": date["year"]})
        else:
            notes.append(
                f"{date['label']} {date_text(*date_of(date))} of the merged contact left out: "
                f"the kept contact's is {date_text(*date_of(holder))} (one date per label)"
            )
    return moved, filled, notes


def repeated_labels(dates: Iterable[Row]) -> list[str]:
    """Labels a contact holds more than once (for `crm doctor`)."""
    seen: dict[str, int] = {}
    for date in dates:
        key = label_key(date["label"])
        seen[key] = seen.get(key, 0) + 1
    return sorted(key for key, count in seen.items() if count > 1)


# --------------------------------------------------------------------------- what happened


def not_in_future(moment: dt.date, today: dt.date, what: str, allow: bool = False) -> None:
    """Things that happened cannot happen after today: a typo for last year must not hide a
    contact from `crm overdue` for months. (Follow-ups and deadlines are in the future by
    nature; a backup or the trash brings back what was, and is not asked again.)"""
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if day > today and not allow:
        raise CrmError(
            f"{what} {day} is in the future: give when it happened (a typo?), "
            "or add --allow-future if you mean it"
        )


# --------------------------------------------------------------------------- imported once

ORIGIN_FIELDS = (
    "happened_at", "kind", "channel", "direction", "summary", "outcome", "sentiment", "amount",
    "rating", "score", "scale",
)  # fmt: skip


def origin_key(record: Row, contact_uids: Sequence[str]) -> str:
    """What a uid-less row of a file is, as a short stable text: its checked fields and the
    people it names. Stored with the interaction (`origin`), so the same row read again — the
    same file imported twice — is known whatever happened to the interaction since. Two rows
    alike in every field are one interaction (a time of day or a uid tells two apart)."""
    import hashlib

    content = [record.get(key) for key in ORIGIN_FIELDS]
    content.append(sorted(contact_uids))
    digest = hashlib.blake2b(
        json.dumps(content, ensure_ascii=False, default=str).encode(), digest_size=12
    )
    return "row:" + digest.hexdigest()


# --------------------------------------------------------------------------- money


def amount_share(amount: float | None, people: int) -> float | None:
    """One interaction's amount as each of its people's share of it: split evenly, so the
    revenue of every contact adds up to the money received, once. (The store's reports say the
    same in SQL: AMOUNT_SHARE.)"""
    if amount is None:
        return None
    return amount / max(people, 1)


# In SQL, for an interaction `i`: its amount divided among the people linked to it.
AMOUNT_SHARE = (
    "(i.amount / (SELECT count(*) FROM interaction_contacts s WHERE s.interaction_id = i.id))"
)


# --------------------------------------------------------------------------- sameness


def email_key(email: str) -> str:
    """An email compared to others: any case, and one Unicode form (an address typed on a Mac
    in NFD and the same one in NFC are one address)."""
    return unicodedata.normalize("NFC", email).casefold()


@functools.lru_cache(maxsize=65_536)  # an import compares each phone several times
def phone_keys(phone: str, region: str | None = None) -> frozenset[str]:
    """What a phone is compared by: its E.164 form (with the user's default region for numbers
    written without a country), and its national digits — so +351 912 345 678 and 912345678 are
    one number, and a number whose country is unknown still meets its international form."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 6:
        return frozenset({f"digits:{digits}"} if digits else ())
    import phonenumbers

    if not region and phone.lstrip().startswith("00"):  # 00 is the international prefix
        phone = "+" + digits[2:]  # of most countries: enough to read it without a region
    try:
        number = phonenumbers.parse(phone, region or None)
    except phonenumbers.NumberParseException:
        return frozenset({f"national:{digits.lstrip('0')}"})
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    extension = f";ext={number.extension}" if number.extension else ""  # another line
    return frozenset({e164 + extension, f"national:{number.national_number}{extension}"})


def same_phone(first: str, second: str, region: str | None = None) -> bool:
    return bool(phone_keys(first, region) & phone_keys(second, region))


def unique_phones(phones: Sequence[str], region: str | None = None) -> list[str]:
    """Phones with each number once, as first written."""
    kept: list[str] = []
    seen: set[str] = set()
    for phone in phones:
        keys = phone_keys(phone, region) or {phone.casefold()}
        if not keys & seen:
            kept.append(phone)
        seen |= keys
    return kept


def unique_emails(emails: Sequence[str]) -> list[str]:
    kept: dict[str, str] = {}
    for email in emails:
        kept.setdefault(email_key(email), email)
    return list(kept.values())


def merged_lists(keep: Row, other: Row, region: str | None = None) -> Row:
    """Emails, phones and tags of two contacts joined, each once (phones by their number,
    emails by email_key, tags folded), the kept contact's first."""
    return {
        "emails": unique_emails([*keep.get("emails", []), *other.get("emails", [])]),
        "phones": unique_phones([*keep.get("phones", []), *other.get("phones", [])], region),
        "tags": model.unique([*keep.get("tags", []), *other.get("tags", [])]),
    }


def without_items(items: Sequence[str], removed: Sequence[str], column: str, region=None):
    """A list with the items `removed` left out, compared as that list compares its items."""
    if column == "phones":
        return [p for p in items if not any(same_phone(p, r, region) for r in removed)]
    key = email_key if column == "emails" else fold
    gone = {key(item) for item in removed}
    return [item for item in items if key(item) not in gone]


# --------------------------------------------------------------------------- replies


awaits_reply = model.awaits_reply  # (its home is the model's values: a field's own rule)


# --------------------------------------------------------------------------- stages


def stage_move(name: str, current: str | None, target: Any) -> str:
    """The stage a move goes to, checked; moving to the stage a contact is in is refused."""
    stage = model.choice(target, model.STAGES, "stage")
    if stage is None:
        raise CrmError("give a stage: " + ", ".join(model.STAGES))
    if stage == current:
        raise CrmError(f"{name} is already in stage {stage}")
    return stage


def stage_after_removal(
    contact_stage: str | None, removed: Row, history: Sequence[Row]
) -> tuple[bool, str | None]:
    """Whether, and where, a contact moves once a stage change is removed: a wrong move that
    put it at its stage (even backdated) steps back to the latest remaining move, or to where
    the removed one found it; a contact that has moved on since (or was set by hand) stays."""
    if contact_stage != removed["to_stage"]:
        return False, None
    return True, history[-1]["to_stage"] if history else removed["from_stage"]
