"""The time zones a calendar file defines (VTIMEZONE), tamed before the parser builds them.

A time zone changes its offset once or twice a year, by a yearly rule in a month (`FREQ=YEARLY;
BYMONTH=3;BYDAY=-1SU`): a rule that repeats faster (every second, every day of the year) makes
each time in that zone a walk through millions of changes inside the parser (dateutil), and
anyone able to put an invite in the calendar folder could stall the import, memory growing.
Zones are tamed as icalendar has read them — after its own unfolding, whatever the file's
spelling (a parameter on BEGIN, a fold over blank lines) — at the one moment it makes a time
zone of one: a rule no real zone has is left out, with a warning, and a zone with more changes
than any real zone is not made at all (its times are then read as the zone of that name).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

TZ_RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYDAY", "BYMONTHDAY", "WKST"}
MAX_MONTHS = 2  # months a rule names (a zone changes in one, or two for a southern summer)
MAX_DAYS = 7  # days in a month a rule may pick from ("the Sunday from the 8th to the 14th")
MAX_TZ_CHANGES = 500  # observances and their listed dates in one time zone (real ones: < 250)


@contextlib.contextmanager
def tamed(warnings: list[str]) -> Iterator[None]:
    """While a calendar is parsed: every time zone it defines is tamed before icalendar makes a
    time zone of it, and what was left out is said in `warnings`."""
    from icalendar.timezone import tzp

    original = tzp.cache_timezone_component

    def cache_tamed(component: Any) -> None:
        if tame(component, warnings):
            original(component)

    tzp.cache_timezone_component = cache_tamed  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        del tzp.cache_timezone_component  # the class's own again


def tame(zone: Any, warnings: list[str]) -> bool:
    """Leave out the zone's rules no real zone has; False for a zone not to be made at all."""
    label = f"time zone {str(zone.get('TZID', '(no TZID)'))[:60]}"
    observances = zone.subcomponents
    changes = len(observances) + sum(
        len(_values(part)) for sub in observances for part in _listed(sub.get("RDATE"))
    )
    if changes > MAX_TZ_CHANGES:
        warnings.append(f"{label}: {changes:,} offset changes, past the {MAX_TZ_CHANGES:,} any "
                        "zone has: left out (its times read as the zone of that name, if any)")  # fmt: skip
        zone.subcomponents = []
        return False
    bad = []
    for sub in observances:
        found = [why for rule in _listed(sub.get("RRULE")) if (why := bad_zone_rule(rule))]
        if found:
            sub.pop("RRULE")
            bad.append(found[0])
    if bad:  # said once a zone, however many of its parts had such a rule
        more = f" ({len(bad)} of its rules)" if len(bad) > 1 else ""
        warnings.append(f"{label}: a rule {bad[0]} is no time-zone rule: left out{more} (times "
                        "in this zone may be off by its offset)")  # fmt: skip
    return True


def bad_zone_rule(rule: Any) -> str | None:
    """Why a parsed RRULE (icalendar's vRecur) is no rule a time zone follows, or None."""
    parts = {
        str(key).upper(): [str(v).upper() for v in _listed(value)] for key, value in rule.items()
    }
    freq = (parts.get("FREQ") or [""])[0]
    if freq != "YEARLY":
        return f"repeating {freq.lower() or 'without a frequency'}"
    if not set(parts) <= TZ_RULE_PARTS:
        return f"with {', '.join(sorted(set(parts) - TZ_RULE_PARTS))}"
    months, days, weekdays = (parts.get(k, []) for k in ("BYMONTH", "BYMONTHDAY", "BYDAY"))
    if not months or len(months) > MAX_MONTHS:
        return f"changing in {len(months)} months" if months else "changing in every month"
    if len(days) > MAX_DAYS or len(weekdays) > MAX_DAYS:
        return f"changing on {max(len(days), len(weekdays))} days of a month"
    if weekdays and not days and not all(day[:1] in "+-0123456789" for day in weekdays):
        return "changing every week"  # `SU` without a rank (-1SU) or a range of days: weekly
    return None


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _values(rdate: Any) -> list[Any]:
    return list(getattr(rdate, "dts", None) or [rdate])
