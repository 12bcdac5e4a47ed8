"""A person's rights over what crm holds on them: everything on one person as one document
(`crm contact export`, an access request, GDPR art. 15) and forgetting them for good (`crm
contact forget`, an erasure request, art. 17).

Forgetting removes the contact and their records, takes them out of what stays (a shared
interaction keeps the others; a meeting ahead loses them; the free text of others' records has
their name, emails and phones replaced, trash entries of others lose them the same way), removes
their trash entries, their sync state and card files; then the change log is emptied — it holds
removed rows as they were — so nothing before the forget can be undone, and the command lines
before it keep only which command ran (an argument may be an id, and what was said then). The full-text
index is rebuilt and the file rewritten (VACUUM) so no page holds them, and the write-ahead log
emptied.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import Store
from .values import words

Row = dict[str, Any]

FORGOTTEN = "a forgotten contact"
PHONE_TAIL = 9  # a phone is also found by its last nine digits (written without the country)


def mention_pattern(contact: Row, uids: list[str]) -> re.Pattern[str]:
    """What names the person in anyone's text, as whole words: their name and nickname, their
    emails (each in both Unicode forms, any case), their phones in any spacing (whole, or by
    their last nine digits) and their uids. Never a part of a word: forgetting Eva leaves
    "evaluation" alone."""
    import unicodedata

    texts = {contact["name"], contact.get("nickname") or "", *contact["emails"], *uids}
    forms = {unicodedata.normalize(form, t) for t in texts if t.strip() for form in ("NFC", "NFD")}
    parts = [re.escape(text) for text in sorted(forms, key=len, reverse=True)]
    words = [rf"(?<!\w){part}(?!\w)" for part in parts]
    for phone in contact["phones"]:
        digits = [ch for ch in phone if ch.isdigit()]
        for tail in {"".join(digits), "".join(digits[-PHONE_TAIL:])}:
            if len(tail) >= 6:
                spaced = r"[\s().\-/]*".join(tail)
                words.append(rf"(?<!\d)(?:\+|00)?{spaced}(?!\d)")
    return re.compile("|".join(words), re.IGNORECASE)


@dataclass
class Person:
    """Someone to forget or report on: a contact (`contact_id`), or one deleted and kept in the
    trash (`contact_id` None), with their records as a backup document."""

    contact: Row
    document: Row
    contact_id: int | None
    uids: list[str]

    @property
    def name(self) -> str:
        return str(self.contact["name"])


def person(store: Store, ref: str, now: dt.datetime) -> Person:
    """REF as a contact; else a deleted contact in the trash of that name or uid."""
    from . import contacts
    from .errors import CrmError, NotFound
    from .exchange import backup

    try:
        contact = contacts.resolve(store, ref)
    except NotFound as missing:
        cleaned = ref.strip()
        if cleaned.isdigit():
            raise
        entries = store.trash.named(cleaned) or store.trash.named(words(cleaned))
        if not entries:
            raise missing from None
        if len(entries) > 1:
            listed = "; ".join(f"{e['name']} ({e['contact_uid']})" for e in entries[:8])
            raise CrmError(
                f"{cleaned!r} matches {len(entries)} deleted contacts in the trash: {listed} — "
                "give the uid of the one you mean"
            ) from None
        document = json.loads(store.trash.entry(entries[0]["id"])["payload"])
        found = next(iter(document.get("contacts") or []), None)
        if not isinstance(found, dict) or found.get("uid") != entries[0]["contact_uid"]:
            raise missing from None
        return Person(found, document, None, [found["uid"]])
    document = json.loads(backup.contact_document(store, contact["id"], now))
    return Person(
        contact, document, contact["id"], store.erasure.uids(contact["id"], contact["uid"])
    )


# --------------------------------------------------------------------------- an access request


def holdings(store: Store, who: Person) -> Row:
    """Everything crm holds on one person: their records as a crm backup document (`crm
    import all` reads it), then the meetings ahead with them, their trash entries and those
    that name them, the cards `crm vcard sync` remembers, the command lines of the history
    that name them, and where others' records mention them."""
    mentions = _matcher(mention_pattern(who.contact, who.uids))
    document = dict(who.document)
    meetings = store.erasure.meetings(who.contact_id) if who.contact_id else []
    document["meetings"] = [{**m, "contact_ids": json.loads(m["contact_ids"])} for m in meetings]
    document["trash"] = store.erasure.trash_entries(mentions, who.uids)
    document["sync"] = store.erasure.sync_state(who.uids)
    document["history"] = store.erasure.history(mentions)
    document["mentioned_in"] = store.erasure.mentions(mentions, who.contact_id)
    return document


