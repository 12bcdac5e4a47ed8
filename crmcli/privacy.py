"""A person's rights over what crm holds on them: everything on one person as one document
(`crm contact export`, an access request, GDPR art. 15) and forgetting them for good (`crm
contact forget`, an erasure request, art. 17).

Forgetting removes the contact and their records, takes them out of what stays (a shared
interaction keeps the others; a meeting ahead loses them; the free text of others' records has
their name, emails and phones replaced), removes their trash entries, their sync state and card
files, and every command line in the history that names them; then the change log is emptied —
it holds removed rows as they were — so nothing before the forget can be undone. The full-text
index is rebuilt and the file rewritten (VACUUM) so no page holds them, and the write-ahead log
emptied.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .store import Store
from .values import fold, words

Row = dict[str, Any]

FORGOTTEN = "a forgotten contact"
MIN_WORD = 3  # shorter name words ("de", "li") name nobody on their own
MIN_TEXT = 4  # shorter texts of theirs ("ok") are not theirs alone


@dataclass
class Needles:
    """What names one person: `exact` in anyone's text (their name, emails, phones, uids);
    `words` and `texts` also in command lines, which mention people by a word of the name and
    repeat what was written about them."""

    exact: list[str]
    words: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def pattern(self, broad: bool) -> re.Pattern[str] | None:
        literal = sorted({*self.exact, *(self.texts if broad else ())}, key=len, reverse=True)
        parts = [re.escape(text) for text in literal if text]
        if broad:
            parts += [rf"\b{re.escape(word)}\b" for word in self.words]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def needles(contact: Row, document: Row, uids: list[str]) -> Needles:
    """The person's name (as written and folded), emails, phones and uids; the words of their
    names; the texts of their own records (`document`: theirs, as a backup document)."""
    names = [contact["name"], contact.get("nickname") or ""]
    exact = [*names, *(fold(name) for name in names), *contact["emails"], *contact["phones"]]
    exact = [text for text in exact if len(text) >= MIN_WORD] + uids
    parts = (contact["name"], contact.get("given_name"), contact.get("family_name"))
    words = {w for part in parts if part for w in re.split(r"\W+", part) if len(w) >= MIN_WORD}
    words |= {fold(word) for word in words}
    texts = [text for text in own_texts(contact, document) if len(text) >= MIN_TEXT]
    return Needles(exact, sorted(words), texts)


def own_texts(contact: Row, document: Row) -> list[str]:
    """What was written about the person: their notes, follow-ups, complaints, and the
    summaries of interactions only they took part in."""
    texts = [contact.get("notes") or ""]
    shared = {i["uid"] for i in document["interactions"] if len(i["contact_uids"]) > 1}
    for section, keys in (
        ("notes", ("text",)),
        ("followups", ("note", "done_note")),
        ("complaints", ("summary", "response", "resolution")),
        ("interactions", ("summary", "outcome")),
    ):
        for record in document.get(section) or []:
            if record.get("uid") not in shared:
                texts += [record.get(key) or "" for key in keys]
    return [text for text in texts if isinstance(text, str) and text]


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
    from .errors import NotFound
    from .exchange import backup

    try:
        contact = contacts.resolve(store, ref)
    except NotFound as missing:
        entries = [e for e in store.trash.named(words(ref.strip()) or ref.strip())]
        if len(entries) != 1 or ref.strip().isdigit():
            raise missing from None
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
    import all` reads it), then the meetings ahead with them, their trash entries, the cards
    `crm vcard sync` remembers and the command lines of the history that name them."""
    found = needles(who.contact, who.document, who.uids)
    document = dict(who.document)
    meetings = store.erasure.meetings(who.contact_id) if who.contact_id else []
    document["meetings"] = [{**m, "contact_ids": json.loads(m["contact_ids"])} for m in meetings]
    document["trash"] = store.erasure.trash_entries(_matcher(found.pattern(False)), who.uids)
    document["sync"] = store.erasure.sync_state(who.uids)
    document["history"] = store.erasure.history(_matcher(found.pattern(broad=True)))
    return document


# --------------------------------------------------------------------------- an erasure request


@dataclass
class Forgotten:
    counts: dict[str, int]
    cards_removed: list[Path]
    log_emptied: bool
    copies: list[Path]  # earlier copies of the database that still hold the person


def forget(store: Store, who: Person) -> Forgotten:
    """Forget one person for good (see the module's docstring)."""
    uids = who.uids
    found = needles(who.contact, who.document, uids)
    exact, broad = found.pattern(broad=False), found.pattern(broad=True)
    cards = [
        Path(row["folder"]) / row["file"] for row in store.erasure.sync_state(uids) if row["file"]
    ]
    store.conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed as they are freed
    counts = store.erasure.forget(
        who.contact_id,
        uids,
        _matcher(broad),
        lambda text: exact.sub(FORGOTTEN, text) if exact else text,
        scrub_command,
    )
    removed = [card for card in cards if _remove_card(card)]
    emptied = store.erasure.compact()
    copies = sorted(store.path.parent.glob(f"{store.path.name}.v*.bak"))
    return Forgotten(counts, removed, emptied, copies)


def _matcher(pattern: re.Pattern[str] | None) -> Callable[[str], bool]:
    if pattern is None:
        return lambda text: False
    return lambda text: isinstance(text, str) and pattern.search(text) is not None


def scrub_command(command: str) -> str:
    """A command line that named the person keeps only which command it was."""
    import shlex

    from .cli import COMMANDS

    try:
        words = shlex.split(command)[1:]
    except ValueError:
        words = []
    while words and words[0] not in COMMANDS:  # global options (--db PATH) come first
        words.pop(0)
    kept = ["crm"]
    if words and words[0] in COMMANDS:
        kept.append(words[0])
        is_group = COMMANDS[words[0]][1] == "app"
        if is_group and len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*", words[1]):
            kept.append(words[1])
    return " ".join(kept) + f" … ({FORGOTTEN})"


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
