"""The time zones a calendar file defines (VTIMEZONE), tamed before a parser meets them.

A time zone changes its offset once or twice a year, by a yearly (at most monthly) rule: a rule
repeating faster (every second, say) makes each time in that zone a walk through millions of
changes inside the parser (dateutil), and anyone able to put an invite in the calendar folder
could stall the import, memory growing. Such a rule is left out here, with a warning.
"""

from __future__ import annotations

import re

TZ_REPEATS = ("YEARLY", "MONTHLY")
TZ_RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYDAY", "BYMONTHDAY",
                 "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "WKST"}  # fmt: skip
MAX_TZ_DATES = 31  # changes one rule makes in a year (a "second Sunday" lists 7 days)
MAX_TZ_CHANGES = 2_000  # observances and their listed dates in one time zone


def tame_time_zones(data: bytes) -> tuple[bytes, list[str]]:
    """The calendar with each time zone's rules as the world writes them, and what was left
    out: a rule repeating faster than monthly (or making more than MAX_TZ_DATES changes a
    year) goes, and a zone with more than MAX_TZ_CHANGES changes goes whole (its times are
    then read as the zone of that name crm knows, or as local times)."""
    if re.search(rb"(?i)BEGIN:VTIMEZONE", data) is None:
        return data, []
    lines = re.sub(rb"\r?\n[ \t]", b"", data).splitlines()
    kept: list[bytes] = []
    warnings: list[str] = []
    zone: list[bytes] | None = None
    for line in lines:
        upper = line.strip().upper()
        if upper == b"BEGIN:VTIMEZONE":
            zone = [line]
        elif zone is None:
            kept.append(line)
        elif upper == b"END:VTIMEZONE":
            kept.extend(_tamed_zone([*zone, line], warnings))
            zone = None
        else:
            zone.append(line)
    kept.extend(zone or [])
    if not warnings:
        return data, []
    return b"\r\n".join(kept) + b"\r\n", warnings


def _tamed_zone(lines: list[bytes], warnings: list[str]) -> list[bytes]:
    name = next((ln.partition(b":")[2] for ln in lines if ln.upper().startswith(b"TZID")), b"")
    label = f"time zone {name.decode('utf-8', 'replace').strip()[:60] or '(no TZID)'}"
    changes = sum(ln.strip().upper() in (b"BEGIN:STANDARD", b"BEGIN:DAYLIGHT") for ln in lines)
    changes += sum(ln.count(b",") + 1 for ln in lines if ln.upper().startswith(b"RDATE"))
    if changes > MAX_TZ_CHANGES:
        warnings.append(f"{label}: {changes:,} offset changes, past the {MAX_TZ_CHANGES:,} any "
                        "zone has: left out (its times read as the zone of that name, if any)")  # fmt: skip
        return []
    kept = []
    for line in lines:
        why = _bad_zone_rule(line) if line.upper().startswith(b"RRULE") else None
        if why:
            warnings.append(f"{label}: a rule {why} is no time-zone rule: left out (times "
                            "in this zone may be off by its offset)")  # fmt: skip
        else:
            kept.append(line)
    return kept


def _bad_zone_rule(line: bytes) -> str | None:
    rule = line.partition(b":")[2].decode("ascii", "replace").upper()
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if parts.get("FREQ") not in TZ_REPEATS:
        return f"repeating {parts.get('FREQ', 'without a frequency').lower()}"
    if not set(parts) <= TZ_RULE_PARTS:
        return f"with {', '.join(sorted(set(parts) - TZ_RULE_PARTS))}"
    dates = 1
    for key, value in parts.items():
        dates *= len(value.split(",")) if key.startswith("BY") else 1
    period = {"YEARLY": "year", "MONTHLY": "month"}[parts["FREQ"]]
    return f"changing {dates} times a {period}" if dates > MAX_TZ_DATES else None
