"""`crm vcard sync DIR`: a vdir and the database kept in step both ways, so vdirsyncer can put a
CardDAV server (Radicale, Nextcloud, iCloud, Google) behind crm.

For each card crm remembers the contact as it was when both sides last agreed (a hash of the
fields a card carries). Then, card by card:

- changed on one side only: the other side takes it — a card edited on the phone *replaces* the
  contact's card fields (a phone number deleted there is deleted here); a contact edited in crm
  rewrites its card;
- changed on both sides: both versions are kept — crm's stays, the card's comes in as a second
  contact tagged `sync-conflict` — and the conflict is reported;
- a card deleted on the other side archives its contact (unless the contact changed since); a
  contact deleted or archived in crm removes its card;
- new on either side: copied to the other.

Files are written (atomically) before the database commits its sync state, so a failure at any
point is at worst seen as a change on the folder's side, never as a loss. A card is rewritten
only when its content changes, so its REV (in UTC) changes only then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import files, model
from ..errors import CrmError
from ..store import Store
from ..when import stamp
from .contact_import import contact_draft
from .readers import MAX_FILE
from .vcard import parse_stream
from .vcard_writer import card_file, to_vcard

Row = dict[str, Any]
# What a card carries: these fields are replaced by a card edited elsewhere. The rest (stage,
# cadence, channel, owner…) is crm's alone and never touched by a sync.
CARD_FIELDS = (
    "name", "given_name", "family_name", "prefix", "suffix", "nickname", "emails", "phones",
    "company", "department", "title", "addresses", "urls", "tags", "notes", "extra",
    "card_forms",
)  # fmt: skip
CONFLICT_TAG = "sync-conflict"


@dataclass
class SyncSummary:
    here: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "archived": 0})
    there: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "removed": 0})
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def line(self) -> str:
        here = ", ".join(f"{n} {what}" for what, n in self.here.items())
        there = ", ".join(f"{n} {what}" for what, n in self.there.items())
        text = f"synced: in crm {here}; in the folder {there}"
        if self.conflicts:
            text += f"; {len(self.conflicts)} conflict(s), both versions kept"
        return text


def state_of(fields: Row, dates: list[tuple]) -> str:
    """A hash of what a card carries, the same whether read from a card or from the database."""
    card = {key: fields.get(key) or None for key in CARD_FIELDS}
    for key in ("emails", "phones", "tags", "addresses", "urls", "extra", "card_forms"):
        card[key] = fields.get(key) or []
    card["dates"] = sorted(
        [label.casefold(), month, day, year] for label, month, day, year in dates
    )
    text = json.dumps(card, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _local_state(store: Store, contact: Row) -> str:
    """The state of a contact as its card would read back, so that what a card cannot say
    differently (a name split into N, say) never looks like a change."""
    text = to_vcard(contact, store.dates.listing(contact["id"]))
    record = next(iter(parse_stream(text.encode(), "card")))
    draft = contact_draft(record.raw, contact["created"])
    return state_of(draft.record, draft.dates)


@dataclass
class Card:
    file: Path
    record: Row
    dates: list[tuple]
    warnings: list[str] = field(default_factory=list)  # said only when the card is taken in

    @property
    def state(self) -> str:
        return state_of(self.record, self.dates)


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


def read_folder(folder: Path, now: dt.datetime, summary: SyncSummary) -> Folder:
    """The folder's cards; a file that is not one readable card is left alone, with a warning
    (one bad file never stops the sync of the others, and is never deleted)."""
    found = Folder(seen=card_files_seen(folder))
    for path in _card_files(folder):
        why, cards = _read_card_file(path, now)
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


def _read_card_file(path: Path, now: dt.datetime) -> tuple[str | None, list[Card]]:
    """The file's one card, or why it cannot be synced (and the cards it does hold)."""
    if not path.is_file() or path.is_symlink():
        return "not a regular file (a folder, a pipe, a link)", []
    try:
        if path.stat().st_size > MAX_FILE:
            return f"larger than {MAX_FILE >> 20} MB: no card is", []
        data = path.read_bytes()
    except OSError as error:
        return f"cannot be read ({error.strerror})", []
    cards, problems = [], []
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
        cards.append(Card(path, draft.record, draft.dates, warnings))
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