# --------------------------------------------------------------------------- an erasure request


@dataclass
class Forgotten:
    counts: dict[str, int]
    cards_removed: list[Path]
    cards_left: list[Path]  # a card that is a link, or could not be removed
    log_emptied: bool
    settings: list[str]  # settings whose value names them: the user's to change
    copies: list[Path]  # earlier copies of the database that still hold the person


def forget(store: Store, who: Person) -> Forgotten:
    """Forget one person for good (see the module's docstring)."""
    pattern = mention_pattern(who.contact, who.uids)
    cards = [
        Path(row["folder"]) / row["file"]
        for row in store.erasure.sync_state(who.uids)
        if row["file"]
    ]
    settings = [key for key, value in store.settings.every("config").items()
                if pattern.search(str(value))]  # fmt: skip
    store.conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed as they are freed
    counts = store.erasure.forget(
        who.contact_id,
        who.uids,
        _matcher(pattern),
        lambda text: pattern.sub(FORGOTTEN, text),
        lambda command: scrub_command(command, pattern.search(command) is not None),
        lambda payload: _trash_without(payload, who.uids, pattern),
        scrub_command(store.command or "crm contact forget", names_them=True),
    )
    removed = [card for card in cards if _remove_card(card)]
    emptied = store.erasure.compact()
    copies = sorted(store.path.parent.glob(f"{store.path.name}.v*.bak"))
    left = [card for card in cards if card not in removed and os.path.lexists(card)]
    return Forgotten(counts, removed, left, emptied, settings, copies)


def _matcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: isinstance(text, str) and pattern.search(text) is not None


def scrub_command(command: str, names_them: bool) -> str:
    """A command line of the history before a forget keeps only which command it was: the
    arguments may name the person in ways no search finds (an id and what was said then)."""
    import shlex

    from .cli import COMMANDS

    try:
        words = shlex.split(command)[1:]
    except ValueError:
        words = []
    while words and words[0] not in COMMANDS:  # global options (--db PATH) come first
        words.pop(0)
    kept = ["crm"]
    if words:
        kept.append(words[0])
        is_group = COMMANDS[words[0]][1] == "app"
        if is_group and len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*", words[1]):
            kept.append(words[1])
    return " ".join(kept) + (f" … ({FORGOTTEN})" if names_them else " …")


def _remove_card(card: Path) -> bool:
    """The person's card in a synced folder goes too: left there, the next sync would bring
    them back (and vdirsyncer removes it from the server)."""
    try:
        if card.is_file() and not card.is_symlink():
            card.unlink()
            return True
    except OSError:
        pass
    return False


def _trash_without(payload: str, uids: list[str], pattern: re.Pattern[str]) -> str | None:
    """Someone else's trash document with the person taken out: their records dropped, their
    place among the people of an interaction too (one left with nobody dropped), their
    mentions scrubbed; None when no record is left."""
    from .exchange.backup import SECTIONS

    document = json.loads(payload)
    for section in SECTIONS:
        records = []
        for record in document.get(section) or []:
            if not isinstance(record, dict) or record.get("contact_uid") in uids:
                continue
            if section == "contacts" and record.get("uid") in uids:
                continue
            people = record.get("contact_uids")
            if isinstance(people, list):
                keep = [i for i, uid in enumerate(people) if uid not in uids]
                if not keep:
                    continue
                record = dict(record)
                for key in ("contact_uids", "contact_ids", "contacts"):
                    if isinstance(record.get(key), list) and len(record[key]) == len(people):
                        record[key] = [record[key][i] for i in keep]
            records.append(record)
        document[section] = records
    if not any(document[section] for section in SECTIONS):
        return None
    return pattern.sub(FORGOTTEN, json.dumps(document, ensure_ascii=False))
