"""The decisions of `crm vcard sync`, card by card (vsync.py says the rules and runs them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import files, model
from .contact_import import contact_draft
from .vcard import parse_stream
from .vcard_writer import card_file, to_vcard
from .vdir_cards import CARD_FIELDS, LIST_FIELDS, Card, bytes_digest, state_of

Row = dict[str, Any]
CONFLICT_TAG = "sync-conflict"


def local_state(contact: Row, dates: list[Row]) -> str:
    """The state of a contact as its card would read back, so that what a card cannot say
    differently (a name split into N, say) never looks like a change."""
    return text_state(to_vcard(contact, dates), contact["created"])


def text_state(text: str, created: str) -> str:
    record = next(iter(parse_stream(text.encode(), "card")))
    draft = contact_draft(record.raw, created)
    return state_of(draft.record, draft.dates)


def contact_hash(contact: Row, dates: list[Row]) -> str:
    """The contact's own card fields and dates, hashed: unchanged, its card reads the same."""
    fields = {key: contact.get(key) for key in (*CARD_FIELDS, "uid")}
    fields["dates"] = sorted([d["label"], d["month"], d["day"], d["year"]] for d in dates)
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def keep_copy(store: Any, card: Card, now: dt.datetime) -> int:
    """The card's version of a contact, kept as a contact of its own (a conflict's other side)."""
    record = dict(card.record)
    record.pop("uid", None)
    record["tags"] = model.unique([*(record.get("tags") or []), CONFLICT_TAG])
    return store.contacts.add(record, now, date_rows(card.dates, now))


def card_fields(card: Card) -> Row:
    fields = {key: card.record.get(key) for key in CARD_FIELDS}
    for key in LIST_FIELDS:
        fields[key] = fields[key] or []
    return fields


def date_rows(dates: list[tuple], now: dt.datetime) -> list[Row]:
    return [
        {"label": label, "month": month, "day": day, "year": year, "created": now}
        for label, month, day, year in dates
    ]


