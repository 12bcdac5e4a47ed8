"""crm calendar: an RFC 5545 feed of special dates (yearly all-day events) and open follow-ups.

UIDs are the records' own uids, so a calendar app that re-subscribes updates events instead of
duplicating them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PRODID = "-//crm//crmcli//EN"
FOLLOWUP_DAYS = 365  # follow-ups due within a year are in the feed unless --days says otherwise


def _yearly_rule(row: dict[str, Any], leap_rule: str) -> dict[str, Any]:
    if (row["month"], row["day"]) == (2, 29):
        # Leap-day dates: 29 Feb in leap years, and 28 Feb or 1 Mar in the others.
        if leap_rule == "mar1":
            return {"FREQ": "YEARLY", "BYYEARDAY": 60}
        return {"FREQ": "YEARLY", "BYMONTH": 2, "BYMONTHDAY": -1}
    return {"FREQ": "YEARLY"}


def _first_day(row: dict[str, Any], today: dt.date) -> dt.date:
    """The first occurrence to anchor the yearly rule: the real date, or this year's for yearless."""
    year = row["year"] or today.year
    if (row["month"], row["day"]) == (2, 29):
        while True:
            try:
                return dt.date(year, 2, 29)
            except ValueError:
                year -= 1
    return dt.date(year, row["month"], row["day"])


def _summary(row: dict[str, Any]) -> str:
    label = row["label"]
    if label == "birthday":
        return f"{row['contact']}'s birthday"
    if label == "anniversary":
        return f"{row['contact']}'s anniversary"
    return f"{row['contact']}: {label}"


def build_calendar(
    store, today: dt.date, now: dt.datetime, days: int | None, leap_rule: str
) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "crm")
    stamp = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)
    for row in store.dates.listing():
        event = Event()
        event.add("uid", f"{row['uid']}@crm")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(row))
        start = _first_day(row, today)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(days=1))
        event.add("rrule", _yearly_rule(row, leap_rule))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [row["label"]])
        calendar.add_component(event)
    horizon = today + dt.timedelta(days=FOLLOWUP_DAYS if days is None else days)
    for row in store.followups.listing(today):
        timed = len(row["due"]) > 10  # a follow-up with a time of day is a 30-minute event
        due = dt.datetime.fromisoformat(row["due"]) if timed else dt.date.fromisoformat(row["due"])
        if (due.date() if isinstance(due, dt.datetime) else due) > horizon:
            continue
        event = Event()
        event.add("uid", f"{row['uid']}@crm")
        event.add("dtstamp", stamp)
        event.add(
            "summary",
            f"Follow up with {row['contact']}" + (f": {row['note']}" if row["note"] else ""),
        )
        event.add("dtstart", due)
        event.add("dtend", due + (dt.timedelta(minutes=30) if timed else dt.timedelta(days=1)))
        event.add("categories", ["follow-up"])
        calendar.add_component(event)
    return calendar.to_ical()
