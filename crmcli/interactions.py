"""Touches and what they bring along: an interaction with its follow-ups and complaint, a
complaint's response deadline (the SLA), a satisfaction score, and the too-much-contact warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import model, rules, settings, when
from .errors import UsageError
from .rules import not_in_future
from .store import Store

Row = dict[str, Any]


@dataclass
class Logged:
    interaction_id: int
    messages: list[str] = field(default_factory=list)


def complaint_deadline(
    store: Store, opened: dt.datetime, due: str | None, today: dt.date, now: dt.datetime
) -> dt.datetime:
    """--due as a duration from the opening or a moment; by default the `sla` setting."""
    if due is None:
        return settings.sla(store).add_to(opened)
    return when.parse_deadline(due, opened, today, now)


def record_interaction(
    store: Store,
    contacts: list[Row],
    fields: Row,
    now: dt.datetime,
    follow_up_due: dt.date | dt.datetime | None = None,
    follow_up_note: str | None = None,
    complaint: bool = False,
    allow_future: bool = False,
) -> Logged:
    """One transaction: the interaction, then a follow-up and/or complaint per contact.
    Every check (the load limit included) runs before the commit. Without a channel, the
    contacts' preferred channel is used (when they share one)."""
    if follow_up_due is None and follow_up_note:
        raise UsageError("--follow-up-note needs --follow-up WHEN")
    contact_ids = [c["id"] for c in contacts]
    happened = fields["happened_at"]
    not_in_future(happened, now.date(), "--when", allow_future)
    preferred = {c["channel"] for c in contacts}
    if "channel" not in fields and len(preferred) == 1 and None not in preferred:
        fields = {**fields, "channel": preferred.pop()}
    if "awaits_reply" not in fields:
        waits = rules.awaits_reply(fields.get("direction"), fields.get("channel"))
        fields = {**fields, "awaits_reply": waits}
    with store.transaction():
        interaction_id = store.interactions.add(contact_ids, fields, now)
        logged = Logged(interaction_id)
        names = ", ".join(c["name"] for c in contacts)
        logged.messages.append(f"logged interaction {interaction_id} with {names}")
        for contact in contacts:
            if follow_up_due is not None:
                fid = store.followups.add(
                    contact["id"], follow_up_due, follow_up_note, now, interaction_id
                )
                due = when.stamp(follow_up_due).replace("T", " ")[:16]
                logged.messages.append(f"follow-up {fid} with {contact['name']} due {due}")
            if complaint:
                opened = when.as_datetime(happened)
                deadline = complaint_deadline(store, opened, None, now.date(), now)
                cid = store.complaints.add(
                    contact["id"], fields["summary"], opened, deadline, interaction_id
                )
                logged.messages.append(f"complaint {cid} opened for {contact['name']}")
        warnings = load_warnings(store, contacts, fields, happened)
    if fields.get("sentiment") == "negative" and not complaint:
        logged.messages.append(
            "negative interaction logged; if it is a complaint, open one with `crm complaint add`"
        )
    logged.messages.extend(warnings)
    return logged


def load_warnings(store: Store, contacts: list[Row], fields: Row, happened) -> list[str]:
    """Warn when an outbound touch makes a contact over-contacted (see `load_limit`)."""
    if (fields.get("direction") or "out") != "out":
        return []
    from .insights import LOAD_DAYS, load_limit

    limit = load_limit(store)
    day = when.as_datetime(happened).date()
    warnings = []
    for contact in contacts:
        count = store.interactions.outbound_count(
            contact["id"], day - dt.timedelta(days=LOAD_DAYS - 1), day
        )
        if count > limit:
            warnings.append(
                f"warning: {contact['name']} has had {count} outbound touches in {LOAD_DAYS} days "
                f"(limit {limit}): too much contact?"
            )
    return warnings


def add_feedback(
    store: Store,
    contact: Row,
    score: Any,
    scale: Any,
    comment: str | None,
    happened: dt.date | dt.datetime,
    now: dt.datetime,
    allow_future: bool = False,
) -> int:
    """A satisfaction score as an interaction of its own (kind 'feedback', inbound)."""
    not_in_future(happened, now.date(), "--when", allow_future)
    checked_score, checked_scale = model.feedback(score, scale)
    summary = model.text(comment, "comment") or f"feedback {checked_score}/{checked_scale}"
    return store.interactions.add(
        [contact["id"]],
        {"summary": summary, "channel": "other", "direction": "in", "happened_at": happened,
         "kind": "feedback", "score": checked_score, "scale": checked_scale,
         "rating": checked_score if checked_scale == 5 else None},
        now,
    )  # fmt: skip


def touch(store: Store, contact: Row, summary: str, now: dt.datetime) -> int:
    """An outbound interaction recording that something was done with a contact (a follow-up
    finished, a complaint answered), so it counts for the keep-in-touch cadence."""
    return store.interactions.add(
        [contact["id"]],
        {"summary": summary, "channel": contact["channel"] or "other", "direction": "out",
         "happened_at": now},
        now,
    )  # fmt: skip


def complete_followup(
    store: Store, followup_id: int, note: str | None, now: dt.datetime, counts: bool = True
) -> Row:
    """Mark a follow-up done; unless told otherwise it counts as a touch (an interaction)."""
    with store.transaction():
        row = store.followups.complete(followup_id, note, now)
        if counts:
            what = note or row["note"] or "follow-up"
            touch(store, store.contacts.get(row["contact_id"]), f"follow-up done: {what}", now)
    return row


def respond_complaint(
    store: Store, complaint_id: int, note: str | None, now: dt.datetime, counts: bool = True
) -> Row:
    """Record the first response to a complaint; unless told otherwise it counts as a touch."""
    with store.transaction():
        row = store.complaints.respond(complaint_id, note, now)
        if counts:
            summary = f"responded to complaint: {note or row['summary']}"
            touch(store, store.contacts.get(row["contact_id"]), summary, now)
    return row
