"""Message templates filled from a contact's fields with `string.Template` placeholders.

Built-in ones live here; a user's own are `NAME.txt` files in a `templates` folder beside the
database, and win over a built-in of the same name. A placeholder the contact cannot fill is an
error that names it (never a blank), and `--set field=value` supplies or overrides any field.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Any

from . import model
from .errors import CrmError, NotFound

BUILT_IN = {
    "thank-you": (
        "Hi $first_name,\n\nThank you for your order of $last_amount — I really appreciate your "
        "trust. I will check in soon to make sure everything is going well.\n\nBest regards\n"
    ),
    "apology": (
        "Hi $first_name,\n\nI am sorry about this: $open_complaint. You should not have had to "
        "deal with it. I am looking into it personally and will get back to you by "
        "$complaint_due.\n\nWith my apologies\n"
    ),
    "welcome": (
        "Welcome aboard, $first_name!\n\nI am glad to be working with you. If anything is "
        "unclear, reply to this message and I will help.\n\nBest regards\n"
    ),
    "payment-reminder": (
        "Hi $first_name,\n\nA friendly reminder that $amount_due is due on $due_date. If it "
        "is already on its way, please ignore this message.\n\nThank you\n"
    ),
    "check-in": (
        "Hi $first_name,\n\nIt has been a while since we last spoke ($last_interaction). How "
        "are things going? I would love to hear what you are working on.\n\nBest regards\n"
    ),
    "out-of-hours": (
        "Hi $first_name,\n\nThank you for your message. I am out of office hours right now and "
        "will reply on the next working day.\n\nBest regards\n"
    ),
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def folder(db_path: Path) -> Path:
    return db_path.parent / "templates"


def available(db_path: Path) -> dict[str, tuple[str, str]]:
    """name → (source, text): the built-ins, then the user's files over them."""
    found = {name: ("built-in", text) for name, text in BUILT_IN.items()}
    user = folder(db_path)
    if user.is_dir():
        for path in sorted(user.glob("*.txt")):
            if _NAME.match(path.stem):
                found[path.stem] = (str(path), _read(path))
    return found


MAX_TEMPLATE = 64 * 1024  # bytes: a message, never a file that would fill memory


def _read(path: Path) -> str:
    """A template file: a regular file of at most MAX_TEMPLATE bytes, in UTF-8. A FIFO, a
    device (a link to /dev/zero) or a huge file is refused before anything is read."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CrmError(f"template {path} is not a regular file: make it a text file")
            data = os.read(fd, MAX_TEMPLATE + 1)
        finally:
            os.close(fd)
    except OSError as error:
        raise CrmError(f"cannot read template {path}: {error.strerror}") from None
    if len(data) > MAX_TEMPLATE:
        raise CrmError(
            f"template {path} is over {MAX_TEMPLATE // 1024} KB: a template is a message"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CrmError(f"cannot read template {path}: it is not UTF-8 text") from None


def get(db_path: Path, name: str) -> tuple[str, str]:
    templates = available(db_path)
    if name not in templates:
        raise NotFound(
            f"no template {name!r}: see `crm template list` (add your own as "
            f"{folder(db_path)}/{name}.txt)"
        )
    return templates[name]


def listing(db_path: Path) -> list[dict[str, Any]]:
    return [
        {"name": name, "source": source, "fields": placeholders(text)}
        for name, (source, text) in available(db_path).items()
    ]


def placeholders(text: str) -> list[str]:
    names = []
    for match in string.Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if name and name not in names:
            names.append(name)
    return names


def check_reachable(contact: dict[str, Any], force: bool) -> None:
    """No message is written for someone who asked not to be contacted, unless asked twice."""
    if contact.get("do_not_contact") and not force:
        raise CrmError(
            f"{contact['name']} asked not to be contacted (do-not-contact): no message is "
            f"filled for them; give --force for one they are owed, or clear the mark with "
            f"`crm contact edit {contact['id']} --may-contact`"
        )


def contact_fields(
    store, contact: dict[str, Any], today: dt.date, now: dt.datetime
) -> dict[str, Any]:
    """Everything a template may use about a contact; None where the contact has nothing."""
    from .contacts import split_name

    parts = contact["name"].split()
    named = split_name(contact["name"])  # "O'Brien, Sean": given Sean, family O'Brien
    given = contact.get("given_name") or named.get("given_name") or (parts[0] if parts else None)
    family = contact.get("family_name") or named.get("family_name")
    if family is None and not named and len(parts) > 1:
        family = parts[-1]
    interactions = store.interactions.of_contact(contact["id"], limit=50)
    touches = [i for i in interactions if i["kind"] == "touch"]
    sales = [i for i in interactions if i["amount"]]
    complaints = store.complaints.listing(now, contact_id=contact["id"])
    summary = store.reports.contact_summary(contact["id"])
    return {
        "name": contact["name"],
        "first_name": given,
        "last_name": family,
        "given_name": given,
        "family_name": family,
        "company": contact["company"],
        "title": contact["title"],
        **model.first_ways(contact),
        "channel": contact["channel"],
        "owner": contact["owner"],
        "last_interaction": touches[0]["happened_at"][:10] if touches else None,
        "last_summary": touches[0]["summary"] if touches else None,
        "last_amount": f"{sales[0]['amount']:.2f}" if sales else None,
        "total_revenue": f"{summary.get('revenue') or 0:.2f}",
        "open_complaint": complaints[0]["summary"] if complaints else None,
        "complaint_due": complaints[0]["due"].replace("T", " ")[:16] if complaints else None,
        "today": today.isoformat(),
    }


def parse_sets(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise CrmError(f"bad --set {pair!r}: use --set field=value, e.g. --set amount_due=1200")
        values[key.strip()] = value
    return values


def render(name: str, text: str, fields: dict[str, Any], contact_name: str) -> str:
    missing = [p for p in placeholders(text) if fields.get(p) in (None, "")]
    if missing:
        wanted = ", ".join(f"${p}" for p in missing)
        raise CrmError(
            f"template {name!r} needs {wanted}, which {contact_name} does not have: "
            f"give it with --set {missing[0]}=..."
        )
    try:
        return string.Template(text).substitute(
            {k: str(v) for k, v in fields.items() if v is not None}
        )
    except ValueError as error:
        raise CrmError(
            f"template {name!r} is malformed ({error}): write $$ for a dollar sign"
        ) from None
