"""User settings, kept in the database's `config` table (`crm config get/set/list`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import CrmError


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    help: str
    check: Callable[[str], str]


def _duration(value: str) -> str:
    from .when import parse_duration

    return str(parse_duration(value))


def _optional_duration(value: str) -> str:
    return "" if value.strip().lower() in ("", "none", "off") else _duration(value)


def _days(value: str) -> str:
    if not (value.strip().isascii() and value.strip().isdigit()) or not 0 <= int(value) <= 3660:
        raise CrmError(f"bad number of days {value!r}: use a whole number from 0 to 3660")
    return str(int(value))


def _one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        cleaned = value.strip().lower()
        if cleaned not in allowed:
            raise CrmError(f"bad value {value!r}: use one of {', '.join(allowed)}")
        return cleaned

    return check


def _positive(value: str) -> str:
    if not (value.strip().isascii() and value.strip().isdigit()) or int(value) < 1:
        raise CrmError(f"bad value {value!r}: use a whole number of 1 or more")
    return str(int(value))


SETTINGS = {
    s.key: s
    for s in [
        Setting("sla", "48h", "response time for a new complaint (duration)", _duration),
        Setting("days", "14", "days ahead shown by `upcoming` and `digest`", _days),
        Setting(
            "leap_day", "feb28", "where 29 February falls in common years", _one_of("feb28", "mar1")
        ),
        Setting(
            "cadence",
            "",
            "keep-in-touch cadence given to new contacts (empty: none)",
            _optional_duration,
        ),
        Setting("week_start", "monday", "first day of the week", _one_of("monday", "sunday")),
        Setting(
            "load_limit",
            "3",
            "outbound touches in 7 days before a contact counts as over-contacted",
            _positive,
        ),
    ]
}


def setting(key: str) -> Setting:
    found = SETTINGS.get(key.strip().lower().replace("-", "_"))
    if found is None:
        raise CrmError(f"unknown setting {key!r}: use one of {', '.join(SETTINGS)}")
    return found


def get(store, key: str) -> str:
    found = setting(key)
    value = store.get_setting("config", found.key)
    return found.default if value is None else value


def put(store, key: str, value: str) -> str:
    found = setting(key)
    checked = found.check(value)
    store.set_setting("config", found.key, checked)
    return checked


def listing(store) -> list[dict]:
    stored = store.settings("config")
    return [
        {"key": s.key, "value": stored.get(s.key, s.default), "default": s.default, "help": s.help}
        for s in SETTINGS.values()
    ]


def days_ahead(store, override: int | None) -> int:
    """`--days` if given, else the `days` setting."""
    return override if override is not None else int(get(store, "days"))


def leap_rule(store, override: str | None) -> str:
    """`--leap-day` if given, else the `leap_day` setting: feb28 or mar1."""
    rule = (override or get(store, "leap_day")).strip().lower()
    if rule not in ("feb28", "mar1"):
        raise CrmError(f"bad --leap-day {override!r}: use feb28 or mar1")
    return rule
