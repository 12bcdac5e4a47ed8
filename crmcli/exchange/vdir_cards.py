"""What a sync folder (a vdir) holds, read for `crm vcard sync` before it takes the write lock:
one card a file, each file's bytes hashed so a card unchanged since the last sync is known
without being parsed again, and every file the sync cannot take named and left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CrmError
from ..when import stamp
from .contact_import import contact_draft
from .readers import MAX_FILE
from .vcard import parse_stream

Row = dict[str, Any]


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What a card carries: these fields are replaced by a card edited elsewhere. The rest (stage,
# cadence, channel, owner…) is crm's alone and never touched by a sync.
CARD_FIELDS = (
    "name", "given_name", "family_name", "prefix", "suffix", "nickname", "emails", "phones",
    "company", "department", "title", "addresses", "urls", "tags", "notes", "extra",
    "card_forms",
)  # fmt: skip
LIST_FIELDS = ("emails", "phones", "tags", "addresses", "urls", "extra", "card_forms")


def state_of(fields: Row, dates: list[tuple]) -> str:
    """A hash of what a card carries, the same whether read from a card or from the database."""
    card = {key: fields.get(key) or None for key in CARD_FIELDS}
    for key in LIST_FIELDS:
        card[key] = fields.get(key) or []
    card["dates"] = sorted(
        [label.casefold(), month, day, year] for label, month, day, year in dates
    )
    text = json.dumps(card, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Card:
    file: Path
    record: Row
    dates: list[tuple]
    warnings: list[str] = field(default_factory=list)  # said only when the card is taken in
    digest: str = ""  # the file's bytes, hashed: the same bytes are the same card, unread
    known: str | None = None  # the state remembered for these very bytes (not parsed again)
    by_crm: bool = False  # written by crm (its PRODID), as far as the card says

    @property
    def state(self) -> str:
        return self.known if self.known is not None else state_of(self.record, self.dates)


@dataclass
class Folder:
    """What a sync folder holds: cards by uid, cards without one (a phone's new contact), and
    files left alone — neither read nor ever written or removed — with the uids they name."""

    cards: dict[str, Card] = field(default_factory=dict)
    nameless: list[Card] = field(default_factory=list)
    left_alone: set[str] = field(default_factory=set)
    blocked_uids: set[str] = field(default_factory=set)
    seen: tuple = ()  # the card files as read (name, size, time): to know if one changed since

    def empty(self) -> bool:
        return not (self.cards or self.nameless or self.left_alone)


def read_folder(folder: Path, now: dt.datetime, summary: Any, remembered: dict[str, Row]) -> Folder:
    """The folder's cards; a file that is not one readable card is left alone, with a warning
    (one bad file never stops the sync of the others, and is never deleted). A file whose
    bytes are those remembered from the last sync is not parsed again."""
    found = Folder(seen=card_files_seen(folder))
    by_file = {row["file"]: (uid, row) for uid, row in remembered.items() if row.get("file_hash")}
    for path in _card_files(folder):
        why, cards = read_card_file(path, now, by_file.get(path.name))
        if why is None and cards[0].record.get("uid") in found.cards:
            uid = cards[0].record["uid"]
            why = f"its uid {uid} is in {found.cards[uid].file.name} too"
        if why is not None:
            summary.warnings.append(f"{path.name}: {why}: left alone")
            found.left_alone.add(path.name)
            found.blocked_uids.update(c.record["uid"] for c in cards if c.record.get("uid"))
            continue
        card = cards[0]
        if card.record.get("uid"):
            found.cards[card.record["uid"]] = card
        else:
            found.nameless.append(card)
    return found


def _card_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in (".vcf", ".vcard") and not path.name.startswith(".")
    )


def card_files_seen(folder: Path) -> tuple:
    """What the card files are now, by a look at each (no reading): cheap under the lock."""
    seen = []
    for path in _card_files(folder):
        try:
            info = path.lstat()
        except OSError:
            continue
        seen.append((path.name, info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(seen)


def read_card_file(
    path: Path, now: dt.datetime, remembered: tuple[str, Row] | None = None
) -> tuple[str | None, list[Card]]:
    """The file's one card, or why it cannot be synced (and the cards it does hold)."""
    if not path.is_file() or path.is_symlink():
        return "not a regular file (a folder, a pipe, a link)", []
    try:
        if path.stat().st_size > MAX_FILE:
            return f"larger than {MAX_FILE >> 20} MB: no card is", []
        data = path.read_bytes()
    except OSError as error:
        return f"cannot be read ({error.strerror})", []
    digest = bytes_digest(data)
    if remembered is not None and remembered[1]["file_hash"] == digest:
        uid, row = remembered
        return None, [Card(path, {"uid": uid}, [], digest=digest, known=row["state"])]
    cards, problems = [], []
    by_crm = re.search(rb"(?im)^PRODID:-//crm//", data) is not None
    for record in parse_stream(data, path.name):
        if record.skip:
            continue
        try:
            if record.problem:
                raise CrmError(record.problem)
            draft = contact_draft(record.raw, stamp(now))
        except CrmError as error:
            problems.append(f"{record.where}: {error}")
            continue
        warnings = [f"{record.where}: {w}" for w in (*record.warnings, *draft.notes)]
        cards.append(Card(path, draft.record, draft.dates, warnings, digest, by_crm=by_crm))
    if problems:
        return "; ".join(problems) + " (mend the card)", cards
    if len(cards) > 1:
        return (
            f"holds {len(cards)} cards, and a sync folder keeps one card a file (as vdirsyncer "
            "writes it): `crm vcard import` it and remove it, or split it",
            cards,
        )
    if not cards:
        return "holds no card", []
    return None, cards
