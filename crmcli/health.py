"""`crm doctor`: is the file sound, private, current — and does every stored row keep the rules?

The rules are the model's own checks, run over what is stored, so a row written by an older
crm, by hand in `sqlite3`, or by any other program is found the same way a command would
refuse it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import dbfile, model, rules, settings
from .errors import CrmError
from .store import Store

Row = dict[str, Any]
SHOWN = 20  # problems spelled out in the check's detail; the count says how many in all


def checks(store: Store) -> list[Row]:
    rows = store.health.checks()
    rows.extend(dbfile.permission_checks(store.path))
    problems = list(rule_problems(store))
    detail = "; ".join(problems[:SHOWN]) or "every row keeps the rules"
    if len(problems) > SHOWN:
        detail += f"; and {len(problems) - SHOWN} more"
    rows.append({"check": "rules", "ok": not problems, "detail": detail})
    return rows


def rule_problems(store: Store) -> Iterator[str]:
    """One line per stored row (or setting) that breaks a rule, saying which and why."""
    for entity, fields in model.FIELDS.items():
        for row in store.health.rows(entity):
            record = {key: row[key] for key in fields if key in row}
            found = []
            if entity == "contacts":
                for column in (*model.LIST_COLUMNS, *model.JSON_COLUMNS):
                    try:
                        record[column] = _json_list(record.get(column), column)
                    except CrmError as error:
                        found.append(str(error))
                        record.pop(column)
            found.extend(model.problems(entity, record))
            for problem in found:
                yield f"{entity} {row['id']}: {problem}"
    yield from repeated_labels(store)
    yield from settings.problems(store)
    yield from trash_problems(store)
    mismatched = store.health.mismatched_links()
    if mismatched:
        yield (
            f"interaction_contacts: {mismatched} link(s) whose time differs from their "
            "interaction's (`crm interaction edit ID --when …` sets both)"
        )


def repeated_labels(store: Store) -> Iterator[str]:
    """Contacts holding two dates of one label (written by an older crm, or by hand)."""
    by_contact: dict[int, list[Row]] = {}
    for date in store.health.rows("special_dates"):
        by_contact.setdefault(date["contact_id"], []).append(date)
    for contact_id, dates in by_contact.items():
        for label in rules.repeated_labels(dates):
            yield (
                f"contact {contact_id}: two {label} dates (one date per label: "
                "`crm date list` shows them, `crm date rm ID` removes one)"
            )


def trash_problems(store: Store) -> Iterator[str]:
    """Trash entries that could not be listed or restored."""
    from .exchange import backup

    for entry in store.health.rows("trash"):
        try:
            model.moment(entry["deleted_at"], "deletion time")
            problems = backup.problems(store, backup.read(entry["payload"]))
        except CrmError as error:
            problems = [str(error)]
        for problem in problems:
            yield f"trash {entry['id']} ({entry['name']}): {problem}"


def _json_list(value: Any, column: str) -> Any:
    shown = repr(value)[:60]
    if not isinstance(value, str):
        raise CrmError(f"{column} is not a JSON list: {shown}")
    try:
        decoded = model.json_value(value)
    except CrmError as error:
        raise CrmError(f"{column} is not a JSON list: {shown}: {error}") from None
    if not isinstance(decoded, list):
        raise CrmError(f"{column} is not a JSON list: {shown}")
    return decoded
