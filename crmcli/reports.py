"""The daily question: overdue follow-ups, upcoming dates, open complaints, and the digest.

SQL finds the rows (store.py); this module decides which calendar days a report covers and
what the digest says about them. `today` / `now` always come in as arguments.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from . import settings, when
from .store import Store
from .wording import plural

Row = dict[str, Any]
LEAP_DAY_FALLS_ON = {"feb28": (2, 28), "mar1": (3, 1)}


def occurrence_keys(start: dt.date, end: dt.date, leap_rule: str) -> dict[int, list[dt.date]]:
    """month * 100 + day → the days in [start, end] on which a date with that key falls.

    In a common year 29 February falls on 28 February (`feb28`) or 1 March (`mar1`).
    """
    keys: dict[int, list[dt.date]] = {}
    day = start
    while day <= end:
        keys.setdefault(day.month * 100 + day.day, []).append(day)
        if not calendar.isleap(day.year) and (day.month, day.day) == LEAP_DAY_FALLS_ON[leap_rule]:
            keys.setdefault(229, []).append(day)
        day += dt.timedelta(days=1)
    return keys


def special_dates_between(
    store: Store, start: dt.date, end: dt.date, today: dt.date, leap_rule: str
):
    """Every occurrence of a special date from `start` to `end`, soonest first."""
    keys = occurrence_keys(start, end, leap_rule)
    rows = []
    for row in store.dates.on(list(keys)):
        for day in keys[row["month"] * 100 + row["day"]]:
            if row["year"] is not None and day.year < row["year"]:
                continue  # the date has not happened yet in that year
            rows.append(
                {
                    "contact_id": row["contact_id"],
                    "contact": row["contact"],
                    "label": row["label"],
                    "date": day.isoformat(),
                    "in_days": (day - today).days,
                    "years": day.year - row["year"] if row["year"] is not None else None,
                    "id": row["id"],
                    "channel": row["channel"],
                    "email": row["email"],
                    "phone": row["phone"],
                }
            )
    rows.sort(key=lambda r: (r["date"], r["contact"].casefold(), r["label"]))
    return rows


def upcoming(store: Store, today: dt.date, days: int, leap_rule: str) -> list[Row]:
    return special_dates_between(store, today, today + dt.timedelta(days=days), today, leap_rule)


# --------------------------------------------------------------------------- the digest

LAST_RUN_KEY = "digest_last_run"


def week_end(today: dt.date, week_start: str) -> dt.date:
    """The last day of this calendar week (Sunday, or Saturday when weeks start on Sunday)."""
    last_weekday = 6 if week_start == "monday" else 5
    return today + dt.timedelta(days=(last_weekday - today.weekday()) % 7)


def run_digest(
    store: Store, today: dt.date, now: dt.datetime, days: int | None, leap_day: str | None
) -> Row:
    """The digest with the settings' defaults for what was not given. The run is remembered
    by the caller once the report is out (`remember_run`): a digest that could not be written
    is no run, and what fell that day is listed as missed the next time."""
    return digest(
        store, today, now, settings.days_ahead(store, days), settings.leap_rule(store, leap_day),
        settings.get(store, "week_start"), when.parse_weekdays(settings.get(store, "digest_days")),
    )  # fmt: skip


def is_empty(report: Row) -> bool:
    """Nothing due, coming, open, met today or missed: a cron digest says nothing."""
    return not any(
        report[key] for key in ("overdue", "upcoming", "complaints", "meetings", "missed")
    )


def digest(
    store: Store,
    today: dt.date,
    now: dt.datetime,
    days: int,
    leap_rule: str,
    week_start: str = "monday",
    schedule: frozenset[int] = when.DAILY,
) -> Row:
    """The three reports, a summary line, and the special dates that fell since the digest last
    ran. Days the digest is not scheduled on (`digest_days`) are not counted as missed."""
    last_run = store.settings.get("state", LAST_RUN_KEY)
    missed_days, missed = 0, []
    if last_run:
        last = dt.date.fromisoformat(last_run)
        gap = [last + dt.timedelta(days=n) for n in range(1, (today - last).days)]
        missed_days = sum(1 for day in gap if day.weekday() in schedule)
        if gap:
            missed = special_dates_between(store, gap[0], gap[-1], today, leap_rule)
    report = {
        "date": today.isoformat(),
        "days": days,
        "week_ends": week_end(today, week_start).isoformat(),
        "overdue": one_a_person(overdue(store, today, now)),
        "upcoming": upcoming(store, today, days, leap_rule),
        "complaints": store.complaints.listing(now),
        "meetings": [
            {**row, "their_time": when.their_time(row["starts_at"], row["tz"])}
            for row in store.reports.meetings_between(today, today + dt.timedelta(days=1))
        ],
        "last_run": last_run,
        "missed_days": missed_days,
        "missed": missed,
        "missed_title": gap_title(last_run, missed_days),
    }
    report["summary"] = summary_line(report)
    return report


def overdue(store: Store, today: dt.date, now: dt.datetime | None = None) -> list[Row]:
    """What is overdue today, with the settings' reply time and every tag's own; beside a
    message waiting for my reply, the time it is now where its sender lives."""
    rows = store.reports.overdue(
        today, settings.reply_days(store), settings.by_tag(store, "cadence"),
        settings.by_tag(store, "reply_within"),
    )  # fmt: skip
    waiting = {r["contact_id"] for r in rows if r["kind"] == "reply"}
    zones = store.contacts.time_zones(waiting) if waiting and now else {}
    for row in rows:
        theirs = zones.get(row["contact_id"]) if row["kind"] == "reply" else None
        row["their_time"] = when.their_time(now, theirs) if theirs and now else None
        if row["their_time"]:  # said in the reason too: a table shows no empty column for it
            row["reason"] += f"; it is {row['their_time']} for them"
    return rows


URGENCY = {"reply": 0, "followup": 1, "cadence": 2}  # what to show first of a person's


def one_a_person(rows: list[Row]) -> list[Row]:
    """Overdue as the digest lists it: one row a person — the most pressing of theirs (a
    message waiting for me, then a follow-up, then the cadence), its reason followed by the
    others' ("… ; also: send proposal"), so nobody is listed twice in the section and what a
    narrow table cuts is the least pressing (`crm overdue` keeps every item)."""
    mine: dict[Any, list[Row]] = {}
    for row in rows:
        mine.setdefault(row["contact_id"], []).append(row)
    kept = []
    for row in rows:
        theirs = mine.pop(row["contact_id"], None)
        if theirs is None:
            continue
        first = min(theirs, key=lambda r: (URGENCY.get(r["kind"], 9), -(r["days_overdue"] or 0)))
        others = [r["reason"] for r in theirs if r is not first and r["reason"]]
        kept.append({**first, "reason": "; also: ".join([first["reason"] or "", *others])})
    return kept


def gap_title(last_run: str | None, missed_days: int) -> str:
    """What the dates since the last run are called: missed, or just since (a weekend)."""
    if missed_days or not last_run:
        return "Missed while the digest did not run"
    day = dt.date.fromisoformat(last_run)
    return f"Since the last digest ({day:%A} {day})"


def remember_run(store: Store, today: dt.date) -> None:
    """Record today as the digest's last run (never moving it backwards)."""
    last = store.settings.get("state", LAST_RUN_KEY)
    if last is None or last < today.isoformat():
        store.settings.put("state", LAST_RUN_KEY, today.isoformat())


