"""Recording an interaction with what it may bring along: follow-ups, a complaint, warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import settings
from .errors import CrmError


@dataclass
class Logged:
    interaction_id: int
    messages: list[str] = field(default_factory=list)


def complaint_deadline(store, opened: dt.datetime) -> dt.datetime:
    from .when import parse_duration

    return parse_duration(settings.get(store, "sla")).add_to(opened)


def as_datetime(moment: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(0))


def record_interaction(
    store, contacts, fields, happened, now, follow_up_due=None, follow_up_note=None, complaint=False
) -> Logged:
    """One transaction: the interaction, then a follow-up and/or complaint per contact."""
    if follow_up_due is None and follow_up_note:
        raise CrmError("--follow-up-note needs --follow-up WHEN")
    contact_ids = [c["id"] for c in contacts]
    with store.transaction():
        interaction_id = store.add_interaction(contact_ids, fields, happened, now)
        logged = Logged(interaction_id)
        names = ", ".join(c["name"] for c in contacts)
        logged.messages.append(f"logged interaction {interaction_id} with {names}")
        for contact in contacts:
            if follow_up_due is not None:
                fid = store.add_followup(
                    contact["id"], follow_up_due, follow_up_note, now, interaction_id
                )
                logged.messages.append(
                    f"follow-up {fid} with {contact['name']} due {follow_up_due}"
                )
            if complaint:
                opened = as_datetime(happened)
                cid = store.add_complaint(
                    contact["id"], fields["summary"], opened, complaint_deadline(store, opened),
                    interaction_id,
                )  # fmt: skip
                logged.messages.append(f"complaint {cid} opened for {contact['name']}")
    if fields.get("sentiment") == "negative" and not complaint:
        logged.messages.append(
            "negative interaction logged; if it is a complaint, open one with `crm complaint add`"
        )
    logged.messages.extend(load_warnings(store, contacts, fields, happened))
    return logged


def load_warnings(store, contacts, fields, happened) -> list[str]:
    """Warn when an outbound touch makes a contact over-contacted (see `load_limit`)."""
    if (fields.get("direction") or "out") != "out":
        return []
    limit = int(settings.get(store, "load_limit"))
    day = as_datetime(happened).date()
    warnings = []
    for contact in contacts:
        count = store.outbound_count(contact["id"], day - dt.timedelta(days=6), day)
        if count > limit:
            warnings.append(
                f"warning: {contact['name']} has had {count} outbound touches in 7 days "
                f"(limit {limit}): too much contact?"
            )
    return warnings