class Step:
    """The decisions of one sync, card by card (the module's rules, in vsync.py). What the
    folder says is taken into the database at once; the cards crm must write are queued and
    written by `write_cards`, after the transaction, with no lock held."""

    def __init__(self, store, folder, key, now, version, summary, left_alone):
        self.store, self.folder, self.key = store, folder, key
        self.now, self.version, self.summary = now, version, summary
        self.left_alone: set[str] = left_alone
        self.pending: list[tuple[str, int, str, Path | None]] = []  # uid, contact, file, then rm
        self.dates: dict[int, list[Row]] = {}
        self.seen: dict[str, list] = {}  # each card file as the sync read it

    def decide(self, found: Any, remembered: dict[str, Row]) -> None:
        contacts = {
            c["uid"]: c
            for c in self.store.contacts.listing() + self.store.contacts.listing(archived=True)
        }
        aliases = self.store.contacts.aliases()
        self.dates = self.store.dates.by_contact()
        self.seen = {entry[0]: list(entry[1:]) for entry in found.seen}
        for uid in sorted(set(remembered) | set(found.cards) | set(contacts)):
            state = remembered.get(uid)
            if uid in found.blocked_uids or (state and state["file"] in found.left_alone):
                continue  # its file is left alone this time: so is the contact
            if uid in aliases and uid not in contacts:
                self.merged_away(uid, found.cards.get(uid))
                continue
            self.one(uid, state, found.cards.get(uid), contacts.get(uid))
        for card in found.nameless:
            self.new_from_folder(card, card.file)

    def write_cards(self, progress: Callable[[int], Any] | None = None) -> list[tuple]:
        """The queued cards, each rendered from its contact as it is now (one changed since
        the decision is written as it is, and remembered so) and written; what to remember of
        each. The files reach the disk together, once, before anything is remembered."""
        written = []
        bar = progress(len(self.pending)) if progress and len(self.pending) >= 1000 else None
        dates = self.store.dates.by_contact()
        with files.CardWriter(self.folder, self.store) as out:
            for uid, contact_id, name, then_remove in self.pending:
                contact = self.store.contacts.get(contact_id)
                mine = dates.get(contact_id, [])
                text = to_vcard(contact, mine, self.version) if contact else ""
                if contact is not None and self._unchanged(name, then_remove):  # checked last
                    out.write(name, text)
                    state = text_state(text, contact["created"])
                    written.append((uid, name, state, bytes_digest(text.encode()),
                                    contact_hash(contact, mine)))  # fmt: skip
                    if then_remove is not None:
                        then_remove.unlink(missing_ok=True)
                if bar is not None:
                    bar()
        if bar is not None:
            bar.close()
        return written

    def _unchanged(self, name: str, then_remove: Path | None) -> bool:
        """Whether the file about to be replaced (and the one about to go) is still as the sync
        read it: one another program wrote since (vdirsyncer, khard) is left as it is, never
        overwritten — the next sync sees that edit beside crm's, and keeps both."""
        for file in (name, then_remove.name if then_remove is not None else None):
            if file is None:
                continue
            try:
                info = (self.folder / file).lstat()
                now = [info.st_size, info.st_mtime_ns, info.st_ino]
            except OSError:
                now = None
            if now != self.seen.get(file):
                self.summary.warnings.append(
                    f"{file}: changed while crm synced: left as it is, for the next sync"
                )
                return False
        return True

    def _here(self, contact: Row, state: Row) -> str:
        """The contact's side as its card would read back: known without rendering the card
        when the contact's own fields are those of the last sync."""
        mine = self.dates.get(contact["id"], [])
        if state.get("contact_hash") == contact_hash(contact, mine):
            return state["local"]
        return local_state(contact, mine)

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
        here = self._here(contact, state)
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
        if card.state == local_state(contact, self.dates.get(contact["id"], [])):
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
        sync of a folder crm exported, or imported): a card crm wrote whose REV is older than
        the contact is crm's old export (crm's version is written), one whose REV is newer was
        edited since (taken in); a card another program wrote that differs keeps both
        versions, as a conflict — without a common past, neither side can be said to be the
        newer. A card of a contact deleted in crm (vdirsyncer brings back one edited on the
        phone after crm removed it) brings that contact back from the trash, with its
        history, not a stranger of the same uid."""
        if card is not None and contact is None:
            if not self._restored(uid, card):
                self.new_from_folder(card, card.file)
        elif card is None and contact is not None:
            self._write_card(uid, contact, None)
            self.summary.there["added"] += 1
        elif card is not None and contact is not None:
            here = local_state(contact, self.dates.get(contact["id"], []))
            if card.state == here:
                self._remember(uid, card, here, contact)
            elif not card.by_crm:
                self._conflict(uid, card, contact, "differs from crm's, with no sync between")
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
            self.store.contacts.update(contact["id"], card_fields(card), self.now)
            self.store.dates.replace(contact["id"], date_rows(card.dates, self.now))
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

    def _conflict(self, uid: str, card: Card, contact: Row, how: str = "") -> None:
        copy = keep_copy(self.store, card, self.now)
        self.summary.warnings.extend(card.warnings)
        self._write_card(uid, contact, card.file)
        self.summary.there["updated"] += 1
        copied = self.store.contacts.get(copy)
        if self._write_card(copied["uid"], copied, None):  # the copy's card, in this same run
            self.summary.there["added"] += 1
        self.summary.here["added"] += 1
        what = f"{card.file.name} {how}" if how else f"changed in crm and in {card.file.name}"
        self.summary.conflicts.append(
            f"{contact['name']} {what}: crm's version kept, the card's added as contact {copy} "
            f"(tagged {CONFLICT_TAG}); merge them with `crm contact merge {contact['id']} {copy}`"
        )

    def _take_card(self, uid: str, card: Card, contact: Row) -> None:
        """The card edited elsewhere replaces the contact's card fields and dates."""
        self.store.contacts.update(contact["id"], card_fields(card), self.now)
        self.store.dates.replace(contact["id"], date_rows(card.dates, self.now))
        self.summary.warnings.extend(card.warnings)
        updated = self.store.contacts.get(contact["id"])
        dates = self.store.dates.listing(contact["id"])
        self.dates[contact["id"]] = dates
        self._remember(uid, card, local_state(updated, dates), updated)
        self.summary.here["updated"] += 1

    def new_from_folder(self, card: Card, path: Path) -> None:
        record = {**card.record}
        contact_id = self.store.contacts.add(record, self.now, date_rows(card.dates, self.now))
        contact = self.store.contacts.get(contact_id)
        self.summary.warnings.extend(card.warnings)
        if not card.record.get("uid"):  # a card without a uid gets crm's, in a file named by it
            self._write_card(contact["uid"], contact, None, then_remove=path)
        else:
            dates = self.store.dates.listing(contact_id)
            self.dates[contact_id] = dates
            self._remember(contact["uid"], card, local_state(contact, dates), contact)
        self.summary.here["added"] += 1

    def _write_card(
        self, uid: str, contact: Row, old: Path | None, then_remove: Path | None = None
    ) -> bool:
        """The contact's card, queued, in the file it already lives in (a vdir's file names
        are the server's: renaming one is a delete and an upload), or in one named by its uid."""
        name = old.name if old is not None else card_file(uid)
        if name in self.left_alone:
            self.summary.warnings.append(f"{name}: not written, the file is left alone")
            return False
        self.pending.append((uid, contact["id"], name, then_remove))
        return True

    def _remember(self, uid: str, card: Card, local: str, contact: Row) -> None:
        mine = self.dates.get(contact["id"], [])
        self.store.cards.remember(self.key, uid, card.file.name, card.state, local, self.now,
                                  card.digest, contact_hash(contact, mine))  # fmt: skip