def sync(
    store: Store, folder: Path, now: dt.datetime, version: str = "3.0", allow_empty: bool = False
) -> SyncSummary:
    """Bring the folder and the database in step (see the module's rules)."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise CrmError(f"{folder} is a file: give the vdir's folder")
    files.make_folder(folder)
    key = files.path_key(folder)
    summary = SyncSummary()
    found = read_folder(folder, now, summary)  # parsed before the write lock is taken
    with store.transaction():
        if card_files_seen(folder) != found.seen:  # another program wrote a card meanwhile
            summary = SyncSummary()
            found = read_folder(folder, now, summary)
        remembered = store.cards.state(key)
        if found.empty() and remembered and not allow_empty:
            raise CrmError(
                f"{folder} holds no cards, but {len(remembered)} were there at the last sync: "
                "a wiped or unmounted folder would archive them all. If you did delete every "
                "card, run again with --allow-empty"
            )
        contacts = {
            c["uid"]: c for c in store.contacts.listing() + store.contacts.listing(archived=True)
        }
        aliases = store.contacts.aliases()
        step = _Step(store, folder, key, now, version, summary, found.left_alone)
        for uid in sorted(set(remembered) | set(found.cards) | set(contacts)):
            state = remembered.get(uid)
            if uid in found.blocked_uids or (state and state["file"] in found.left_alone):
                continue  # its file is left alone this time: so is the contact
            if uid in aliases and uid not in contacts:
                step.merged_away(uid, found.cards.get(uid))
                continue
            step.one(uid, state, found.cards.get(uid), contacts.get(uid))
        for card in found.nameless:
            step.new_from_folder(card, card.file)
    return summary


def resolve(store: Store, ours: Path, theirs: Path, now: dt.datetime) -> list[str]:
    """vdirsyncer's conflict command, given the one card as each side has it: both changed
    since they last agreed. Both are kept: A stays the card (B's file becomes A, as vdirsyncer
    asks), and B's version arrives in crm as a contact of its own, tagged `sync-conflict`,
    whose card the next `crm vcard sync` writes. A card that cannot be read is never lost:
    the command fails and vdirsyncer leaves the conflict to the user."""
    texts = {}
    for path in (ours, theirs):
        try:
            texts[path] = files.read_regular(str(path), MAX_FILE).decode("utf-8", "replace")
        except CrmError as error:
            raise CrmError(f"{error}: the conflict is left to vdirsyncer") from None
    why, cards = _read_card_file(theirs, now)
    if why is not None:
        raise CrmError(f"{theirs.name}: {why}: the conflict is left to vdirsyncer")
    card = cards[0]
    ours_cards = _read_card_file(ours, now)[1]
    if ours_cards and ours_cards[0].state == card.state:
        said = [f"{theirs.name}: the two sides say the same"]
    else:
        with store.transaction():
            copy = _keep_copy(store, card, now)
        said = [
            f"conflict: {card.record.get('name')} changed on both sides: {ours.name} is kept as "
            f"the card, the other version added as contact {copy} (tagged {CONFLICT_TAG}); "
            f"merge them with `crm contact merge`"
        ]
    with open(theirs, "w", encoding="utf-8", newline="") as handle:
        handle.write(texts[ours])  # the two files equal: vdirsyncer's sign of a resolution
    return said


def _keep_copy(store: Store, card: Card, now: dt.datetime) -> int:
    """The card's version of a contact, kept as a contact of its own (a conflict's other side)."""
    record = dict(card.record)
    record.pop("uid", None)
    record["tags"] = model.unique([*(record.get("tags") or []), CONFLICT_TAG])
    return store.contacts.add(record, now, _date_rows(card.dates, now))


class _Step:
    def __init__(self, store, folder, key, now, version, summary: SyncSummary, left_alone):
        self.store, self.folder, self.key = store, folder, key
        self.now, self.version, self.summary = now, version, summary
        self.left_alone: set[str] = left_alone

    def one(self, uid: str, state: Row | None, card: Card | None, contact: Row | None) -> None:
        active = contact is not None and not contact["archived"]
        if contact is not None and not active and state is None:
            self._archived_unsynced(uid, card, contact)
            return
        if state is None:
            self._first(uid, card, contact if active else None)
            return
        if contact is None or not active:
            if card is None:
                self.store.cards.forget(self.key, uid)
            else:
                self._gone_here(uid, card, contact, card.state != state["state"])
            return
        here = _local_state(self.store, contact)
        changed_here = here != state["local"]
        changed_there = card is not None and card.state != state["state"]
        if card is None:
            self._gone_there(uid, contact, changed_here)
        elif changed_there and changed_here and card.state != here:
            self._conflict(uid, card, contact)
        elif changed_there:
            self._take_card(uid, card, contact)
        elif changed_here:
            self._write_card(uid, contact, card.file)
            self.summary.there["updated"] += 1

    def _archived_unsynced(self, uid: str, card: Card | None, contact: Row) -> None:
        """A contact archived in crm with no sync remembered: its card (crm's old export)
        goes — unless the card says something else (made or edited there since), which then
        brings the contact back."""
        if card is None:
            return
        if card.state == _local_state(self.store, contact):
            card.file.unlink(missing_ok=True)
            self.summary.there["removed"] += 1
            return
        self.store.contacts.set_archived(contact["id"], False, self.now)
        self._take_card(uid, card, contact)
        self.summary.warnings.append(
            f"{card.file.name}: {contact['name']} was archived in crm, and its card was made "
            "or edited since: the contact is back, with the card's fields"
        )

    def _first(self, uid: str, card: Card | None, contact: Row | None) -> None:
        """No agreement remembered: a card new there, a contact new here, or both (the first
        sync of a folder crm exported): the newer side wins."""
        if card is not None and contact is None:
            self.new_from_folder(card, card.file)
        elif card is None and contact is not None:
            self._write_card(uid, contact, None)
            self.summary.there["added"] += 1
        elif card is not None and contact is not None:
            here = _local_state(self.store, contact)
            if card.state == here:
                self._remember(uid, card.file.name, card.state, here)
            elif (card.record.get("updated") or "") > contact["updated"]:
                self._take_card(uid, card, contact)
            else:
                self._write_card(uid, contact, card.file)
                self.summary.there["updated"] += 1

    def _gone_there(self, uid: str, contact: Row, changed_here: bool) -> None:
        if changed_here:  # deleted there, edited here: keep it, and its card
            self._write_card(uid, contact, None)
            self.summary.there["added"] += 1
            return
        self.store.contacts.set_archived(contact["id"], True, self.now)
        self.summary.here["archived"] += 1
        self.store.cards.forget(self.key, uid)

    def _gone_here(self, uid: str, card: Card, contact: Row | None, changed_there: bool) -> None:
        """Deleted or archived in crm: its card goes. A card edited there since is not lost:
        a deleted contact comes back from it; an archived one takes its fields (and stays
        archived)."""
        if changed_there and contact is None and self._restored(uid, card):
            return
        if changed_there and contact is None and not self.store.contacts.uid_in_use(uid):
            self.new_from_folder(card, card.file)
            return
        if changed_there and contact is not None:
            self.store.contacts.update(contact["id"], _card_fields(card), self.now)
            self.store.dates.replace(contact["id"], _date_rows(card.dates, self.now))
            self.summary.here["updated"] += 1
            self.summary.warnings.append(
                f"{card.file.name}: {contact['name']} is archived in crm but was edited in the "
                "folder: the edit is kept in the archived contact, and its card removed"
            )
        card.file.unlink(missing_ok=True)
        self.store.cards.forget(self.key, uid)
        self.summary.there["removed"] += 1

    def _restored(self, uid: str, card: Card) -> bool:
        """Deleted in crm, edited there since: the same contact comes back from the trash, its
        history with it, and takes the card's edit."""
        from .. import trash

        entry = trash.deleted_contact(self.store, uid, self.now)
        if entry is None:
            return False
        _, contact_id = trash.restore(self.store, str(entry["id"]), self.now)
        self._take_card(uid, card, self.store.contacts.get(contact_id))
        self.summary.warnings.append(
            f"{card.file.name}: {entry['name']} was deleted in crm but edited in the folder: "
            "restored from the trash with its history, and the edit taken in"
        )
        return True

    def merged_away(self, uid: str, card: Card | None) -> None:
        """A card of a contact merged into another: the one kept has its own card."""
        if card is not None:
            card.file.unlink(missing_ok=True)
            self.summary.there["removed"] += 1
        self.store.cards.forget(self.key, uid)

    def _conflict(self, uid: str, card: Card, contact: Row) -> None:
        copy = _keep_copy(self.store, card, self.now)
        self.summary.warnings.extend(card.warnings)
        self._write_card(uid, contact, card.file)
        self.summary.there["updated"] += 1
        copied = self.store.contacts.get(copy)
        if self._write_card(copied["uid"], copied, None):  # the copy's card, in this same run
            self.summary.there["added"] += 1
        self.summary.here["added"] += 1
        self.summary.conflicts.append(
            f"{contact['name']} changed in crm and in {card.file.name}: crm's version kept, the "
            f"card's added as contact {copy} (tagged {CONFLICT_TAG}); merge them with "
            f"`crm contact merge {contact['id']} {copy}`"
        )

    def _take_card(self, uid: str, card: Card, contact: Row) -> None:
        """The card edited elsewhere replaces the contact's card fields and dates."""
        self.store.contacts.update(contact["id"], _card_fields(card), self.now)
        self.store.dates.replace(contact["id"], _date_rows(card.dates, self.now))
        self.summary.warnings.extend(card.warnings)
        updated = self.store.contacts.get(contact["id"])
        self._remember(uid, card.file.name, card.state, _local_state(self.store, updated))
        self.summary.here["updated"] += 1

    def new_from_folder(self, card: Card, path: Path) -> None:
        record = {**card.record}
        contact_id = self.store.contacts.add(record, self.now, _date_rows(card.dates, self.now))
        contact = self.store.contacts.get(contact_id)
        self.summary.warnings.extend(card.warnings)
        if not card.record.get("uid"):  # a card without a uid gets crm's, in a file named by it
            if self._write_card(contact["uid"], contact, None):
                path.unlink(missing_ok=True)
        else:
            local = _local_state(self.store, contact)
            self._remember(contact["uid"], path.name, card.state, local)
        self.summary.here["added"] += 1

    def _write_card(self, uid: str, contact: Row, old: Path | None) -> bool:
        """The contact's card, in the file it already lives in (a vdir's file names are the
        server's: renaming one is a delete and an upload), or in one named by its uid."""
        name = old.name if old is not None else card_file(uid)
        if name in self.left_alone:
            self.summary.warnings.append(f"{name}: not written, the file is left alone")
            return False
        text = to_vcard(contact, self.store.dates.listing(contact["id"]), self.version)
        files.write_private(self.folder / name, text, self.store)
        local = _local_state(self.store, contact)
        self._remember(uid, name, local, local)
        return True

    def _remember(self, uid: str, file: str, state: str, local: str) -> None:
        self.store.cards.remember(self.key, uid, file, state, local, self.now)


def _card_fields(card: Card) -> Row:
    fields = {key: card.record.get(key) for key in CARD_FIELDS}
    for key in ("emails", "phones", "tags", "addresses", "urls", "extra", "card_forms"):
        fields[key] = fields[key] or []
    return fields


def _date_rows(dates: list[tuple], now: dt.datetime) -> list[Row]:
    return [
        {"label": label, "month": month, "day": day, "year": year, "created": now}
        for label, month, day, year in dates
    ]
