"""Every record can be corrected or removed: interactions, follow-ups, complaints, special
dates, stage changes and notes. A removal goes to the trash like a contact does (and, like
every change, can be undone with `crm undo`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from . import interactions, model, rules, trash, when
from .errors import UsageError
from .rules import not_in_future
from .store import Store

Row = dict[str, Any]


# --------------------------------------------------------------------------- finding


def _getter(store: Store, kind: str, now: dt.datetime) -> Callable[[int], Row]:
    getters: dict[str, Callable[[int], Row]] = {
        "interaction": store.interactions.get,
        "followup": store.followups.get,
        "complaint": lambda record_id: store.complaints.get(record_id, now),
        "date": store.dates.get,
        "stage change": store.stages.get,
        "note": store.notes.get,
    }
    return getters[kind]


def get(store: Store, kind: str, record_id: int, now: dt.datetime) -> Row:
    return _getter(store, kind, now)(record_id)


def describe(kind: str, row: Row) -> str:
    """One line saying which record this is, for questions and confirmations."""
    who = row.get("contacts") or row.get("contact") or ""
    details = {
        "interaction": lambda: f"{row['happened_at'][:16].replace('T', ' ')} {row['summary']}",
        "followup": lambda: f"due {row['due'][:16].replace('T', ' ')} {row['note'] or ''}".strip(),
        "complaint": lambda: f"{row['summary']}",
        "date": lambda: f"{row['label']} {row['date']}",
        "stage change": lambda: (
            f"{row['from_stage'] or 'no stage'} → {row['to_stage']} on {row['changed_at'][:10]}"
        ),
        "note": lambda: f"{row['written_at'][:10]} {row['text'][:60]}",
    }[kind]()
    return f"{kind} {row['id']} of {who}: {details}"


def remove(store: Store, kind: str, record_id: int, now: dt.datetime) -> tuple[str, int]:
    """Move one record to the trash; returns what it was and the trash id."""
    row = get(store, kind, record_id, now)
    label = describe(kind, row)
    with store.transaction():
        trash_id = trash.delete_record(store, kind, row, label, now)
        if kind == "stage change":
            _stage_after_removal(store, row, now)
    return label, trash_id


def _stage_after_removal(store: Store, removed: Row, now: dt.datetime) -> None:
    """Removing the move that put a contact at its stage (a wrong one, even backdated) puts
    the contact where its latest remaining move took it (or where the removed one found it)."""
    contact = store.contacts.get(removed["contact_id"])
    history = store.stages.history(removed["contact_id"])
    moves, stage = rules.stage_after_removal(contact["stage"], removed, history)
    if moves:
        store.contacts.update(removed["contact_id"], {"stage": stage}, now)


def open_complaint(
    store: Store,
    contact: Row,
    summary: str,
    opened: dt.datetime,
    due: str | None,
    now: dt.datetime,
    allow_future: bool = False,
) -> tuple[int, dt.datetime]:
    """A complaint raised at `opened` (not after today), due by --due or the `sla` setting.
    Returns its id and deadline."""
    not_in_future(opened, now.date(), "--when", allow_future)
    deadline = interactions.complaint_deadline(store, opened, due, now.date(), now)
    return store.complaints.add(contact["id"], summary, opened, deadline), deadline


def move_stage(
    store: Store,
    contact: Row,
    to_stage: str,
    moment: dt.date | dt.datetime,
    reason: str | None,
    now: dt.datetime,
    allow_future: bool = False,
) -> Row:
    """A dated move through the lifecycle (not after today); returns the contact after it."""
    not_in_future(moment, now.date(), "--when", allow_future)
    current = store.contacts.get(contact["id"])
    stage = rules.stage_move(current["name"], current["stage"], to_stage)
    with store.transaction():
        store.contacts.update(contact["id"], {"stage": stage}, now)
        store.stages.record(contact["id"], current["stage"], stage, moment, reason)
    return store.contacts.get(contact["id"])


# --------------------------------------------------------------------------- changing


def edit_interaction(
    store: Store,
    interaction_id: int,
    changes: Row,
    people: list[Row] | None,
    today: dt.date,
    allow_future: bool = False,
) -> Row:
    """Correct an interaction: its fields, when it happened, or who took part."""
    store.interactions.get(interaction_id)
    if not changes and people is None:
        raise UsageError("nothing to change: give at least one option, e.g. --summary or --when")
    if "happened_at" in changes:
        not_in_future(changes["happened_at"], today, "--when", allow_future)
    ids = [person["id"] for person in people] if people is not None else None
    store.interactions.update(interaction_id, changes, ids)
    return store.interactions.get(interaction_id)


def edit(store: Store, kind: str, record_id: int, changes: Row, now: dt.datetime) -> Row:
    """Change the fields of a follow-up, complaint, special date or note."""
    if not changes:
        raise UsageError("nothing to change: give at least one option")
    table = {"followup": "followups", "complaint": "complaints", "date": "special_dates",
             "note": "notes"}[kind]  # fmt: skip
    current = get(store, kind, record_id, now)
    if kind == "complaint":  # the deadline rule links two fields: check them together
        merged = {"opened": current["opened"], "due": current["due"], **changes}
        model.check("complaints", {"summary": current["summary"], **merged})
    if kind == "date" and "label" in changes:
        label = model.label(changes["label"])
        others = store.dates.listing(current["contact_id"])
        holder = rules.holder_of_label(others, label, but=record_id)
        if holder is not None:
            raise rules.refuse_second_date(
                current["contact"], holder, "give another label, or remove that one first"
            )
    store.change_record(table, record_id, changes)
    return get(store, kind, record_id, now)


def edit_complaint(
    store: Store,
    complaint_id: int,
    summary: str | None,
    opened: dt.datetime | None,
    due: str | None,
    today: dt.date,
    now: dt.datetime,
    allow_future: bool = False,
) -> Row:
    """Correct a complaint; a new deadline given as a duration counts from its opening."""
    from .interactions import complaint_deadline

    current = store.complaints.get(complaint_id, now)
    changes: Row = {"summary": summary, "opened": opened}
    if opened is not None:
        not_in_future(opened, today, "--when", allow_future)
    if due is not None:
        start = opened or dt.datetime.fromisoformat(current["opened"])
        changes["due"] = complaint_deadline(store, start, due, today, now)
    changes = {key: value for key, value in changes.items() if value is not None}
    return edit(store, "complaint", complaint_id, changes, now)


def date_fields(text: str | None, label: str | None) -> Row:
    """`crm date edit ID [--date D] [--label L]` as special-date fields."""
    changes: Row = {}
    if text is not None:
        month, day, year = when.parse_special_date(text)
        changes.update(month=month, day=day, year=year)
    if label is not None:
        changes["label"] = label
    return changes


def add_date(store: Store, contact: Row, label: str, text: str, now: dt.datetime) -> int:
    """A special date; a contact has one date per label (change it with `crm date edit`)."""
    fields = {"label": label, **date_fields(text, None), "created": now}
    checked = model.check("special_dates", fields)
    holder = rules.holder_of_label(store.dates.listing(contact["id"]), checked["label"])
    if holder is not None:
        raise rules.refuse_second_date(
            contact["name"], holder, f"change it with `crm date edit {holder['id']} --date …`"
        )
    return store.dates.add(contact["id"], fields)


def add_note(store: Store, contact: Row, text: str, now: dt.datetime) -> int:
    return store.notes.add(contact["id"], {"written_at": now, "text": text})
