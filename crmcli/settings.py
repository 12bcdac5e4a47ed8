"""User settings, kept in the database's `config` table (`crm config get/set/list`).

Every value is checked when it is set — by `crm config set` or by `crm import all` — and read
back through the same check, so a value written by an older crm or by hand never crashes a
report: it is reported (`crm doctor`) and the default is used meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import model, when
from .errors import CrmError

if TYPE_CHECKING:
    from .store import Store

LEAP_RULES = ("feb28", "mar1")
WEEK_STARTS = ("monday", "sunday")
MAX_DAYS = 3660  # how far ahead `upcoming` and `digest` may look: ten years


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    help: str
    check: Callable[[str], str]


def _duration(value: str) -> str:
    return str(when.parse_duration(model.as_text(value, "duration")))


MAX_SLA_DAYS = 366  # a deadline further off is no deadline, and would leave the date range


def _sla(value: str) -> str:
    duration = when.parse_duration(model.as_text(value, "duration"))
    if duration.days() > MAX_SLA_DAYS:
        raise CrmError(f"sla {value!r} is too long: a complaint's response time is a year at most")
    return str(duration)


def _cadence(value: str) -> str:
    text = model.as_text(value, "cadence").strip().lower()
    if text in ("", "none", "off"):
        return ""
    days = when.parse_cadence(text)  # the range check of every cadence
    return f"{days}d" if text.isdigit() else str(when.parse_duration(text))


def _days(value: str) -> str:
    return str(model.integer(value, "number of days", 0, MAX_DAYS))


def _one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        chosen = model.choice(value, allowed, "value")
        if chosen is None:
            raise CrmError(f"empty value: use one of {', '.join(allowed)}")
        return chosen

    return check


def _weekdays(value: str) -> str:
    text = model.as_text(value, "days").strip().lower()
    when.parse_weekdays(text)
    return text


def _addresses(value: str) -> str:
    text = model.as_text(value, "addresses")
    found = [model.email(part) for part in text.replace(";", ",").split(",") if part.strip()]
    return ",".join(model.unique(found))


def _region(value: str) -> str:
    text = model.as_text(value, "region").strip().upper()
    if not text:
        return ""
    import phonenumbers

    if text not in phonenumbers.SUPPORTED_REGIONS:
        raise CrmError(f"unknown region {value!r}: use a two-letter country code such as PT or DE")
    return text


def _positive(value: str) -> str:
    return str(model.integer(value, "value", 1, model.MAX_COUNT))


SETTINGS = {
    s.key: s
    for s in [
        Setting("sla", "48h", "response time for a new complaint (duration, a year at most)", _sla),
        Setting("days", "14", "days ahead shown by `upcoming` and `digest`", _days),
        Setting(
            "leap_day", "feb28", "where 29 February falls in common years", _one_of(*LEAP_RULES)
        ),
        Setting(
            "cadence", "", "keep-in-touch cadence given to new contacts (empty: none)", _cadence
        ),
        Setting(
            "reply_within",
            "2d",
            "how long a message from a contact may wait for my answer (off: never listed)",
            _cadence,
        ),
        Setting("week_start", "monday", "first day of the week", _one_of(*WEEK_STARTS)),
        Setting(
            "digest_days",
            "daily",
            "days your cron runs `crm digest` (mon-fri…): other days are not 'missed'",
            _weekdays,
        ),
        Setting(
            "me", "", "your own email addresses, comma-separated (for `import mail`)", _addresses
        ),
        Setting(
            "region",
            "",
            "your country (PT, DE, US…): phones written without +country compare in it",
            _region,
        ),
        Setting(
            "load_limit",
            "3",
            "outbound touches in 7 days before a contact counts as over-contacted",
            _positive,
        ),
    ]
}


# Settings a tag may have its own of (`crm config set cadence.client 30d`): a contact's own
# value wins, then the tightest of its tags', then the setting itself.
BY_TAG = ("cadence", "reply_within")
TAGGED_HELP = {
    "cadence": "keep-in-touch cadence of contacts tagged {tag} (a contact's own wins)",
    "reply_within": "how long messages from contacts tagged {tag} may wait for my answer",
}


def setting(key: str) -> Setting:
    name = model.as_text(key, "setting").strip().lower().replace("-", "_")
    base, dot, tag = name.partition(".")
    if dot and base in BY_TAG:
        folded = model.tag(tag).lower()  # a tag's name, as tags are written
        return Setting(f"{base}.{folded}", "", TAGGED_HELP[base].format(tag=folded), _days_of)
    found = SETTINGS.get(name)
    if found is None:
        raise model.UnknownChoice(
            f"unknown setting {key!r}: use one of {', '.join(SETTINGS)} (or cadence.TAG, "
            "reply_within.TAG)"
        )
    return found


def _days_of(value: str) -> str:
    """A tag's cadence or reply time, stored as days (`30d`: the views read it in SQL);
    `off` is `0d`: never, whatever the other tags or the setting say."""
    if model.as_text(value, "days").strip().lower() in ("off", "none", "never", "0d"):
        return "0d"  # (as stored: read back the same)
    text = _cadence(value)
    return f"{when.parse_cadence(text)}d" if text else ""


def by_tag(store: Store, base: str) -> dict[str, int]:
    """The tags with their own `base` setting (cadence, reply_within), in days."""
    found = {}
    for key, value in store.settings.every("config").items():
        name, dot, tag = key.partition(".")
        if dot and name == base and value:
            try:
                days = _days_of(value)
                found[tag] = 0 if days == "0d" else when.parse_cadence(days)
            except CrmError:
                continue  # a bad stored value: doctor reports it
    return found


def check(key: str, value: object) -> tuple[str, str]:
    """A setting's key and its value as stored, or an error saying what is wrong."""
    found = setting(key)
    if (
        value is None
        or isinstance(value, str)
        and not value.strip()
        and found.key.partition(".")[0] not in ("cadence", "me", "region", "reply_within")
    ):
        raise CrmError(f"setting {found.key}: empty value: give one (see `crm config list`)")
    try:
        return found.key, found.check(value)  # type: ignore[arg-type]
    except model.UnknownChoice as error:
        raise model.UnknownChoice(f"setting {found.key}: {error}") from None
    except CrmError as error:
        raise CrmError(f"setting {found.key}: {error}") from None