def summary_line(report: Row) -> str:
    overdue = report["overdue"]
    upcoming_rows = report["upcoming"]
    complaints = report["complaints"]
    # what the Upcoming section lists, counted as it lists it: a rolling week (on a Sunday, a
    # birthday on Wednesday is not "0 birthdays this week")
    span = min(7, report["days"])  # no more than the Upcoming section lists
    week = (dt.date.fromisoformat(report["date"]) + dt.timedelta(days=span - 1)).isoformat()
    birthdays_in_a_week = sum(
        1 for r in upcoming_rows if r["label"] == "birthday" and r["date"] <= week
    )
    parts = [
        f"{len(overdue)} overdue",
        plural(birthdays_in_a_week, "birthday") + f" in the next {plural(span, 'day')}",
        plural(len(upcoming_rows), "date") + f" in {report['days']} days",
        plural(len(complaints), "open complaint"),
    ]
    meetings = {(row["starts_at"], row["meeting"]) for row in report["meetings"]}
    if meetings:
        parts.insert(0, plural(len(meetings), "meeting") + " today")
    breached = sum(1 for r in complaints if r["breached"])
    if breached:
        parts.append(plural(breached, "complaint") + " past SLA")
    if report["missed_days"]:
        parts.append(plural(report["missed_days"], "day") + f" missed since {report['last_run']}")
    elif report["missed"]:
        last = dt.date.fromisoformat(report["last_run"])
        parts.append(f"{plural(len(report['missed']), 'date')} since {last:%A}")
    return " · ".join(parts)


SENTIMENT_WEIGHT = {"positive": 0.1, "negative": -0.1}  # a good last touch is worth renewing


def suggest(store: Store, today: dt.date, count: int) -> list[Row]:
    """Who to reach out to next, before anyone is due: contacts with a cadence not yet past it,
    ranked by how far each is through their interval, lifted by their value (a share of the
    most valuable one's, up to half as much again) and their last interaction's sentiment
    (±0.1); each with the reason in words."""
    from . import insights

    values = {r["contact_id"]: r["lifetime_value"] for r in insights.value(store, None)["contacts"]}
    listed = {r["contact_id"] for r in overdue(store, today)}  # a reply waiting, a follow-up…
    top = max([v for v in values.values() if v > 0], default=0)
    rows = []
    for row in store.reports.keeping_in_touch(settings.by_tag(store, "cadence")):
        days = (today - dt.date.fromisoformat(row["since"])).days
        if days > max(row["every"], row["at_most"] or 0) or row["contact_id"] in listed:
            continue  # past it already, or waiting on me: `crm overdue` lists it
        through = days / row["every"]  # past 100%: due, not yet overdue (`--at-most`)
        value = values.get(row["contact_id"], 0)
        lift = 1 + 0.5 * (value / top if top and value > 0 else 0)
        score = through * lift + SENTIMENT_WEIGHT.get(row["last_sentiment"] or "", 0)
        reason = [f"{'due: ' if through >= 1 else ''}{round(through * 100)}% through every "
                  f"{plural(row['every'], 'day')} (last contact {plural(days, 'day')} ago)"]  # fmt: skip
        if value > 0:
            reason.append(f"lifetime value {value:.2f}")
        if row["last_sentiment"] in SENTIMENT_WEIGHT:
            reason.append(f"last touch {row['last_sentiment']}")
        rows.append({**row, "days_since": days, "through": round(through, 2), "value": value,
                     "score": round(score, 3), "reason": "; ".join(reason)})  # fmt: skip
    rows.sort(key=lambda r: (-r["score"], r["contact"]))
    return rows[:count]
