"""What the relationships are worth and how they change: retention, satisfaction, value,
contact load and activity. SQL gathers the rows (store.py); this module does the arithmetic
that reads better in Python (medians, month spans, NPS) on those already-small results."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from . import model, settings, when
from .store import Store

Row = dict[str, Any]
VALUE_TOP = 20  # contacts `report value` lists by default
LOAD_DAYS = 7  # the window, ending today, in which outbound touches are counted
ACTIVITY_MONTHS = 12  # months `report activity` draws by default
MAX_MONTHS = 120


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def retention(store: Store, since: dt.date | None, today: dt.date) -> Row:
    """Stages now, moves in the period (default: the last year), dissolutions, and how long
    relationships take and last."""
    since = since or when.years_before(today, 1)
    counts = {row["stage"]: row["contacts"] for row in store.stages.counts()}
    stages = [{"stage": s, "contacts": counts.get(s, 0)} for s in (*model.STAGES, "none")]
    moves = store.stages.since(since.isoformat())
    flows = []
    for stage in model.STAGES:
        entered = sum(1 for m in moves if m["to_stage"] == stage)
        left = sum(1 for m in moves if m["from_stage"] == stage)
        flows.append({"stage": stage, "entered": entered, "left": left})
    dissolutions = [
        {"contact_id": m["contact_id"], "contact": m["contact"], "date": m["changed_at"][:10],
         "from_stage": m["from_stage"], "reason": m["reason"]}
        for m in moves if m["to_stage"] == "dissolution"
    ]  # fmt: skip
    to_commitment, lengths = _durations(store.stages.every())
    return {
        "since": since.isoformat(),
        "stages": stages,
        "flows": flows,
        "dissolutions": dissolutions,
        "median_days_exploration_to_commitment": _median(to_commitment),
        "median_days_dissolved_relationship": _median(lengths),
        "relationships": store.stages.relationship_counts(),
    }


def _durations(changes: list[Row]) -> tuple[list[int], list[int]]:
    """Days from first entering exploration to first entering commitment after it, per contact;
    and days from the relationship's start (its first stage change, or the contact's creation
    if earlier) to its last dissolution."""
    explored: dict[int, dt.date] = {}
    started: dict[int, dt.date] = {}
    committed: dict[int, int] = {}
    dissolved: dict[int, int] = {}
    for change in changes:
        contact, day = change["contact_id"], _day(change["changed_at"])
        if change["to_stage"] == "exploration":
            explored.setdefault(contact, day)
        if change["to_stage"] == "commitment" and contact in explored and contact not in committed:
            committed[contact] = (day - explored[contact]).days
        started.setdefault(contact, min(day, _day(change["created"])))
        if change["to_stage"] == "dissolution":
            dissolved[contact] = (day - started[contact]).days
    return list(committed.values()), list(dissolved.values())


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def satisfaction(store: Store) -> Row:
    rows = store.reports.feedback()
    months: dict[str, list[Row]] = {}
    for row in rows:
        months.setdefault(row["happened_at"][:7], []).append(row)
    trend = [
        {
            "month": month,
            "responses": len(group),
            "average_5": _average(group, 5),
            "nps": _nps(group),
        }
        for month, group in sorted(months.items())
    ]
    unhappy = [
        {"contact_id": r["contact_id"], "contact": r["contact"], "date": r["happened_at"][:10],
         "score": r["score"], "scale": r["scale"], "comment": r["comment"]}
        for r in rows if _is_low(r) and not r["contacted_since"]
    ]  # fmt: skip
    return {
        "responses": len(rows),
        "average_5": _average(rows, 5),
        "nps": _nps(rows),
        "promoters": sum(1 for r in rows if r["scale"] == 10 and r["score"] >= 9),
        "detractors": sum(1 for r in rows if r["scale"] == 10 and r["score"] <= 6),
        "trend": trend,
        "low_scores_not_contacted_since": unhappy,
    }


def _average(rows: list[Row], scale: int) -> float | None:
    scores = [r["score"] for r in rows if r["scale"] == scale]
    return round(sum(scores) / len(scores), 2) if scores else None


def _nps(rows: list[Row]) -> float | None:
    """Net promoter score: % promoters (9–10) minus % detractors (0–6) of the 0–10 answers."""
    scores = [r["score"] for r in rows if r["scale"] == 10]
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores), 1)


def _is_low(row: Row) -> bool:
    return row["score"] <= (2 if row["scale"] == 5 else 6)


def value(store: Store, top: int | None) -> Row:
    rows = []
    for row in store.reports.value():
        first, last = row["first_sale"], row["last_sale"]
        rows.append(
            {**row, "lifetime_value": round(row["revenue"] - row["cost"], 2),
             "months_active": _months(first, last) if first else 0}
        )  # fmt: skip
    rows.sort(key=lambda r: (-r["lifetime_value"], r["contact"]))
    totals = {
        "revenue": round(sum(r["revenue"] for r in rows), 2),
        "cost": round(sum(r["cost"] for r in rows), 2),
        "lifetime_value": round(sum(r["lifetime_value"] for r in rows), 2),
        "clients": sum(1 for r in rows if r["revenue"] > 0),
    }
    return {"contacts": rows[:top] if top else rows, "totals": totals}


def _months(first: str, last: str) -> int:
    """Calendar months from the first sale's month to the last's, both counted."""
    a, b = _day(first), _day(last)
    return (b.year - a.year) * 12 + b.month - a.month + 1


def contact_load(store: Store, today: dt.date, days: int, limit: int | None) -> list[Row]:
    """Contacts with more outbound touches in the `days` ending today than `limit` (by default
    the `load_limit` setting)."""
    allowed = load_limit(store, limit)
    return store.reports.outbound_load(today - dt.timedelta(days=days - 1), today, allowed)


def load_limit(store: Store, override: int | None = None) -> int:
    return override if override is not None else int(settings.get(store, "load_limit"))


def activity(store: Store, today: dt.date, months: int) -> Row:
    from dateutil.relativedelta import relativedelta

    start = today.replace(day=1) - relativedelta(months=months - 1)
    found = {row["month"]: row for row in store.reports.activity_by_month(start)}
    series, month = [], start
    while month <= today:
        key = month.strftime("%Y-%m")
        row = found.get(key, {"interactions": 0, "outbound": 0, "inbound": 0, "revenue": 0})
        series.append(
            {
                "month": key,
                **{k: row[k] for k in ("interactions", "outbound", "inbound", "revenue")},
            }
        )
        month += relativedelta(months=1)
    counts = {row["stage"]: row["contacts"] for row in store.stages.counts()}
    pipeline = [{"stage": s, "contacts": counts.get(s, 0)} for s in model.STAGES]
    return {"months": series[-months:], "pipeline": pipeline}