def get(store: Store, key: str) -> str:
    """The stored value if it passes its check, else the default (doctor reports the bad one)."""
    found = setting(key)
    value = store.settings.get("config", found.key)
    if value is None:
        return found.default
    try:
        return found.check(value)
    except CrmError:
        return found.default


def put(store: Store, key: str, value: str) -> str:
    name, checked = check(key, value)
    store.settings.put("config", name, checked)
    return checked


def listing(store: Store) -> list[dict]:
    tagged = []
    for key in sorted(store.settings.every("config")):
        if key.partition(".")[0] in BY_TAG:
            try:
                tagged.append(setting(key))
            except CrmError:
                continue  # a key written by hand that names no tag: doctor reports it
    return [
        {"key": s.key, "value": get(store, s.key), "default": s.default, "help": s.help}
        for s in [*SETTINGS.values(), *tagged]
    ]


def problems(store: Store) -> list[str]:
    """Stored values that break their rule (written by hand or by an older crm)."""
    found = []
    for key, value in store.settings.every("config").items():
        try:
            check(key, value)
        except CrmError as error:
            found.append(f"config {key}={value!r}: {error}")
    return found


def days_ahead(store: Store, override: int | None) -> int:
    """`--days` if given, else the `days` setting."""
    return override if override is not None else int(get(store, "days"))


def leap_rule(store: Store, override: str | None) -> str:
    """`--leap-day` if given, else the `leap_day` setting: feb28 or mar1."""
    if override is not None:
        return model.choice(override, LEAP_RULES, "--leap-day") or ""
    return get(store, "leap_day")


def default_cadence(store: Store) -> int | None:
    """The cadence every new contact gets unless it brings one (any door: add, import, vCard)."""
    value = get(store, "cadence")
    return when.parse_cadence(value) if value else None


def reply_days(store: Store) -> int | None:
    """Days a message may wait for my answer before it is overdue (None: never listed)."""
    value = get(store, "reply_within")
    return when.parse_cadence(value) if value else None


def my_addresses(store: Store) -> list[str]:
    """The user's own addresses (as rules.email_key compares them): mail from them is outbound."""
    from .rules import email_key

    return [email_key(a.strip()) for a in get(store, "me").split(",") if a.strip()]


def region(store: Store) -> str | None:
    """The default region phones are read in (`crm config set region PT`), if set."""
    return get(store, "region") or None


def sla(store: Store) -> when.Duration:
    return when.parse_duration(get(store, "sla"))
