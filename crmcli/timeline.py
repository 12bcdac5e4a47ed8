"""`crm contact show`: one contact's fields and timeline, gathered for the output layer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import columns, when
from .output import Section
from .store import Store

Row = dict[str, Any]
INTERACTIONS_SHOWN = 20  # the latest interactions `contact show` lists by default


def contact_page(
    store: Store, contact: Row, today: dt.date, now: dt.datetime, limit: int | None
) -> Row:
    contact_id = contact["id"]
    page = dict(contact)
    if contact.get("tz"):
        page["their_time"] = when.their_time(now, contact["tz"])
    page["interaction_count"] = store.interactions.count(contact_id)
    summary = store.reports.contact_summary(contact_id)
    page["revenue"] = summary.get("revenue") or 0
    page["lifetime_value"] = round(page["revenue"] - (contact["acquisition_cost"] or 0), 2)
    page["last_sale"] = summary.get("last_sale")
    page["average_score"] = _rounded(summary.get("average_score"))
    page["last_feedback"] = summary.get("last_feedback")
    page["interactions"] = store.interactions.of_contact(contact_id, limit)
    page["special_dates"] = store.dates.listing(contact_id)
    page["followups"] = store.followups.listing(today, include_done=True, contact_id=contact_id)
    page["complaints"] = store.complaints.listing(now, include_resolved=True, contact_id=contact_id)
    page["stage_changes"] = store.stages.history(contact_id)
    page["dated_notes"] = store.notes.listing(contact_id)
    return page


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def sections(page: Row) -> list[Section]:
    """The timeline's parts; a part with nothing in it is left out."""
    parts = []
    for key, shown in columns.TIMELINE.items():
        title = key.replace("_", " ")
        if key == "interactions" and page["interaction_count"] > len(page[key]):
            title += f" (latest {len(page[key])} of {page['interaction_count']})"
        parts.append(Section(key, title, shown, optional=True))
    return parts
