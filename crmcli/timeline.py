"""`crm contact show`: one contact's fields and timeline, gathered and rendered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import output

Row = dict[str, Any]

SECTIONS = {
    "interactions": (
        "id",
        "happened_at",
        "channel",
        "direction",
        "summary",
        "outcome",
        "amount",
        "rating",
    ),
    "special_dates": ("id", "label", "date"),
    "followups": ("id", "due", "note", "done_at"),
    "complaints": ("id", "opened", "summary", "due", "breached", "responded_at", "resolved_at"),
    "stage_changes": ("changed_at", "from_stage", "to_stage", "reason"),
}


def contact_page(store, contact: Row, today: dt.date, now: dt.datetime, limit: int | None) -> Row:
    contact_id = contact["id"]
    page = dict(contact)
    page["interaction_count"] = store.count_interactions(contact_id)
    summary = store.contact_summary(contact_id)
    page["revenue"] = summary.get("revenue") or 0
    page["lifetime_value"] = round(page["revenue"] - (contact["acquisition_cost"] or 0), 2)
    page["last_sale"] = summary.get("last_sale")
    page["average_score"] = _rounded(summary.get("average_score"))
    page["last_feedback"] = summary.get("last_feedback")
    page["interactions"] = store.contact_interactions(contact_id, limit)
    page["special_dates"] = store.list_special_dates(contact_id)
    page["followups"] = store.list_followups(today, include_done=True, contact_id=contact_id)
    page["complaints"] = store.list_complaints(now, include_resolved=True, contact_id=contact_id)
    page["stage_changes"] = store.stage_history(contact_id)
    return page


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def render_page(page: Row, fmt: str) -> None:
    if fmt in ("json", "jsonl"):
        output.render_record(page, fmt)
        return
    fields = {k: v for k, v in page.items() if k not in SECTIONS}
    output.render_record(fields, "plain" if fmt in ("table", "plain") else fmt)
    if fmt in ("csv", "tsv"):
        return
    for section, columns in SECTIONS.items():
        rows = page[section]
        if rows:
            print()
            title = section.replace("_", " ")
            if section == "interactions" and page["interaction_count"] > len(rows):
                title += f" (latest {len(rows)} of {page['interaction_count']})"
            output.render(rows, fmt, columns=columns, title=title)
