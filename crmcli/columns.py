"""What a person sees of each listing: the columns of every table, in one place.

Table, plain and markdown show these columns; CSV, TSV and JSON always carry every field of
the rows (their keys are the contract scripts rely on). Reports of several parts are declared
here as their sections, which the output layer renders in every format.
"""

from .output import Section

CONTACTS = ("id", "name", "email", "phone", "company", "tags", "stage", "last_interaction")
OVERDUE = (
    "kind", "contact", "due", "days_overdue", "reason", "last_interaction", "channel", "email",
    "phone",
)  # fmt: skip
SUGGEST = ("contact", "through", "every", "days_since", "reason", "channel", "email", "phone")
UPCOMING = ("date", "in_days", "contact", "label", "years", "channel", "email", "phone")
COMPLAINTS = (  # whether it is past its deadline before how old it is
    "id", "contact", "summary", "due", "breached", "age_days", "responded", "opened", "channel",
    "email", "phone",
)  # fmt: skip
COMPLAINTS_ALL = (*COMPLAINTS, "resolved_at")
FOLLOWUPS = ("id", "contact", "due", "days_overdue", "note", "channel", "email", "phone", "done_at")
DATES = ("id", "contact", "label", "date")
SEARCH = ("kind", "contact", "happened_at", "snippet")
HISTORY = ("id", "at", "command", "changed", "state")
DUPLICATES = ("id", "name", "other_id", "other_name", "reason")
NOTES = ("id", "contact", "written_at", "text")
TRASH = ("id", "kind", "name", "deleted_at", "purge_after", "contact_uid")  # the uid: last
MEETINGS = (  # who, and the context before the call, ahead of the meeting's own title
    "starts_at", "contact", "last_interaction", "meeting", "last_summary", "last_channel",
    "location", "their_time",
)  # fmt: skip
VALUE = ("contact", "revenue", "cost", "lifetime_value", "first_sale", "last_sale", "months_active")

# The timeline sections of `crm contact show`.
TIMELINE = {
    "interactions": (
        "id", "happened_at", "channel", "direction", "summary", "source", "outcome", "amount",
        "rating",
    ),
    "special_dates": ("id", "label", "date"),
    "followups": ("id", "due", "note", "done_at"),
    "complaints": ("id", "opened", "summary", "due", "breached", "responded_at", "resolved_at"),
    "stage_changes": ("id", "changed_at", "from_stage", "to_stage", "reason"),
    "dated_notes": ("id", "written_at", "text"),  # `notes` is the contact's one-line summary
}  # fmt: skip


def digest_sections(gap_title: str) -> tuple[Section, ...]:
    """The digest's parts; the dates since the last run are "missed" only on scheduled days."""
    return (
        Section("meetings", "Meetings today", MEETINGS, count=True, optional=True),
        Section("overdue", "Overdue", OVERDUE, count=True),
        Section("upcoming", "Upcoming", UPCOMING, count=True),
        Section("complaints", "Open complaints", COMPLAINTS, count=True),
        Section("missed", gap_title, UPCOMING, count=True, optional=True),
    )


RETENTION = (
    Section("stages", "Contacts per stage now"),
    Section("flows", "Moves in the period"),
    Section("dissolutions", "Dissolutions"),
    Section("relationships", "Relationship types"),
)
SATISFACTION = (
    Section("trend", "Per month"),
    Section("low_scores_not_contacted_since", "Low scores not contacted since"),
)
VALUE_REPORT = (Section("contacts", "Per contact", VALUE),)
ACTIVITY = (
    Section("months", "Interactions per month", bars=("month", "interactions")),
    Section("pipeline", "Pipeline by stage", bars=("stage", "contacts")),
)
